// Family 5, slow paths: inputs that make a quadratic step or a backtracking pattern show: megabytes of text without
// whitespace (one word, or random letters) read as words and scored, markers of Project Gutenberg headers repeated,
// a long run log to plot, wide beam searches and long generations. Each finishes within its time (most succeed:
// nothing on stderr, stdout not checked), or is refused at once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Case, dir, file, GOOD, LOG, RUN, SMALL, WORDS } from './fixtures.js';

const w = 'slow-';
const TWO_MB = 2_000_000;
const oneWord = file(`${w}a.txt`, 'a'.repeat(TWO_MB));
const letters = file(`${w}letters.txt`, (() => {
  let x = 12345;
  const b = Buffer.alloc(TWO_MB);
  for (let i = 0; i < TWO_MB; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = 97 + ((x >>> 16) % 26);
  }
  return b;
})());
const stars = file(`${w}stars.txt`, '*'.repeat(TWO_MB));
const markers = file(`${w}markers.txt`, '*** START OF THE PROJECT GUTENBERG EBOOK '.repeat(50_000));
const endMarkers = file(`${w}end-markers.txt`, 'the time machine *** END OF THE PROJECT GUTENBERG EBOOK '.repeat(30_000));
// the fixture run's epoch line, 10,000 times (a 3 MB log)
const epochLine = JSON.parse(readFileSync(LOG, 'utf8').split('\n')[0]!) as Record<string, unknown>;
const longLog = file(`${w}long.jsonl`, Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ ...epochLine, epoch: i + 1 })).join('\n') + '\n');
// 100,000 epochs (a 29 MB log) with a spike: plot thins each curve to a bounded number of points, streaming the log
const hugeLog = file(`${w}huge.jsonl`, Array.from({ length: 100_000 }, (_, i) => JSON.stringify({ ...epochLine, epoch: i + 1,
  trainCurve: [[i + 0.5, 12 + Math.cos(i)], [i + 1, 11 + Math.cos(i)]], valPpl: i === 50_000 ? 1e4 : 10 + Math.sin(i) })).join('\n') + '\n');

const WORD = ['--text', 'raw', '--tokens', 'word'];

export const SLOW_PATHS: Case[] = [
  { name: 'train --text raw --tokens word on 2 MB of one letter (book split)', args: ['train', ...SMALL, ...WORD, '--data', oneWord, '--quiet'] },
  { name: 'train --text raw --tokens word on 2 MB of one letter (full split)', args: ['train', ...SMALL, ...WORD, '--split', 'full', '--data', oneWord, '--quiet'] },
  { name: 'train --text raw --tokens word on 2 MB of random letters', args: ['train', ...SMALL, ...WORD, '--data', letters, '--quiet'] },
  { name: 'train --tokens word on 2 MB of random letters (book text)', args: ['train', ...SMALL, '--tokens', 'word', '--data', letters, '--quiet'] },
  { name: 'train --text raw on 2 MB of random letters (characters)', args: ['train', ...SMALL, '--text', 'raw', '--data', letters, '--quiet'] },
  { name: 'train on 2 MB of Gutenberg start markers', args: ['train', ...SMALL, '--data', markers, '--quiet'] },
  { name: 'train --text raw on 2 MB of stars', args: ['train', ...SMALL, '--text', 'raw', '--data', stars, '--quiet'] },
  { name: 'eval 2 MB of one letter', args: ['eval', '--model', GOOD, oneWord] },
  { name: 'eval 2 MB of random letters', args: ['eval', '--model', GOOD, letters] },
  { name: 'eval a word model on 2 MB of one letter', args: ['eval', '--model', WORDS, oneWord] },
  { name: 'eval a word model on 2 MB of random letters', args: ['eval', '--model', WORDS, letters] },
  { name: 'eval 2 MB of Gutenberg start markers', args: ['eval', '--model', GOOD, markers] },
  { name: 'eval --keep-header 2 MB of Gutenberg start markers', args: ['eval', '--model', GOOD, '--keep-header', markers] },
  { name: 'eval 2 MB of Gutenberg end markers', args: ['eval', '--model', GOOD, endMarkers] },
  { name: 'eval 2 MB of stars (no letters)', args: ['eval', '--model', GOOD, stars], stderr: /the text needs at least two tokens \(after reading it as the model's text\) to be scored/, code: 2 },
  { name: 'score a text of 90,000 characters', args: ['score', '--model', GOOD, 'the time '.repeat(10_000)] },
  { name: 'generate --beam 50 --len 2000', args: ['generate', '--model', GOOD, '--beam', '50', '--len', '2000'] },
  { name: 'generate --beam 200 --len 500 from the trained run', args: ['generate', '--model', RUN, '--beam', '200', '--len', '500'] },
  { name: 'generate --len 100000 (greedy)', args: ['generate', '--model', GOOD, '--len', '100000'] },
  { name: 'generate --sample --top-p 0.5 --len 100000', args: ['generate', '--model', RUN, '--sample', '--top-p', '0.5', '--len', '100000'] },
  { name: 'plot a run log of 10,000 epochs', args: ['plot', longLog, '--out', join(dir, `${w}long.svg`)], creates: [`${w}long.svg`] },
  { name: 'plot a run log of 100,000 epochs (5 s, 300 MiB)', args: ['plot', hugeLog, '--out', join(dir, `${w}huge.svg`)], creates: [`${w}huge.svg`], maxSeconds: 5, maxRssMiB: 300 },
  { name: 'plot --log two run logs of 100,000 and 10,000 epochs (5 s, 300 MiB)', args: ['plot', '--log', hugeLog, longLog, '--out', join(dir, `${w}huge2.svg`)], creates: [`${w}huge2.svg`], maxSeconds: 5, maxRssMiB: 300 },
].map((c): Case => ({ family: 5, code: 0, stderr: null, maxSeconds: 15, ...c }));
