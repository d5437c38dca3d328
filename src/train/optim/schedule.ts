// Learning-rate schedules, as a function of the epoch (1-based, as printed) and the optimizer step (1-based, counted
// over the whole run):
//   constant  lr
//   step      lr * gamma^floor((epoch - start) / every) after epoch `start`, lr until then: char-rnn's default
//             decay (0.97 per epoch after epoch 10) is --lr-schedule step --lr-gamma 0.97 --lr-every 1 --lr-start 10
//   cosine    lr * (1 + cos(pi * (epoch - 1) / epochs)) / 2 over the run's epochs (a run resumed with more epochs
//             follows another curve from there on; the others do not depend on the run's length)
// and a linear warmup over the first `warmup` optimizer steps (lr * step / warmup) on top of any of them.

export const LR_SCHEDULES = ['constant', 'step', 'cosine'] as const;
export type LrScheduleName = (typeof LR_SCHEDULES)[number];

export interface LrSchedule {
  schedule: LrScheduleName;
  lr: number;
  gamma: number; // step: the factor
  every: number; // step: epochs between decays
  start: number; // step: the last epoch at the full rate
  warmup: number; // optimizer steps of linear warmup (0: none)
  epochs: number; // cosine: the run's length
}

/** The learning rate for an optimizer step (1-based) in an epoch (1-based, as printed). */
export function lrAt(s: LrSchedule, epoch: number, step: number): number {
  let lr = s.lr;
  if (s.schedule === 'step' && epoch > s.start) lr *= s.gamma ** Math.floor((epoch - s.start) / s.every);
  else if (s.schedule === 'cosine') lr *= (1 + Math.cos((Math.PI * (epoch - 1)) / Math.max(1, s.epochs))) / 2;
  if (s.warmup > 0 && step < s.warmup) lr *= step / s.warmup;
  return lr;
}
