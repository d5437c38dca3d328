// The machine's peak floating-point rate, measured now: the native kernels' FMA probe (independent chains of the
// widest fused multiply-add the machine has, so nothing but the vector units limits it) on one thread per core at
// once. The benchmark runs it beside each measurement, because this machine's speed changes from hour to hour.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface Peak {
  gflops: number; // all cores together; NaN when it could not be measured
  detail: string; // what ran, or why nothing did
}

// Each worker loads the native kernels and reports the probe's GFLOP/s for its core.
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
const addon = require(workerData.addon);
parentPort.postMessage(addon.fmaProbe(workerData.ms));
`;

/** Runs the probe for about ms milliseconds on every core at once; sums their rates. */
export async function measurePeak(ms = 400): Promise<Peak> {
  const { loadNativeBackend, nativeAddonPath } = await import('../native.js');
  const native = await loadNativeBackend();
  if (typeof native === 'string') return { gflops: NaN, detail: `not measured: ${native}` };
  const cores = availableParallelism();
  const rates = await Promise.all(Array.from({ length: cores }, () => new Promise<number>((resolve, reject) => {
    const w = new Worker(PROBE, { eval: true, workerData: { addon: nativeAddonPath(), ms } });
    w.once('message', (r: number) => {
      resolve(r);
      void w.terminate();
    });
    w.once('error', reject);
  })));
  return { gflops: rates.reduce((a, b) => a + b, 0), detail: `${native.isa} FMA, ${cores} core(s)` };
}
