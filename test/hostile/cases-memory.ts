// Family 3, memory: files that claim more than memory holds (sparse checkpoints of gigabytes that take no disk, a
// header of 100 MiB + 1, a vocabulary of 10,000,001 tokens, tokens over their length cap), texts with a vocabulary of
// a million characters, and the cap on the vocabulary (--max-tokens). Each is refused from what it claims, or runs,
// within the runner's 1 GiB of peak memory.
import { join } from 'node:path';
import { type Case, dir, file, goodFile, header, run, sparse, sparseBytes, lengthOnly, SMALL, TEXT, withMeta, vocab, WORDS } from './fixtures.js';

const m = 'mem-';
const E31 = 2 ** 31;
const metadata = goodFile.metadata;

// one tensor of 2^31 float32 elements (8 GiB), in a sparse file of that size: refused by its size before any read
const huge = sparse(`${m}2e31.safetensors`, { __metadata__: metadata, [Object.keys(header)[1]!]: { dtype: 'F32', shape: [E31], data_offsets: [0, E31 * 4] } }, E31 * 4);
// the same header in a 1 GiB sparse file (under the 2 GiB cap): the tensor does not fit the data
const hugeShort = sparse(`${m}2e31-short.safetensors`, { __metadata__: metadata, [Object.keys(header)[1]!]: { dtype: 'F32', shape: [E31], data_offsets: [0, E31 * 4] } }, 2 ** 30);
// one tensor of 2^31 + 1 elements (over the cap on a tensor) whose offsets claim little
const overCap = sparse(`${m}over-cap.safetensors`, { __metadata__: metadata, [Object.keys(header)[1]!]: { dtype: 'F32', shape: [E31 + 1], data_offsets: [0, 1024] } }, 1024);
// 65536 x 32769 elements: each dimension fine, their product over the cap
const overCap2d = sparse(`${m}over-cap-2d.safetensors`, { __metadata__: metadata, [Object.keys(header)[1]!]: { dtype: 'F32', shape: [65536, 32769], data_offsets: [0, 1024] } }, 1024);
// the run's tensors with W_hh 16384 x 16384 (1 GiB, sparse): a file under the cap whose sizes disagree with its configuration
const bigLayer = (() => {
  const h: Record<string, unknown> = { __metadata__: run.metadata };
  let offset = 0;
  for (const t of run.tensors) {
    const shape = t.name === 'W_hh' ? [16384, 16384] : t.shape;
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    h[t.name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  return sparse(`${m}1gib-layer.safetensors`, h, offset);
})();
// a header length of 100 MiB + 1, in a file that holds it (sparse) and in one of 16 bytes
const header100 = sparseBytes(`${m}header-100mib.safetensors`, lengthOnly(100n * 2n ** 20n + 1n).subarray(0, 8), 8 + 100 * 2 ** 20 + 1 + 16);
const header100Short = file(`${m}header-100mib-short.safetensors`, lengthOnly(100n * 2n ** 20n + 1n));
// 3 GiB of sparse data after a valid header
const threeGiB = sparse(`${m}3gib.safetensors`, header, 3 * 2 ** 30);
// a vocabulary of 10,000,001 tokens (the count is checked before the tokens: they need not differ), a 60 MB header
const manyTokens = withMeta(`${m}vocab-1e7.safetensors`, { vocab: '[' + '"a",'.repeat(10_000_000) + '"a"]' });
const longToken = withMeta(`${m}vocab-long-token.safetensors`, { vocab: JSON.stringify([...vocab.idxToToken.slice(0, -1), 'x'.repeat(1025)]) });
const longWord = withMeta(`${m}vocab-long-word.safetensors`, { vocab: JSON.stringify([...vocab.idxToToken.slice(0, -1), 'w'.repeat(100_000)]) });
// a text of a million distinct characters (CJK and beyond), and one of a million distinct words
const millionChars = file(`${m}million-chars.txt`, (() => {
  const parts: string[] = [];
  for (let c = 0x4e00; parts.length < 1_000_000; c++) if (c < 0xd800 || c > 0xdfff) parts.push(String.fromCodePoint(c));
  return parts.join('');
})());
const millionWords = file(`${m}million-words.txt`, Array.from({ length: 1_000_000 }, (_, i) => `w${i.toString(36)}`).join(' '));
// one word of a million letters (cut every 64 characters as a word token)
const oneWord = file(`${m}one-word.txt`, 'a'.repeat(1_000_000));

const FULL = ['--epochs', '0', '--batch-size', '16', '--num-steps', '8', '--num-hiddens', '4', '--split', 'full', '--text', 'raw'];

export const MEMORY_CASES: Case[] = [
  { name: 'generate --model a sparse 8 GiB checkpoint (one tensor of 2^31 elements)', args: ['generate', '--model', huge], stderr: /is 8\d{9} bytes, above the limit of 2147483648 for a model file/ },
  { name: 'score --model a sparse 8 GiB checkpoint', args: ['score', '--model', huge, 'the time'], stderr: /above the limit of 2147483648 for a model file/ },
  { name: 'eval --model a sparse 8 GiB checkpoint', args: ['eval', '--model', huge, TEXT], stderr: /above the limit of 2147483648 for a model file/ },
  { name: 'train --init-from a sparse 8 GiB checkpoint', args: ['train', '--init-from', huge], stderr: /above the limit of 2147483648 for a model file/ },
  { name: 'train --resume a sparse 8 GiB checkpoint', args: ['train', '--resume', huge], stderr: /above the limit of 2147483648 for a model file/ },
  { name: 'generate --model a 1 GiB sparse file whose tensor claims 2^31 elements', args: ['generate', '--model', hugeShort], stderr: /is not a valid safetensors file/ },
  { name: 'generate --model a tensor of 2^31 + 1 elements', args: ['generate', '--model', overCap], stderr: /tensor .* has no valid shape \(dimensions must be non-negative integers, at most 2147483648 elements in all\)/ },
  { name: 'generate --model a tensor of 65536 x 32769 elements', args: ['generate', '--model', overCap2d], stderr: /has no valid shape .*at most 2147483648 elements/ },
  { name: 'generate --model a sparse 1 GiB layer its configuration does not have', args: ['generate', '--model', bigLayer], stderr: /its configuration needs \d+ parameters and 2 optimizer buffers of that size but the file holds \d+ values/ },
  { name: 'train --resume a sparse 1 GiB layer', args: ['train', '--resume', bigLayer], stderr: /its configuration needs \d+ parameters/ },
  { name: 'generate --model 3 GiB of sparse data', args: ['generate', '--model', threeGiB], stderr: /is 3\d{9} bytes, above the limit of 2147483648 for a model file/ },
  { name: 'generate --model a header length of 100 MiB + 1 (sparse)', args: ['generate', '--model', header100], stderr: /header length 104857601 is above the limit of 104857600 bytes/ },
  { name: 'score --model a header length of 100 MiB + 1 in 16 bytes', args: ['score', '--model', header100Short, 'the time'], stderr: /header length 104857601 is above the limit of 104857600 bytes/ },
  { name: 'generate --model a vocabulary of 10,000,001 tokens', args: ['generate', '--model', manyTokens], stderr: /vocab has 10000001 tokens, more than 10000000/ },
  { name: 'generate --model a vocabulary token of 1,025 characters', args: ['generate', '--model', longToken], stderr: /vocab token \d+ is empty, longer than 1024 characters or holds a control character/ },
  { name: 'eval --model a vocabulary token of 100,000 characters', args: ['eval', '--model', longWord, TEXT], stderr: /longer than 1024 characters/ },
  { name: 'train --max-tokens 10000001', args: ['train', '--max-tokens', '10000001'], stderr: /--max-tokens must be at most 10000000, got '10000001'/ },
  { name: 'sweep --max-tokens 1e9', args: ['sweep', '--max-tokens', '1e9'], stderr: /--max-tokens must be at most 10000000, got '1e9'/ },
  { name: 'train --max-tokens 0x2', args: ['train', '--max-tokens', '0x2'], stderr: /--max-tokens must be a number, got '0x2'/ },
  // texts with a vocabulary of a million: read within bounded memory
  { name: 'train a raw text of a million distinct characters, capped by --max-tokens 1000', args: ['train', ...FULL, '--data', millionChars, '--max-tokens', '1000', '--quiet'], stderr: null, code: 0 },
  { name: 'train a raw text of a million distinct words, capped by --max-tokens 1000', args: ['train', ...FULL, '--tokens', 'word', '--data', millionWords, '--max-tokens', '1000', '--quiet'], stderr: null, code: 0 },
  { name: 'train a raw text of a million distinct characters without a cap', args: ['train', ...FULL, '--data', millionChars, '--quiet'],
    stderr: /the text has more than 200,000 distinct characters \(Unicode assigns about 150,000; no script needs so many\): cap the vocabulary/, maxSeconds: 10 },
  { name: 'train a raw text of a million distinct words without a cap', args: ['train', ...FULL, '--tokens', 'word', '--data', millionWords, '--quiet'],
    stderr: /the text has more than 1,000,000 distinct words: cap the vocabulary/, maxSeconds: 10 },
  { name: 'eval --model, sweep of a million distinct characters without a cap', args: ['sweep', ...FULL.filter((a) => a !== '--quiet'), '--data', millionChars, '--results', join(dir, `${m}none.jsonl`)],
    stderr: /the text has more than 200,000 distinct characters/, maxSeconds: 10 },
  { name: 'train --max-tokens 2 on words', args: ['train', ...SMALL, '--data', TEXT, '--tokens', 'word', '--max-tokens', '2', '--quiet'], stderr: null, code: 0 },
  { name: 'eval a text of a million distinct characters (all unknown to the model)', args: ['eval', '--model', WORDS, millionChars], stderr: null, code: 0 },
  { name: 'eval a word of a million letters with a word model (64-letter tokens)', args: ['eval', '--model', WORDS, oneWord], stderr: null, code: 0 },
  { name: 'train --tokens word on a word of a million letters', args: ['train', ...SMALL, '--text', 'raw', '--tokens', 'word', '--data', oneWord, '--quiet'], stderr: null, code: 0 },
].map((c): Case => ({ family: 3, code: 2, ...c }));
