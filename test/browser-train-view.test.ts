// The page's training view in real Chromium: after each epoch, a sample of the model's greedy text beside the
// perplexity curves (the same text Generate writes from the model of that epoch), and a checkpoint's settings
// followed by the form: shown, locked but for the epochs while its run is the one Continue trains, freed by
// "Change settings", and read back (not the defaults) when Train trains a new model from them. axe-core and a 360 px
// phone with the samples and the lock shown.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { rnnlm, tempDir } from './helpers.js';
import { assertAccessible, openPage, startSite } from './browser-harness.js';
import { decodeSafetensors } from '../src/train/checkpoint/safetensors.js';

/** A small, fast run on The Time Machine (the page's default text). */
const SMALL = { batchSize: '32', numSteps: '8', numHiddens: '16', numTrain: '300', numVal: '50' };

describe("the page's training view", { timeout: 300000 }, () => {
  let server: Server;
  let browser: Browser;
  let origin: string;
  const errors: string[] = [];

  before(async () => {
    ({ server, browser, origin } = await startSite());
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  async function settings(p: Page, values: Record<string, string>): Promise<void> {
    for (const [id, v] of Object.entries(values)) {
      if (await p.locator(`#${id}`).evaluate((el) => el.tagName === 'SELECT')) await p.selectOption(`#${id}`, v);
      else await p.fill(`#${id}`, v);
    }
  }
  const finished = (p: Page, epochs: number): Promise<unknown> => p.waitForFunction((n) => new RegExp(`^finished ${n} epochs`)
    .test(document.getElementById('status')?.textContent ?? ''), epochs, { timeout: 90000 });
  /** The samples shown, newest first: [epoch, text]. */
  const samples = (p: Page): Promise<[number, string][]> => p.$$eval('#epoch-samples li', (items) =>
    items.map((li) => [Number((li as HTMLElement).dataset['epoch']), li.querySelector('.epoch-text')?.textContent ?? ''] as [number, string]));
  const locked = (p: Page, id: string): Promise<boolean> => p.locator(`#${id}`).evaluate((el) => (el as HTMLInputElement).disabled && el.dataset['locked'] === 'true');

  it("shows after each epoch the model's greedy text, the same that Generate writes from it", async () => {
    const p = await openPage(browser, origin, errors);
    assert.deepEqual(await samples(p), [], 'no samples before training');
    await settings(p, { ...SMALL, epochs: '2', prefix: 'it has' });
    await p.click('#train');
    await finished(p, 2);
    const shown = await samples(p);
    assert.deepEqual(shown.map(([e]) => e), [2, 1], 'one per epoch, newest first');
    for (const [e, text] of shown) assert.ok(text.startsWith('it has') && [...text].length === 6 + 60, `epoch ${e}: the prefix and 60 characters: ${JSON.stringify(text)}`);

    // the last epoch's sample is the trained model's greedy text: Generate (greedy, 60 characters) writes the same
    await settings(p, { len: '60', beam: '0' });
    await p.uncheck('#sample');
    await p.click('#generate');
    await p.waitForSelector('#output[data-done="true"]');
    assert.equal(await p.textContent('#output'), shown[0]![1]);

    // a prefix this model cannot read (book text drops digits): the sample starts from the text's first letter instead
    await settings(p, { prefix: '1234', epochs: '3' });
    await p.click('#continue');
    await finished(p, 3);
    const continued = await samples(p);
    assert.deepEqual(continued.map(([e]) => e), [3], 'a continued run shows its own epochs');
    assert.equal([...continued[0]![1]].length, 1 + 60, JSON.stringify(continued[0]![1]));
    assert.match(continued[0]![1], /^[a-z ]+$/, 'book text: lower-case letters and spaces');
    await p.close();
    assert.deepEqual(errors, []);
  });

  it("follows an opened checkpoint: its settings shown and locked but for the epochs, until Change settings", async () => {
    const path = join(tempDir(), 'lstm.safetensors');
    const t = rnnlm('train', '--epochs', '1', '--batch-size', '32', '--num-steps', '8', '--cell', 'lstm', '--num-layers', '2', '--num-hiddens', '12',
      '--num-train', '300', '--num-val', '50', '--optimizer', 'adam', '--lr', '0.005', '--seed', '7', '--out', path);
    assert.equal(t.code, 0, t.stderr);
    const p = await openPage(browser, origin, errors);
    assert.equal(await p.isHidden('#settings-lock'), true, 'the shipped model leaves the form at the book\'s settings');
    assert.equal(await p.inputValue('#cell'), 'rnn');
    await p.setInputFiles('#checkpoint', path);
    await p.waitForFunction(() => /^opened lstm\.safetensors/.test(document.getElementById('model-info')?.textContent ?? ''));
    const want = { cell: 'lstm', numLayers: '2', numHiddens: '12', optimizer: 'adam', lr: '0.005', seed: '7', batchSize: '32', numSteps: '8', numTrain: '300' };
    for (const [id, v] of Object.entries(want)) {
      assert.equal(await p.inputValue(`#${id}`), v, id);
      assert.equal(await locked(p, id), true, `#${id} is locked`);
    }
    assert.match(await p.getAttribute('#cell', 'title') ?? '', /set by the run of lstm\.safetensors/);
    assert.equal(await p.isEnabled('#epochs'), true, 'the epochs to continue to stay free');
    assert.equal(await p.inputValue('#epochs'), '2');
    assert.equal(await p.isVisible('#settings-lock'), true);
    assert.match(await p.textContent('#settings-lock') ?? '', /lstm\.safetensors's run, locked/);

    // 360 px with the lock note, and axe-core, before and after a continued epoch shows its sample
    await p.setViewportSize({ width: 360, height: 740 });
    assert.equal(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no horizontal scroll');
    await assertAccessible(p, 'locked');
    await p.click('#continue');
    await finished(p, 2);
    assert.deepEqual((await samples(p)).map(([e]) => e), [2]);
    await assertAccessible(p, 'after continuing');
    assert.equal(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no horizontal scroll with a sample');
    await p.setViewportSize({ width: 1100, height: 1400 });

    // Train from locked settings trains a new model with them (not the defaults a disabled control would give), and frees them
    await p.fill('#epochs', '1');
    await p.click('#train');
    await p.waitForSelector('#settings-lock', { state: 'hidden' }); // once the new run started: nothing locked
    await finished(p, 1);
    assert.equal(await p.isEnabled('#cell'), true);
    const [download] = await Promise.all([p.waitForEvent('download'), p.click('#download')]);
    const saved = join(tempDir(), 'new.safetensors');
    await download.saveAs(saved);
    const config = JSON.parse(decodeSafetensors(readFileSync(saved)).metadata['config']!) as Record<string, unknown>;
    assert.deepEqual([config['cell'], config['numLayers'], config['numHiddens'], config['optimizer'], config['lr'], config['seed']], ['lstm', 2, 12, 'adam', 0.005, 7]);
    assert.equal(await p.isDisabled('#activation'), true, 'LSTM cells have no activation choice: still off once freed');

    // Change settings frees them with their values; the book's settings bring the book's back
    await p.setInputFiles('#checkpoint', path);
    await p.waitForFunction(() => !(document.getElementById('settings-lock') as HTMLElement).hidden);
    await p.click('#unlock-settings');
    assert.equal(await p.isHidden('#settings-lock'), true);
    assert.equal(await p.isEnabled('#cell'), true);
    assert.equal(await p.inputValue('#cell'), 'lstm');
    assert.equal(await p.isDisabled('#activation'), true);
    await p.selectOption('#cell', 'rnn');
    assert.equal(await p.isEnabled('#activation'), true);
    await p.setInputFiles('#checkpoint', path);
    await p.waitForFunction(() => !(document.getElementById('settings-lock') as HTMLElement).hidden);
    await p.click('#defaults');
    assert.equal(await p.isHidden('#settings-lock'), true);
    assert.equal(await p.inputValue('#cell'), 'rnn');
    assert.equal(await p.inputValue('#numHiddens'), '32');
    await p.close();
    assert.deepEqual(errors, []);
  });

});
