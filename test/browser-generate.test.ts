// The page's Generate card in real Chromium, with the model shipped with the page: a fixed seed gives the same text
// twice (and the command line's for the same seed and options), the seed used is shown and "Reuse seed" makes the text
// again; top-k 1 sampling is greedy; three samples show three labelled texts; a stop string ends the text (not before
// min new tokens); Stop ends a long generation with the text so far; the probability view shows the 10 most likely
// next tokens as bars that follow the prefix, and says beside the prefix what the model cannot read; the library's
// refusals show beside Generate in the page's words; sampling's controls are off under beam search and without
// "sample"; every control has a label and a tooltip; at 360 px nothing scrolls sideways with "more options" open; axe-core
// finds no serious or critical violation in the card. A screenshot goes to test-artifacts/generate-360.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ROOT, rnnlm } from './helpers.js';
import { assertAccessible, assertFitsWindow, openPage, startSite } from './browser-harness.js';

/** The model shipped with the page (scripts/build-page-model.mjs). */
const SHIPPED = join(ROOT, 'web', 'public', 'timemachine-gru.safetensors');

describe('the Generate card', { timeout: 300000 }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const errors: string[] = [];

  before(async () => {
    ({ server, browser, origin } = await startSite());
    page = await openPage(browser, origin, errors);
    assert.equal(await page.getAttribute('body', 'data-model'), 'shipped', 'the shipped model is loaded');
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  /** Sets the card's controls: inputs by id (checkboxes with 'on' or 'off'); "more options" opens for its controls. */
  async function set(values: Record<string, string>, p: Page = page): Promise<void> {
    await p.evaluate(() => ((document.getElementById('more-options') as HTMLDetailsElement).open = true));
    for (const [id, v] of Object.entries(values)) {
      const sel = `#${id}`;
      const type = await p.getAttribute(sel, 'type');
      if (await p.isDisabled(sel)) { // a control that is off (the page leaves it out): its value all the same, for the next settings
        await p.locator(sel).evaluate((el, value) => {
          if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = value === 'on';
          else (el as HTMLInputElement).value = value;
        }, v);
      } else if (type === 'checkbox') await (v === 'on' ? p.check(sel) : p.uncheck(sel));
      else if (type === 'range') {
        await p.locator(sel).evaluate((el, value) => {
          (el as HTMLInputElement).value = value;
          el.dispatchEvent(new Event('input', { bubbles: true }));
        }, v);
      } else await p.fill(sel, v);
    }
  }
  /** The card's settings as the page opens. */
  const DEFAULTS = {
    prefix: 'it has', len: '100', samples: '1', beam: '0', sample: 'off', temperature: '1', 'gen-seed': '', 'top-k': '', 'top-p': '',
    'repetition-penalty': '', 'no-repeat-ngram': '', 'min-new': '', 'stop-strings': '',
  };

  /** Generates with these settings (the rest as the page opens) and waits until it is complete: the texts shown. */
  async function generate(values: Record<string, string>, p: Page = page): Promise<string[]> {
    await set({ ...DEFAULTS, ...values }, p);
    await p.click('#generate');
    await p.waitForSelector('#output:is([data-done="true"], [data-done="error"])', { timeout: 60000 });
    assert.equal(await p.getAttribute('#output', 'data-done'), 'true', await p.textContent('#generate-error') ?? '');
    return p.locator('#output .sample-text').allTextContents();
  }
  /** The seed the page says it used. */
  async function seedShown(p: Page = page): Promise<number> {
    const m = /seed (\d+)/.exec(await p.textContent('#generate-info') ?? '');
    assert.ok(m, `a seed is shown: ${await p.textContent('#generate-info')}`);
    return Number(m[1]);
  }

  it('a fixed seed gives the same text twice, the command line\'s for the same options; the seed used is shown and can be reused', async () => {
    const options = { sample: 'on', 'gen-seed': '12345', len: '80', temperature: '0.8', 'top-k': '5', 'repetition-penalty': '1.2' };
    const [a] = await generate(options);
    assert.equal(await seedShown(), 12345);
    assert.deepEqual(await generate(options), [a]);
    assert.ok(a!.startsWith('it has') && a!.length === 86, JSON.stringify(a));
    // the same WebAssembly kernels and sampler as the command line
    const cli = rnnlm('generate', '--model', SHIPPED, '--prefix', 'it has', '--max-new-tokens', '80', '--sample', '--seed', '12345', '--temperature', '0.8',
      '--top-k', '5', '--repetition-penalty', '1.2', '--backend', 'wasm');
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(a, cli.stdout.replace(/\n$/, ''));
    // the seed box empty: a random seed, shown, and put back by "Reuse seed"
    const [b] = await generate({ ...options, 'gen-seed': '' });
    const seed = await seedShown();
    assert.equal(await page.isDisabled('#reuse-seed'), false);
    await page.click('#reuse-seed');
    assert.equal(await page.inputValue('#gen-seed'), String(seed));
    assert.deepEqual(await generate({ ...options, 'gen-seed': String(seed) }), [b]);
    assert.deepEqual(errors, []);
  });

  it('top-k 1 sampling gives the greedy text, at any temperature', async () => {
    const [greedy] = await generate({ len: '120' });
    assert.equal(await page.textContent('#generate-info'), '', 'no seed for greedy text');
    assert.deepEqual(await generate({ len: '120', sample: 'on', 'top-k': '1' }), [greedy]);
    assert.deepEqual(await generate({ len: '120', sample: 'on', 'top-k': '1', temperature: '2' }), [greedy]);
    assert.notDeepEqual(await generate({ len: '120', sample: 'on', temperature: '2' }), [greedy], 'sampling without top-k differs');
  });

  it('three samples show three texts, one after another, each labelled', async () => {
    const texts = await generate({ sample: 'on', samples: '3', len: '60' });
    assert.equal(texts.length, 3);
    for (const t of texts) assert.ok(t.startsWith('it has') && t.length === 66, JSON.stringify(t));
    assert.ok(new Set(texts).size > 1, 'independent samples');
    assert.deepEqual(await page.locator('#output .sample-label').allTextContents(), ['sample 1 of 3', 'sample 2 of 3', 'sample 3 of 3']);
    assert.match(await page.textContent('#generate-info') ?? '', /^seed (\d+) \(sample n uses \1 \+ n - 1\)$/);
    // beam search's best three, labelled as beams, best first
    const beams = await generate({ beam: '4', samples: '3', len: '30' });
    assert.equal(beams.length, 3);
    assert.deepEqual(await page.locator('#output .sample-label').allTextContents(), ['beam 1 of 3', 'beam 2 of 3', 'beam 3 of 3']);
    // one text: no label, #output is the text alone
    const [one] = await generate({});
    assert.equal(await page.locator('#output .sample-label').count(), 0);
    assert.equal(await page.textContent('#output'), one);
  });

  it('a stop string ends the text where it first occurs, but not before min new tokens', async () => {
    const [greedy] = await generate({ len: '100' });
    const made = greedy!.slice('it has'.length);
    const stop = made.slice(20, 24);
    const at = made.indexOf(stop) + stop.length;
    assert.deepEqual(await generate({ len: '100', 'stop-strings': `zzzz\n${stop}` }), ['it has' + made.slice(0, at)]);
    // min new tokens past the first occurrence: the next one ends it (or the length)
    const next = made.indexOf(stop, at + 5 - stop.length + 1);
    const later = await generate({ len: '100', 'stop-strings': stop, 'min-new': String(at + 5) });
    assert.deepEqual(later, ['it has' + (next < 0 ? made : made.slice(0, next + stop.length))]);
    // a stop text this model can never write is refused, in the page's words
    await set({ ...DEFAULTS, 'stop-strings': 'The' });
    await page.click('#generate');
    await page.waitForSelector('#output[data-done="error"]');
    assert.match(await page.textContent('#generate-error') ?? '', /^error: the stop text 'The' cannot occur in this model's output: it never writes 'T'/);
  });

  it('Stop ends a long generation: the text so far stays, and the page says it was stopped', async (t) => {
    await set({ ...DEFAULTS, len: '100000', sample: 'on' });
    await page.click('#generate');
    assert.equal(await page.isDisabled('#generate-stop'), false);
    await page.waitForFunction(() => (document.getElementById('output')?.textContent ?? '').length > 'it has'.length + 50, undefined, { timeout: 30000 });
    await page.click('#generate-stop');
    await page.waitForSelector('#output[data-done="stopped"]', { timeout: 30000 });
    const text = await page.textContent('#output') ?? '';
    assert.ok(text.startsWith('it has') && text.length > 56 && text.length < 100006, `${text.length} characters`);
    t.diagnostic(`stopped after ${text.length - 'it has'.length} of 100,000 tokens`);
    assert.match(await page.textContent('#generate-info') ?? '', /^stopped: the text so far \(one text\); seed \d+$/);
    assert.match(await page.textContent('#status') ?? '', /^generation stopped: the text so far/);
    assert.equal(await page.isDisabled('#generate-stop'), true);
    assert.equal(await page.getAttribute('#output', 'aria-busy'), null);
    await page.waitForTimeout(300);
    assert.equal(await page.textContent('#output'), text, 'nothing comes after Stop');
  });

  it('the probability view shows the 10 most likely next tokens as bars, and follows the prefix', async () => {
    /** The bars once they show this prefix: token, probability, and the text each row reads as. */
    const bars = async (prefix: string): Promise<{ token: string; p: number; text: string; width: string }[]> => {
      await page.waitForSelector(`#next-tokens[data-prefix="${prefix}"] li`);
      return page.locator('#next-tokens li').evaluateAll((lis) => lis.map((li) => ({
        token: (li as HTMLElement).dataset['token']!, p: Number((li as HTMLElement).dataset['p']), text: li.textContent ?? '',
        width: (li.querySelector('.bar > span') as HTMLElement).style.width,
      })));
    };
    const check = (rows: Awaited<ReturnType<typeof bars>>): void => {
      assert.equal(rows.length, 10);
      const sum = rows.reduce((s, r) => s + r.p, 0);
      assert.ok(sum > 0 && sum <= 1 + 1e-9, `the bars sum to ${sum}`);
      for (const [i, r] of rows.entries()) {
        if (i > 0) assert.ok(r.p <= rows[i - 1]!.p, 'most likely first');
        assert.match(r.text, /^"[^"]+"(?:space|new line|tab)? \d+\.\d%$/u); // a space: '"␣"', and "space" for a screen reader
        assert.ok(r.text.endsWith(` ${(100 * r.p).toFixed(1)}%`), r.text);
        assert.ok(r.width.endsWith('%') && Math.abs(parseFloat(r.width) - 100 * r.p) <= 0.05, `a bar ${r.width} wide for ${r.p}`);
      }
      const shown = rows.reduce((s, r) => s + Number(/([\d.]+)%$/.exec(r.text)![1]), 0);
      assert.ok(shown <= 100 + 0.05 * 10, `the percentages shown sum to ${shown}`);
    };
    await set({ prefix: 'it has' });
    check(await bars('it has'));
    await page.fill('#prefix', 'the tim');
    const tim = await bars('the tim');
    check(tim);
    assert.equal(tim[0]!.token, 'e', 'the model knows "the time"');
    await page.fill('#prefix', 'the time');
    const space = (await bars('the time')).find((r) => r.token === ' ');
    assert.ok(space, 'a space can follow "the time"');
    assert.match(space.text, /^"␣"space /, 'a space shows as ␣ (and is read as "space")');
    assert.equal(await page.textContent('#prefix-error'), '');
    // a prefix the model cannot read: said beside the prefix, no bars, no crash
    await page.fill('#prefix', '道可道');
    await page.waitForFunction(() => (document.getElementById('prefix-error')?.textContent ?? '') !== '');
    assert.equal(await page.textContent('#prefix-error'), "error: the prefix '道可道' has no character the model knows");
    assert.equal(await page.locator('#next-tokens li').count(), 0);
    await page.fill('#prefix', 'it has');
    check(await bars('it has'));
    assert.equal(await page.textContent('#prefix-error'), '');
    assert.deepEqual(errors, []);
  });

  it('refuses bad values beside Generate, in the page\'s words', async () => {
    const refused = async (values: Record<string, string>): Promise<string> => {
      await set({ ...DEFAULTS, ...values });
      await page.evaluate(() => (document.getElementById('generate-error')!.textContent = ''));
      await page.click('#generate');
      await page.waitForSelector('#output[data-done="error"]');
      await page.waitForFunction(() => (document.getElementById('generate-error')?.textContent ?? '') !== '');
      const message = await page.textContent('#generate-error') ?? '';
      assert.equal(await page.textContent('#status'), message, 'in the status line too');
      assert.doesNotMatch(message, /[a-z][A-Z]|--/, `no camelCase option name, no CLI flag: ${message}`);
      return message;
    };
    assert.equal(await refused({ sample: 'on', 'top-p': '1.5' }), 'error: "top-p" must be in (0, 1], got 1.5');
    assert.equal(await refused({ sample: 'on', 'top-k': '0' }), 'error: "top-k" must be a positive whole number, got 0');
    assert.equal(await refused({ 'min-new': '500' }), 'error: "min new tokens" must be a whole number from 0 to "max new tokens" (100), got 500');
    assert.equal(await refused({ samples: '3' }), 'error: greedy decoding gives one text: turn on "sample", or search at least as many beams ("beam") as "samples"');
    assert.equal(await refused({ beam: '2', samples: '3' }), 'error: "samples" (3) must be at most "beam" (2)');
    assert.equal(await refused({ 'repetition-penalty': '0' }), 'error: "repetition penalty" must be a positive number (1 = none), got 0');
    assert.equal(await refused({ sample: 'on', 'gen-seed': '1.5' }), 'error: seed must be a whole number from 0 to 4294967295 (empty: a random one), got 1.5');
    // the error goes once a generation succeeds
    await generate({ len: '10' });
    assert.equal(await page.textContent('#generate-error'), '');
  });

  it('turns sampling\'s controls off under beam search and without "sample"; every control has a label and a tooltip', async () => {
    const SAMPLING = ['temperature', 'top-k', 'top-p', 'gen-seed'];
    const disabled = (ids: string[]): Promise<boolean[]> => Promise.all(ids.map((id) => page.isDisabled(`#${id}`)));
    await set({ ...DEFAULTS });
    assert.deepEqual(await disabled(['sample', ...SAMPLING]), [false, true, true, true, true], 'greedy: nothing to sample');
    assert.match(await page.getAttribute('#top-k', 'title') ?? '', /check "sample"/);
    await set({ sample: 'on' });
    assert.deepEqual(await disabled(['sample', ...SAMPLING]), [false, false, false, false, false]);
    await set({ beam: '3' });
    assert.deepEqual(await disabled(['sample', ...SAMPLING]), [true, true, true, true, true], 'beam search does not sample');
    assert.match(await page.getAttribute('#gen-seed', 'title') ?? '', /off with beam search/);
    await set({ beam: '0' });
    assert.deepEqual(await disabled(['sample', ...SAMPLING]), [false, false, false, false, false]);
    const unnamed = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>('#generate-section :is(input, select, textarea, button)'))
      .filter((el) => {
        const labelled = (el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent?.trim());
        const tip = (el.closest('[title]') as HTMLElement | null)?.title;
        return !labelled || !tip;
      }).map((el) => el.id));
    assert.deepEqual(unnamed, [], 'controls without a label or a tooltip');
    await set({ sample: 'off' });
  });

  it('at 360 px: no horizontal scroll with "more options" open, three samples and the bars shown; axe-core finds no serious violation in the card', async () => {
    const log: string[] = [];
    const p = await openPage(browser, origin, log, { width: 360, height: 740 });
    await p.waitForSelector('#next-tokens li');
    await p.click('#more-options-summary');
    assert.equal(await p.evaluate(() => (document.getElementById('more-options') as HTMLDetailsElement).open), true);
    await generate({ sample: 'on', samples: '3', len: '150', 'stop-strings': ' the end\n the time' }, p);
    await generate({ sample: 'on', samples: '3', len: '150' }, p);
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await p.locator('#generate-section').screenshot({ path: join(ROOT, 'test-artifacts', 'generate-360.png') });
    await assertFitsWindow(p, '#generate-section, #generate-section *');
    await assertAccessible(p, 'the Generate card, more options open', '#generate-section');
    await p.close();
    assert.deepEqual(log, []);
  });
});
