// Models saved in the browser (web/model-store.ts, web/saved-models-view.ts) in real Chromium: a small model trained
// in the page is saved (its file exactly Download's bytes), listed after a reload with its name, text, date and
// metrics, opened (its run's curves in the chart) and continued to 2 epochs; a model saved mid-run (paused) holds the
// last completed epoch; Delete (from the keyboard) offers Undo and stays done after a reload; Rename keeps. Damaged
// records (garbage bytes, a missing file, a description of the wrong shape) give one line each and leave the page
// working; without IndexedDB, or with the storage full, Save gives one line and the page works on. axe-core finds
// no serious or critical violation with models listed, and nothing scrolls sideways at 360 px (the card's screenshot:
// test-artifacts/saved-models-360.png).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ROOT, tempDir } from './helpers.js';
import { assertAccessible, DATA, openPage as openPageAt, startSite } from './browser-harness.js';


/** A small, quick run: 31 batches of 64 windows of 16 characters, on 30,000 characters of The Time Machine. */
const SMALL = { cell: 'rnn', numLayers: '1', textMode: 'book', tokens: 'char', split: 'book', batchSize: '64', numSteps: '16', numHiddens: '32',
  clip: '1', numTrain: '2000', numVal: '500', minFreq: '0', maxTokens: '0', activation: 'tanh', lrSchedule: 'constant', optimizer: 'sgd', lr: '1', epochs: '1' };
const smallText = (): string => readFileSync(join(DATA, 'timemachine.txt'), 'utf8').slice(0, 30000);

/** A model in the list as the page shows it. */
interface Listed { id: string; name: string; details: string[]; datetime: string; buttons: { label: string; disabled: boolean }[] }

const listed = (p: Page): Promise<Listed[]> => p.$$eval('#saved-list > li', (items) => items.map((li) => ({
  id: (li as HTMLElement).dataset['id'] ?? '',
  name: li.querySelector('.saved-name')?.textContent ?? '',
  details: Array.from(li.querySelectorAll('.saved-detail')).map((d) => d.textContent ?? ''),
  datetime: li.querySelector('time')?.getAttribute('datetime') ?? '',
  buttons: Array.from(li.querySelectorAll('button')).map((b) => ({ label: b.getAttribute('aria-label') ?? '', disabled: b.disabled })),
})));

/** Records written straight into the page's IndexedDB, as a damaged (or another program's) store would hold them. */
interface RawRecord { id: number; description?: Record<string, unknown>; file?: number[] }

function putRecords(p: Page, records: RawRecord[]): Promise<void> {
  return p.evaluate(async (recs) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('rnnlm-page');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(['models', 'files'], 'readwrite');
      for (const r of recs) {
        const d = r.description;
        if (d) tx.objectStore('models').put({ ...d, id: r.id, ...(typeof d['savedAt'] === 'number' ? { savedAt: new Date(d['savedAt']) } : {}) });
        if (r.file) tx.objectStore('files').put(new Uint8Array(r.file), r.id);
      }
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, records);
}

