// The kernels' threads: one pool shared by every product of a call (intra-op parallelism, as PyTorch's and
// oneDNN's), so that threads share one model in memory: no replicas, no parameter copies, no gradient sums. A
// kernel splits its output (columns of a product, hidden units of a recurrence) into parts; each part is written
// by one thread, so every output element is computed by the same instructions in the same order whatever the
// number of threads: results are the same floats with 1 thread or 16.
//
// Compiled once, with the default target (threads.cc), outside the kernels' per-ISA namespaces: the variants call
// parallel_run and Barrier through these plain functions and instantiate nothing from the standard library.
//
// Waiting: a thread that waits (a worker for work, a kernel at a barrier, the caller for its workers) spins for a
// few microseconds, then sleeps on a condition variable, so threads that meet often (a recurrence meets once per
// step) meet at the cost of a cache line, and idle or oversubscribed threads give their core away.
#pragma once

namespace rnnlm {

/**
 * The threads a parallel region of the calling thread uses (1: kernels run on the calling thread alone). Set by
 * set_kernel_threads, per calling thread: a JavaScript worker that did not ask for threads keeps running alone.
 */
int kernel_threads();

/**
 * Asks for n threads for the calling thread's kernels (the calling thread and n - 1 workers), at most the cores
 * this process may run on (more would only take turns on the same cores); returns the count granted. Workers are
 * started on first need and kept; asking for fewer parks the rest.
 */
int set_kernel_threads(int n);

/** A part's place in its region: which part of how many, and the region's meeting point. */
struct Team {
  int part;
  int parts;
  void* barrier;  // (threads.cc's; null when parts is 1)
  /** Returns once every part of the region has called it (reusable: a recurrence meets once per step). */
  void sync() const;
};

/**
 * Runs fn(ctx, team) for team.part = 0 .. parts - 1, part 0 on the calling thread and the others on the pool's
 * workers, and returns when all have returned. When the pool cannot give that many (it is busy with another
 * JavaScript thread's call, or this is a region inside a region), fn runs once, on the calling thread, as the only
 * part (team.parts = 1): a kernel splits its work by team.parts, never by what it asked for. An exception thrown
 * in any part (std::bad_alloc from a buffer) is thrown again here, after every part has returned.
 */
void parallel_run(int parts, void (*fn)(void* ctx, const Team& team), void* ctx);

/** parallel_run for a callable: f(team) on every part. */
template <typename F> inline void parallel(int parts, F& f) {
  parallel_run(parts, [](void* c, const Team& team) { (*static_cast<F*>(c))(team); }, &f);
}

}  // namespace rnnlm
