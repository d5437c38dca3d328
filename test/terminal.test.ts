// Terminal escaping: one function, one convention for every message (\n, \t, \r by name; every other control
// character, C1 included, as \xHH; the line and paragraph separators as \u{...}), and generated text keeping its
// newlines and tabs only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rnnlm } from './helpers.js';
import { escapeControls, escapeTerminal, oneLine } from '../src/cli/terminal.js';

describe('terminal escaping', () => {
  it('escapes every control character of a message by one convention', () => {
    assert.equal(oneLine('a\nb\tc\rd'), 'a\\nb\\tc\\rd');
    assert.equal(oneLine('\x00\x07\x1b[2J\x7f'), '\\x00\\x07\\x1b[2J\\x7f');
    assert.equal(oneLine('\x80\x9b6n\x9f'), '\\x80\\x9b6n\\x9f');
    assert.equal(oneLine('\u2028\u2029'), '\\u{2028}\\u{2029}');
    assert.equal(oneLine('naïve ½ 你好 \xa0'), 'naïve ½ 你好 \xa0', 'printable text passes, above the C1 range included');
    assert.equal(oneLine('x'), escapeTerminal('x'));
  });
  it('keeps the layout of generated text (newlines and tabs) and escapes the rest alike', () => {
    assert.equal(escapeControls('a\nb\tc\rd\x1b[2J\x9b'), 'a\nb\tc\\rd\\x1b[2J\\x9b');
    assert.equal(escapeControls('a\r\nb'), escapeTerminal('a\r\nb', { keepLayout: true }));
  });
  it('a path with a carriage return is shown as \\r in a message', () => {
    const r = rnnlm('generate', '--model', 'x\ry.safetensors');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no such model file: x\\ry\.safetensors/);
  });
  it('an unknown option holding a newline is shown as \\n, as a path is', () => {
    const r = rnnlm('eval', '--a\nb');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--a\\nb'/);
  });
});
