// The kernel contracts (src/backend/cells.ts, asm/contracts.ts, native/contracts.h) agree: each fast backend states
// its gate counts, saved-block counts and output block size from its own source, and they must equal TypeScript's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTRACTS, CELLS } from '../../src/backend/cells.js';
import { loadNativeBackend } from '../../src/node/native.js';
import { loadWasmBackend } from '../../src/backend/wasm.js';

const wasm = await loadWasmBackend();
if (typeof wasm === 'string') throw new Error(`the wasm backend must load in tests: ${wasm}`);
const native = await loadNativeBackend();

describe('kernel contracts', () => {
  it('TypeScript states one gate count and one saved-block count per cell', () => {
    assert.equal(CONTRACTS.gates.length, CELLS.length);
    assert.deepEqual(CONTRACTS.gates, [1, 1, 4, 3, 3]); // rnn-tanh, rnn-relu, lstm [i f g o], gru [r z n], gru-torch [r z n]
    assert.deepEqual(CONTRACTS.savedBlocks, [0, 0, 5, 3, 4]); // lstm: i f g o c; gru: r z n; gru-torch: r z n and h W_hn + b_hn
  });
  for (const backend of [wasm, ...(typeof native === 'string' ? [] : [native])]) {
    it(`${backend.name} states the same contracts as TypeScript`, () => {
      assert.deepEqual(backend.contracts, CONTRACTS);
    });
  }
});
