// Node's file system from browser-safe code: through process.getBuiltinModule (Node 20.16 or later), so that no
// bundler sees a node: import in the graph of rnnlm/inference or the wasm loader; undefined in a browser.

export function nodeFs(): typeof import('node:fs') | undefined {
  return (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:fs') as
    typeof import('node:fs') | undefined;
}
