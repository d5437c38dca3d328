// A team: the same kernel running on `parts` threads at once over one shared memory (the shared build of this module,
// kernels-shared.wasm, instantiated once per thread by src/backend/wasm-team.ts), each part doing its share. Kernels
// take (team, part, parts) last; with parts = 1 (the plain build, or a call too small to split) they run alone and the
// meetings below return at once.
//
// Shares are whole units (8 columns, 4 rows, panels of the batch), and every part computes its elements in the same
// order as one thread would, so a result is the same floats on any number of threads.
//
// The team's control block (TEAM_BYTES at `team`, laid out by src/backend/wasm-team.ts): i32 0 the meeting's
// arrivals, i32 1 its generation; the rest is the caller's (the job's sequence number, kernel and arguments).

/** Bytes of the control block. */
export const TEAM_BYTES: i32 = 256;

/** TEAM_BYTES, for src/backend/wasm-team.ts. */
export function teamBytes(): i32 {
  return TEAM_BYTES;
}

/** Polls of the generation before a part sleeps (a meeting is usually a few microseconds away: sleeping costs more). */
const SPINS: i32 = 4000;

/**
 * The parts' meeting: returns once all `parts` have arrived. The last to arrive resets the count, bumps the
 * generation and wakes the sleepers; the others poll the generation briefly, then sleep on it.
 */
export function teamSync(team: usize, parts: i32): void {
  if (parts <= 1) return;
  const gen = atomic.load<i32>(team, 4);
  if (atomic.add<i32>(team, 1) == parts - 1) {
    atomic.store<i32>(team, 0);
    atomic.store<i32>(team, gen + 1, 4);
    atomic.notify(team + 4, parts);
    return;
  }
  for (let i = 0; i < SPINS; i++) if (atomic.load<i32>(team, 4) != gen) return;
  while (atomic.load<i32>(team, 4) == gen) atomic.wait<i32>(team + 4, gen, -1);
}

/** The first of `units` whole units that part `part` of `parts` takes (its last is share(units, part + 1, parts) - 1). */
@inline export function share(units: i32, part: i32, parts: i32): i32 {
  return <i32>((<i64>units * part) / parts);
}
