// The ready-trained model that ships with the page (web/public/timemachine-gru.safetensors, built by
// scripts/build-page-model.mjs from the packaged Time Machine): fetched from the page's own origin after the first
// paint (it is not part of the first load's budget) and opened in the worker, so that a visitor can generate before
// training anything, with no network.
import type { Send } from './protocol.js';
import { afterFirstPaint } from './dom.js';

/** The name the worker's 'loaded' answer carries for the shipped model. */
export const SHIPPED_NAME = 'the ready-trained Time Machine model';

/** Where the site holds it (Vite copies web/public/ to the site's root). */
const SHIPPED_URL = './timemachine-gru.safetensors';



/**
 * Fetches the shipped model after the first paint and, once the worker's kernels are ready, sends it to be opened
 * (unless `wanted()` says the visitor has moved on: a run started, or a model opened). Resolves to true when it was
 * sent (the worker answers 'loaded', or 'error' of 'load'), else to the reason it was not.
 */
export async function openShippedModel(send: Send, kernelsReady: Promise<void>, wanted: () => boolean): Promise<true | string> {
  await afterFirstPaint();
  let bytes: ArrayBuffer;
  try {
    const res = await fetch(SHIPPED_URL);
    if (!res.ok) return `the page's copy answered HTTP ${res.status}`;
    bytes = await res.arrayBuffer();
  } catch (e) {
    return (e as Error).message;
  }
  await kernelsReady;
  if (!wanted()) return 'another model came first';
  send({ type: 'load', bytes, name: SHIPPED_NAME, source: 'shipped' }, [bytes]);
  return true;
}