/** A saved model's file as the page's IndexedDB holds it. */
function storedFile(p: Page, id: number): Promise<number[]> {
  return p.evaluate(async (key) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('rnnlm-page');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const file = await new Promise<unknown>((resolve, reject) => {
      const r = db.transaction('files').objectStore('files').get(key);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    db.close();
    return Array.from(file instanceof ArrayBuffer ? new Uint8Array(file) : new Uint8Array((file as Uint8Array).buffer));
  }, id);
}

const status = async (p: Page): Promise<string> => await p.textContent('#status') ?? '';
const waitStatus = (p: Page, re: RegExp, timeout = 30000): Promise<unknown> =>
  p.waitForFunction((source) => new RegExp(source).test(document.getElementById('status')?.textContent ?? ''), re.source, { timeout });
/** The list once read from the browser's storage, with `n` models (or unreadable records) in it. */
const waitListed = (p: Page, n: number): Promise<unknown> => p.waitForFunction((count) =>
  document.getElementById('saved-list')?.dataset['state'] === 'listed' && document.querySelectorAll('#saved-list > li').length === count, n, { timeout: 30000 });
const series = async (p: Page, name: 'data-val-ppl' | 'data-train-ppl'): Promise<string[]> => ((await p.getAttribute('#chart', name)) ?? '').split(' ');
const noSideScroll = (p: Page): Promise<boolean> => p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** One line in the page's words: no line break, no stack, no CLI flag. */
function oneLine(s: string): void {
  assert.ok(s.length > 0 && !/\n/.test(s) && s.length < 400, `one short line: ${JSON.stringify(s)}`);
  assert.doesNotMatch(s, /--|\bat \S+ \(|\.(?:ts|js):\d+|Error:/, 'no CLI flag, no stack');
}

describe('models saved in the browser', { timeout: 600000 }, () => {
  let server: Server;
  let browser: Browser;
  let origin: string;
  let page: Page; // one tab (one browser context, so IndexedDB persists across its reloads) for the tests that follow each other
  const log: string[] = [];
  const openPage = (l: string[], viewport?: { width: number; height: number }, options?: Parameters<typeof openPageAt>[4]): Promise<Page> =>
    openPageAt(browser, origin, l, viewport, options);
  async function reload(p: Page): Promise<void> {
    await p.reload();
    await p.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  }

  before(async () => {
    ({ server, browser, origin } = await startSite());
    page = await openPage(log);
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  let saved: { name: string; trainPpl: string; valPpl: string; at: [number, number] };

  it('saves a trained model (its file exactly the Download), lists it after a reload, opens it and continues its run', async () => {
    const p = page;
    await waitListed(p, 0);
    assert.equal(await p.textContent('#saved-info'), 'no model saved in this browser yet');
    await p.fill('#text', smallText());
    for (const [id, v] of Object.entries(SMALL)) {
      if (await p.locator(`#${id}`).evaluate((el) => el.tagName === 'SELECT')) await p.selectOption(`#${id}`, v);
      else await p.fill(`#${id}`, v);
    }
    await p.uncheck('#concise');
    await p.click('#train');
    await waitStatus(p, /^finished 1 epochs$/, 120000);
    const [trainPpl, valPpl] = [(await series(p, 'data-train-ppl'))[0]!, (await series(p, 'data-val-ppl'))[0]!];
    const vocabulary = /^vocabulary (\d+), /.exec(await p.textContent('#model-info') ?? '')?.[1];
    assert.ok(vocabulary, 'the vocabulary trained');
    const ppl = `1 epoch done: train ppl ${Number(trainPpl).toFixed(2)}, val ppl ${Number(valPpl).toFixed(2)}`;

    // named, then with the default name (the model and the date)
    const before = Date.now();
    await p.fill('#save-name', '  small   rnn ');
    await p.click('#save');
    await waitStatus(p, /^saved small rnn in this browser/);
    await waitListed(p, 1);
    assert.equal(await status(p), `saved small rnn in this browser (${ppl})`);
    assert.equal(await p.inputValue('#save-name'), '', 'the name field empties for the next one');
    await p.click('#save');
    await waitListed(p, 2);
    const after = Date.now();
    saved = { name: 'small rnn', trainPpl, valPpl, at: [before, after] };

    // the file saved is the checkpoint Download gives, byte for byte
    const [download] = await Promise.all([p.waitForEvent('download'), p.click('#download')]);
    const path = join(tempDir(), 'one.safetensors');
    await download.saveAs(path);
    assert.equal(download.suggestedFilename(), 'rnnlm-epoch1.safetensors');
    const small = (await listed(p)).find((m) => m.name === 'small rnn')!;
    assert.deepEqual(Buffer.from(await storedFile(p, Number(small.id))), readFileSync(path));

    // a reloaded page lists both, newest first, with their text, date and metrics
    await reload(p);
    await waitListed(p, 2);
    const models = await listed(p);
    assert.match(models[0]!.name, /^rnn, 32 hidden units, \d{4}-\d\d-\d\d \d\d:\d\d$/, 'the default name: the model and the date');
    assert.equal(models[1]!.name, 'small rnn');
    for (const m of models) {
      assert.equal(m.details[0], `rnn, 32 hidden units, vocabulary ${vocabulary}, book text, char tokens`);
      assert.match(m.details[1]!, /^your own text, 30,000 characters: “The Time Machine, by H\. G\. Wells \[1898\] I The Time Traveller…”$/);
      assert.match(m.details[2]!, new RegExp(`^saved .+ · ${ppl.replace(/[.()]/g, '\\$&')}$`));
      const at = Date.parse(m.datetime);
      assert.ok(at >= before - 1000 && at <= after + 1000, `saved between ${before} and ${after}: ${m.datetime}`);
    }
    assert.deepEqual(models[1]!.buttons.map((b) => b.label), ['Open small rnn', 'Rename small rnn', 'Delete small rnn']);
    assert.equal(await p.getAttribute('#saved-list', 'aria-labelledby'), 'saved-heading');
    assert.equal(await p.evaluate(() => document.getElementById('saved-list')!.tagName), 'UL', 'a real list');

    // Open: as a checkpoint file opens, its run's curves in the chart and Continue on
    await p.getByRole('button', { name: 'Open small rnn', exact: true }).click();
    await waitStatus(p, /^opened small rnn$/);
    assert.match(await p.textContent('#model-info') ?? '', new RegExp(`^opened small rnn: rnn, vocabulary ${vocabulary}, 32 hidden units, book text, char tokens; 1 of 1 epochs done \\(sgd, learning rate 1\\): set epochs and continue training$`));
    assert.equal(await p.getAttribute('#chart', 'data-points'), '1');
    assert.deepEqual([(await series(p, 'data-train-ppl'))[0], (await series(p, 'data-val-ppl'))[0]], [trainPpl, valPpl], 'the saved run\'s epoch 1');
    assert.equal(await p.isDisabled('#continue'), false);
    assert.equal(await p.inputValue('#epochs'), '2');

    // continued on the same text to 2 epochs: the chart starts with the saved run's epoch 1
    await p.fill('#text', smallText());
    await p.click('#continue');
    await waitStatus(p, /^finished 2 epochs$/, 120000);
    assert.equal(await p.getAttribute('#chart', 'data-points'), '2');
    assert.deepEqual([(await series(p, 'data-train-ppl'))[0], (await series(p, 'data-val-ppl'))[0]], [trainPpl, valPpl]);

    // saved while it trains (paused, so that no epoch ends meanwhile): the file holds the last completed epoch, as Download's
    await p.fill('#epochs', '500');
    await p.click('#continue');
    // the worker's answer that the run started (Pause is on as soon as Continue is clicked): the run continues from the opened one
    await p.waitForFunction(() => (window as unknown as { statusLog: string[] }).statusLog.some((t) => t.startsWith('continuing from epoch 2 to 500: training on ')));
    await p.click('#pause');
    assert.deepEqual((await listed(p)).map((m) => m.buttons[0]!.disabled), [true, true], 'a saved model opens between runs only');
    await p.fill('#save-name', 'mid-run');
    await p.click('#save');
    await waitStatus(p, /^saved mid-run in this browser/);
    await waitListed(p, 3);
    const points = Number(await p.getAttribute('#chart', 'data-points'));
    const last = (name: 'data-val-ppl' | 'data-train-ppl'): Promise<string> => series(p, name).then((s) => Number(s.at(-1)).toFixed(2));
    const midRun = (await listed(p))[0]!;
    assert.equal(midRun.name, 'mid-run');
    assert.match(midRun.details[2]!, new RegExp(`· ${points} epochs done: train ppl ${await last('data-train-ppl')}, val ppl ${await last('data-val-ppl')}$`),
      `the last completed epoch (${points})`);
    assert.ok(points >= 2);
    assert.match(midRun.details[1]!, /^your own text, 30,000 characters: /);
    assert.equal(await p.textContent('#pause'), 'Resume', 'still paused');
    await p.click('#stop');
    await waitStatus(p, /^stopped: /);
    assert.deepEqual((await listed(p)).map((m) => m.buttons[0]!.disabled), [false, false, false]);
    assert.deepEqual(log, []);
  });

  it('deletes from the keyboard with Undo, and a deleted model stays gone after a reload; a renamed one keeps its name', async () => {
    const p = page;
    const del = p.getByRole('button', { name: 'Delete mid-run', exact: true });
    await del.focus();
    await p.keyboard.press('Enter');
    await waitStatus(p, /^deleted mid-run from this browser$/);
    await waitListed(p, 2);
    assert.equal(await p.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Undo deleting mid-run', 'Undo takes the focus');
    await p.keyboard.press('Enter');
    await waitStatus(p, /^put back mid-run$/);
    await waitListed(p, 3);
    assert.equal(await p.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Open mid-run', 'the model put back takes the focus');
    assert.equal((await listed(p))[0]!.name, 'mid-run');

    await p.getByRole('button', { name: 'Delete mid-run', exact: true }).click();
    await waitListed(p, 2);
    // rename from the keyboard: the field takes the focus, Enter saves
    await p.getByRole('button', { name: `Rename ${saved.name}`, exact: true }).click();
    assert.equal(await p.evaluate(() => document.activeElement?.getAttribute('aria-label')), `new name for ${saved.name}`);
    await p.keyboard.type('small rnn, one epoch');
    await p.keyboard.press('Enter');
    await waitStatus(p, /^renamed small rnn to small rnn, one epoch$/);
    saved.name = 'small rnn, one epoch';
    assert.equal(await p.evaluate(() => document.activeElement?.getAttribute('aria-label')), `Rename ${saved.name}`);

    await reload(p);
    await waitListed(p, 2);
    const names = (await listed(p)).map((m) => m.name);
    assert.ok(!names.includes('mid-run'), `deleted stays deleted: ${names.join(', ')}`);
    assert.equal(names[1], saved.name);
    assert.deepEqual(log, []);
  });

  it('gives one line for damaged records (garbage bytes, a missing file, a wrong shape) and keeps working', async () => {
    const p = page;
    const description = (name: string, savedAt: number): Record<string, unknown> => ({
      name, savedAt, text: { source: 'your own text', excerpt: 'x', chars: 1 }, model: 'rnn, 32 hidden units', metrics: null, size: 100,
    });
    const before = (await listed(p)).map((m) => m.name); // the two saved by the tests above, newest first
    const now = Date.now();
    await putRecords(p, [
      { id: 9001, description: description('garbage', now + 3), file: Array.from({ length: 100 }, (_, i) => (i * 37) % 256) },
      { id: 9002, description: description('no file', now + 2) },
      { id: 9003, description: { name: 42, savedAt: 'yesterday' } },
    ]);
    await reload(p);
    await waitListed(p, 5);
    const models = await listed(p);
    assert.deepEqual(models.map((m) => m.name), ['garbage', 'no file', ...before, 'an unreadable record']);
    assert.deepEqual(models[4]!.buttons.map((b) => b.label), ['Delete the unreadable record']);

    // the page's own model first, to see that a bad record leaves it
    await p.getByRole('button', { name: `Open ${saved.name}`, exact: true }).click();
    await waitStatus(p, new RegExp(`^opened ${saved.name}$`));
    const info = await p.textContent('#model-info');
    await p.getByRole('button', { name: 'Open garbage', exact: true }).click();
    await p.waitForFunction(() => (document.getElementById('saved-error')?.textContent ?? '') !== '');
    const garbage = await p.textContent('#saved-error') ?? '';
    assert.match(garbage, /^error: garbage is not a valid safetensors file: /);
    oneLine(garbage);
    assert.equal(await status(p), garbage);
    assert.equal(await p.textContent('#checkpoint-error'), '', 'under the saved models, not under Download');
    assert.equal(await p.textContent('#model-info'), info, 'the model stays');

    await p.getByRole('button', { name: 'Open no file', exact: true }).click();
    await p.waitForFunction(() => /no file is missing/.test(document.getElementById('saved-error')?.textContent ?? ''));
    const missing = await p.textContent('#saved-error') ?? '';
    assert.equal(missing, "error: cannot open no file: the file of no file is missing or unreadable in the browser's storage: delete it");
    oneLine(missing);

    // the page works on: it generates, and opens a good saved model (the error goes)
    await p.fill('#len', '20');
    await p.click('#generate');
    await p.waitForSelector('#output[data-done="true"]', { timeout: 30000 });
    assert.equal([...(await p.textContent('#output') ?? '')].length, 'it has'.length + 20);
    await p.getByRole('button', { name: `Open ${models[2]!.name}`, exact: true }).click();
    await waitStatus(p, new RegExp(`^opened ${models[2]!.name.replace(/[.()]/g, '\\$&')}$`));
    assert.equal(await p.textContent('#saved-error'), '');
    for (const name of ['garbage', 'no file', 'the unreadable record']) {
      await p.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
      await waitStatus(p, new RegExp(`^deleted ${name} from this browser$`));
    }
    await waitListed(p, 2);
    assert.deepEqual(log, []);
  });

  it('passes axe-core with saved models listed, at 1280 and 360 px, with nothing scrolling sideways at 360 px', async () => {
    const p = page;
    // a long name with no space, and a notice with Undo: the narrow layout must still fit
    await p.fill('#save-name', 'a-very-long-name-without-any-space-'.repeat(3));
    await p.click('#save');
    await waitListed(p, 3);
    await p.getByRole('button', { name: `Delete ${saved.name}`, exact: true }).click();
    await waitListed(p, 2);
    for (const width of [1280, 360]) {
      await p.setViewportSize({ width, height: width === 360 ? 740 : 800 });
      await assertAccessible(p, `${width} px`);
      if (width === 360) {
        assert.ok(await noSideScroll(p), 'no horizontal scroll at 360 px with models listed');
        const rows = await p.$$eval('#saved-list > li, .save-row, #saved-notice', (els) => els.map((e) => e.getBoundingClientRect().right));
        assert.ok(rows.every((r) => r <= 360), `every row within the window: ${rows.join(', ')}`);
        await p.getByRole('button', { name: /^Rename a-very-long/ }).click();
        assert.ok(await noSideScroll(p), 'no horizontal scroll while renaming');
        await p.keyboard.press('Escape');
        await p.locator('#model-section').screenshot({ path: join(ROOT, 'test-artifacts', 'saved-models-360.png') });
      }
    }
    // the deleted model is put back for the next test's reload
    await p.getByRole('button', { name: `Undo deleting ${saved.name}`, exact: true }).click();
    await waitListed(p, 3);
    assert.deepEqual(log, []);
  });

  it('without IndexedDB, or with the storage full, Save gives one line beside it and the page works on', async () => {
    const l: string[] = [];
    // no IndexedDB at all (as some private windows): the list says so, Save says so, the page generates
    const none = await openPage(l, undefined, {
      setup: (p) => p.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true })),
    });
    await none.waitForFunction(() => document.getElementById('saved-list')?.dataset['state'] === 'unavailable');
    assert.match(await none.textContent('#saved-info') ?? '', /^saved models are not available: this browser has no storage for the page/);
    assert.equal(await none.isDisabled('#save'), false, 'the ready-trained model can be saved');
    await none.click('#save');
    await none.waitForFunction(() => (document.getElementById('saved-error')?.textContent ?? '') !== '');
    const noStore = await none.textContent('#saved-error') ?? '';
    assert.match(noStore, /^error: cannot save gru, 128 hidden units, \d{4}-\d\d-\d\d \d\d:\d\d: this browser has no storage for the page .*download the checkpoint instead$/);
    oneLine(noStore);
    assert.equal(await status(none), noStore);
    await none.click('#generate');
    await none.waitForSelector('#output[data-done="true"]', { timeout: 30000 });
    await none.close();

    // the storage full: the browser refuses the write
    const full = await openPage(l, undefined, {
      setup: (p) => p.addInitScript(() => {
        IDBObjectStore.prototype.add = function add(): IDBRequest {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        };
      }),
    });
    await waitListed(full, 0); // its own context: an empty store
    await full.fill('#save-name', 'too much');
    await full.click('#save');
    await full.waitForFunction(() => (document.getElementById('saved-error')?.textContent ?? '') !== '');
    const quota = await full.textContent('#saved-error') ?? '';
    assert.equal(quota, "error: cannot save too much: the browser's storage for this page is full: delete saved models, or download the checkpoint instead");
    oneLine(quota);
    assert.equal(await full.evaluate(() => document.querySelectorAll('#saved-list > li').length), 0, 'nothing half saved');
    await full.click('#generate');
    await full.waitForSelector('#output[data-done="true"]', { timeout: 30000 });
    await full.close();

    // the browser gives up the transaction after the description is written and while the file is: the two go together
    const aborted = await openPage(l, undefined, {
      setup: (p) => p.addInitScript(() => {
        const put = IDBObjectStore.prototype.put;
        IDBObjectStore.prototype.put = function abortingPut(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>): IDBRequest {
          const request = put.apply(this, args);
          this.transaction.abort();
          return request;
        };
      }),
    });
    await waitListed(aborted, 0);
    await aborted.fill('#save-name', 'half');
    await aborted.click('#save');
    await aborted.waitForFunction(() => (document.getElementById('saved-error')?.textContent ?? '') !== '');
    const stopped = await aborted.textContent('#saved-error') ?? '';
    assert.match(stopped, /^error: cannot save half: /);
    oneLine(stopped);
    await aborted.reload();
    await aborted.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    await waitListed(aborted, 0); // the description written before the abort is gone with it
    await aborted.close();
    assert.deepEqual(l, []);
  });

  it('saves the ready-trained model with its text, and the saved models survive a last reload', async () => {
    const p = page;
    await reload(p);
    await waitListed(p, 3);
    await p.fill('#save-name', 'shipped');
    await p.click('#save');
    await waitListed(p, 4);
    const shipped = (await listed(p))[0]!;
    assert.equal(shipped.name, 'shipped');
    assert.deepEqual(shipped.details.slice(0, 2), ['gru, 128 hidden units, vocabulary 28, book text, char tokens', "The Time Machine (the page's ready-trained model)"]);
    assert.match(shipped.details[2]!, / · weights only \(no run to continue\)$/);
    await p.getByRole('button', { name: 'Open shipped', exact: true }).click();
    await waitStatus(p, /^opened shipped$/);
    assert.equal(await p.isDisabled('#continue'), true, 'weights only: nothing to continue');
    assert.deepEqual(log, []);
  });
});
