// Kernel threads for the WebAssembly backend: the shared build of the kernels (kernels-shared.wasm, asm/team.ts)
// instantiated once per thread over one shared WebAssembly.Memory, so one model's arrays are in memory once and every
// thread works on them. The calling thread posts a job (the kernel and its arguments) into the team's control block,
// wakes the helpers, runs part 0 itself and waits for the rest; the parts meet inside a kernel where they must
// (asm/team.ts). Helpers are Web Workers in a page and worker_threads in Node (src/node/wasm-team.ts): this file is
// the protocol both share, with no environment of its own.
//
// Control block (asm/team.ts's TEAM_BYTES at `ctrl`, just above the module's static data), as int32 slots:
//   0 the meeting's arrivals, 1 its generation (asm/team.ts); 2 the job's sequence number; 3 helpers done with it;
//   4 the kernel (an index into TEAM_KERNELS, -1: leave); 5 a helper failed; 6 the parts the job is split into (the
//   helpers past them answer at once); float64 arguments from byte 64.

/** The kernels a team runs, by their index in the control block. */
export const TEAM_KERNELS = ['gemmPart', 'recurrenceForward', 'recurrenceBackward', 'linearCrossEntropy'] as const;
export type TeamKernel = (typeof TEAM_KERNELS)[number];

const SEQ = 2;
const DONE = 3;
const KERNEL = 4;
const FAILED = 5;
const PARTS = 6;
const ARGS_BYTE = 64;
const MAX_ARGS = 24; // (TEAM_BYTES - 64) / 8

/** Polls before a waiting thread sleeps: a helper's part usually ends within microseconds of the caller's. */
const SPINS = 2000;

/** What a helper needs to join a team: the shared build's bytes, the memory, the control block and its part. */
export interface TeamJoin {
  type: 'team';
  wasm: Uint8Array<ArrayBuffer>;
  memory: WebAssembly.Memory;
  ctrl: number;
  part: number;
}

/** A started helper, as the environment knows it (a Web Worker, a worker thread). */
export interface TeamHelper {
  terminate(): unknown;
}

/** Starts a helper thread that calls joinTeam with `join` and answers once it is ready. */
export type SpawnHelper = (join: TeamJoin) => Promise<TeamHelper>;

type Kernel = (...args: number[]) => number;

/** The shared build's memory: as the module declares it (2 pages at first, at most 4 GiB), shared. */
export function sharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 2, maximum: 65536, shared: true });
}

/** The shared build instantiated over `memory`. */
export async function instantiateShared(wasm: BufferSource, memory: WebAssembly.Memory): Promise<WebAssembly.Exports> {
  const { instance } = await WebAssembly.instantiate(wasm, { env: { memory } });
  return instance.exports;
}

/** The control block's address: the first 16-byte boundary past the module's static data. */
export function controlBlock(exports: WebAssembly.Exports): number {
  return ((exports['heapBase'] as () => number)() + 15) & ~15;
}

/**
 * A helper's life (called in the helper thread, which it then holds): runs its part of every job until told to
 * leave. It polls the sequence number briefly, then sleeps on it; a kernel that throws marks the job failed.
 */
export function serveTeam(exports: WebAssembly.Exports, memory: WebAssembly.Memory, ctrl: number, part: number): void {
  const slots = new Int32Array(memory.buffer, ctrl, ARGS_BYTE / 4);
  const args = new Float64Array(memory.buffer, ctrl + ARGS_BYTE, MAX_ARGS);
  const kernels = TEAM_KERNELS.map((name) => exports[name] as Kernel);
  let seen = Atomics.load(slots, SEQ);
  for (;;) {
    let seq = Atomics.load(slots, SEQ);
    for (let i = 0; i < SPINS && seq === seen; i++) seq = Atomics.load(slots, SEQ);
    while (seq === seen) {
      Atomics.wait(slots, SEQ, seen);
      seq = Atomics.load(slots, SEQ);
    }
    seen = seq;
    const kernel = Atomics.load(slots, KERNEL);
    if (kernel < 0) return;
    const parts = Atomics.load(slots, PARTS);
    try {
      const f = kernels[kernel]!;
      if (part < parts) f(...Array.from(args.subarray(0, kernelArity(f))), ctrl, part, parts);
    } catch {
      Atomics.store(slots, FAILED, 1);
    }
    Atomics.add(slots, DONE, 1);
    Atomics.notify(slots, DONE);
  }
}

/** A kernel's arguments before (team, part, parts). */
const kernelArity = (f: Kernel): number => f.length - 3;

/** The calling thread's side of a team of `parts` threads (itself and parts - 1 helpers). */
export class WasmTeam {
  private readonly slots: Int32Array;
  private readonly args: Float64Array;
  private closed = false;

  constructor(private readonly exports: WebAssembly.Exports, memory: WebAssembly.Memory, readonly ctrl: number, readonly parts: number,
    private readonly helpers: readonly TeamHelper[]) {
    this.slots = new Int32Array(memory.buffer, ctrl, ARGS_BYTE / 4);
    this.args = new Float64Array(memory.buffer, ctrl + ARGS_BYTE, MAX_ARGS);
  }

  /**
   * Runs `kernel` with `args` (its arguments before team, part, parts) on the first `parts` threads of the team and
   * returns part 0's result. Helpers past `parts` take no share.
   */
  run(kernel: TeamKernel, args: readonly number[], parts = this.parts): number {
    const f = this.exports[kernel] as Kernel;
    parts = Math.min(parts, this.parts);
    if (parts <= 1) return f(...args, this.ctrl, 0, 1);
    if (this.closed) throw new Error('the kernel threads were stopped');
    if (args.length > MAX_ARGS) throw new Error(`${kernel}: ${args.length} arguments, the team passes at most ${MAX_ARGS}`);
    const { slots } = this;
    this.args.set(args);
    Atomics.store(slots, KERNEL, TEAM_KERNELS.indexOf(kernel));
    Atomics.store(slots, DONE, 0);
    Atomics.store(slots, FAILED, 0);
    Atomics.store(slots, PARTS, parts);
    Atomics.add(slots, SEQ, 1);
    Atomics.notify(slots, SEQ);
    let result: number;
    try {
      result = f(...args, this.ctrl, 0, parts);
    } catch (e) {
      this.close(); // the helpers may wait at a meeting part 0 never reaches: the team cannot go on
      throw e;
    }
    // every helper answers each job (those past `parts` at once), so that none is still reading this job's arguments
    const helpers = this.parts - 1;
    for (let i = 0, done = Atomics.load(slots, DONE); done < helpers; done = Atomics.load(slots, DONE)) {
      if (++i > SPINS) Atomics.wait(slots, DONE, done);
    }
    if (Atomics.load(slots, FAILED)) throw new Error(`${kernel} failed on a kernel thread`);
    return result;
  }

  /** Tells the helpers to leave and stops them. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.slots, KERNEL, -1);
    Atomics.add(this.slots, SEQ, 1);
    Atomics.notify(this.slots, SEQ);
    for (const h of this.helpers) h.terminate();
  }
}
