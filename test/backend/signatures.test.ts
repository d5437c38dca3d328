// The fused kernels' arguments are declared once (src/backend/signatures.ts); the AssemblyScript kernels and the
// native binding state them again in their own languages, and this test holds both to the TypeScript declaration:
// every parameter's name and position, and every array's length as the binding checks it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { paramsOf, SIGNATURES, type KernelSignature } from '../../src/backend/signatures.js';
import { ROOT } from '../helpers.js';

const asm = readdirSync(join(ROOT, 'asm')).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(ROOT, 'asm', f), 'utf8')).join('\n');
const binding = readFileSync(join(ROOT, 'native', 'binding.cc'), 'utf8');

/**
 * The parameter names of an exported AssemblyScript function, less its trailing scratch (the arena's) and team,
 * part, parts (the kernel threads', asm/team.ts): the ABI's own.
 */
function asmParams(name: string): string[] {
  const m = new RegExp(`export function ${name}\\(([^)]*)\\)`).exec(asm);
  assert.ok(m, `asm/ exports no ${name}`);
  const names = m[1]!.split(',').map((p) => p.trim().split(':')[0]!.trim()).filter((p) => p !== '');
  assert.deepEqual(names.slice(-4), ['scratch', 'team', 'part', 'parts'], `${name}: its last parameters are the scratch the adapter places and the team's`);
  return names.slice(0, -4);
}

/** The binding's reading of a kernel's arguments: position -> [name, the length it checks ('' for non-arrays)]. */
function bindingParams(name: string): Map<number, [string, string]> {
  const start = binding.indexOf(`napi_value ${name[0]!.toUpperCase()}${name.slice(1)}(`);
  assert.ok(start >= 0, `native/binding.cc has no ${name}`);
  const body = binding.slice(start, binding.indexOf('\n}\n', start));
  const found = new Map<number, [string, string]>();
  for (const m of body.matchAll(/c\.(?:f32|i32)\((\d+), "(\w+)", [^,]+, "([^"]+)"/g)) found.set(Number(m[1]), [m[2]!, m[3]!]);
  for (const m of body.matchAll(/c\.(?:size|number|integer)\((\d+), "(\w+)"\)/g)) found.set(Number(m[1]), [m[2]!, '']);
  const recurrence = /const Recurrence r\(c, (\d+)\)/.exec(body); // B, T, H and the cell, read by the Recurrence struct
  if (recurrence) ['B', 'T', 'H', 'cell'].forEach((p, i) => found.set(Number(recurrence[1]) + i, [p, '']));
  return found;
}

describe('kernel signatures, one per kernel, the same in TypeScript, AssemblyScript and C++', () => {
  for (const sig of SIGNATURES as readonly KernelSignature[]) {
    const params = paramsOf(sig);
    it(`${sig.name}: AssemblyScript takes the parameters in the signature's order`, () => {
      assert.deepEqual(asmParams(sig.name), params.map(([n]) => n));
    });
    it(`${sig.name}: the native binding reads each argument at its position, and checks each array's length`, () => {
      const found = bindingParams(sig.name);
      assert.equal(found.size, params.length, `the binding reads ${found.size} arguments, the signature has ${params.length}`);
      params.forEach(([n, p], i) => {
        assert.deepEqual(found.get(i), [n, p.type === 'f32' || p.type === 'i32' ? p.length : ''], `argument ${i}`);
      });
    });
  }
  it('a signature that differs is seen: the test reads what it claims to', () => {
    assert.notDeepEqual(asmParams('recurrenceBackward'), paramsOf(SIGNATURES[0]).map(([n]) => n));
    assert.equal(bindingParams('recurrenceForward').get(6)?.[1], 'B*H (LSTM)');
  });
});
