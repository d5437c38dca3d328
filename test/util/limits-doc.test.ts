// docs/limits.md is generated from the tables the code enforces: a stale page (a limit changed, the page not
// regenerated with `npm run docs:limits`) fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { limitsMarkdown } from '../../src/cli/limits-doc.js';
import { TRAIN_SCHEMA } from '../../src/train/config/config-schema.js';
import { ROOT } from '../helpers.js';

it('docs/limits.md is what the code enforces (npm run docs:limits regenerates it)', () => {
  const page = readFileSync(join(ROOT, 'docs', 'limits.md'), 'utf8');
  assert.equal(page, limitsMarkdown());
  for (const field of Object.keys(TRAIN_SCHEMA)) assert.match(page, new RegExp(`\\| \`${field}\` \\|`), field);
  assert.match(page, /\| `--beam` \| whole number, 1 to 1000 \|/);
});
