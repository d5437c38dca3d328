// The kernels' thread pool and barrier (threads.h).
#include "threads.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#ifdef __linux__
#include <sched.h>
#endif

namespace rnnlm {
namespace {

/** Spins of a waiting thread before it sleeps: a few microseconds (a pause is 10-140 cycles by CPU). */
constexpr int SPINS = 4000;

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/** Cores this process may run on (its affinity mask; cgroup quotas aside), at least 1. */
int usable_cores() {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

/** Spins until done() or SPINS tries; whether done() held. */
template <typename Done> bool spin_until(Done done) {
  for (int i = 0; i < SPINS; i++) {
    if (done()) return true;
    relax();
  }
  return done();
}

/** Thrown at a barrier whose region lost a part to an exception: the others leave instead of waiting forever. */
struct BarrierBroken : std::exception {
  const char* what() const noexcept override { return "a kernel thread failed"; }
};

/** The meeting point of a region's parts: spins, then sleeps (sense by phase: reusable at once). */
class Barrier {
 public:
  void reset(int parts) {
    parts_ = parts;
    arrived_.store(0, std::memory_order_relaxed);
    broken_.store(false, std::memory_order_relaxed);
  }

  /** A part failed: every wait, now and later in this region, throws BarrierBroken. */
  void brk() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      broken_.store(true, std::memory_order_release);
    }
    cv_.notify_all();
  }

  void wait() {
    if (parts_ <= 1) return;
    if (broken_.load(std::memory_order_acquire)) throw BarrierBroken();
    const uint32_t phase = phase_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == parts_) {
      arrived_.store(0, std::memory_order_relaxed);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        phase_.store(phase + 1, std::memory_order_release);
      }
      cv_.notify_all();
      return;
    }
    auto passed = [&] { return phase_.load(std::memory_order_acquire) != phase || broken_.load(std::memory_order_acquire); };
    if (!spin_until(passed)) {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, passed);
    }
    if (phase_.load(std::memory_order_acquire) == phase) throw BarrierBroken();
  }

 private:
  int parts_ = 1;
  std::atomic<int> arrived_{0};
  std::atomic<uint32_t> phase_{0};
  std::atomic<bool> broken_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
};

class Pool {
 public:
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  /** Workers started so far (kept; a region uses the first parts - 1). */
  int workers() const { return static_cast<int>(workers_.size()); }

  void grow(int n) {
    std::lock_guard<std::mutex> busy(busy_);
    // a new worker waits for the generation after the one current now: were it to read the generation when it
    // first runs, a region started before that (right after set_kernel_threads) would be missed, and the region
    // would wait for it forever
    const uint64_t now = generation_.load(std::memory_order_acquire);
    while (workers() < n) {
      const int id = workers() + 1;
      workers_.emplace_back([this, id, now] { work(id, now); });
    }
  }

  /** parallel_run's region, when the pool is free; false when it is busy (the caller runs the parts itself). */
  bool run(int parts, void (*fn)(void*, const Team&), void* ctx) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock() || parts - 1 > workers()) return false;
    fn_ = fn, ctx_ = ctx, parts_ = parts;
    barrier_.reset(parts);
    failed_ = nullptr;
    remaining_.store(parts - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    std::exception_ptr mine;
    try {
      fn(ctx, Team{0, parts, &barrier_});
    } catch (...) {
      mine = std::current_exception();
      barrier_.brk();
    }
    auto all_done = [this] { return remaining_.load(std::memory_order_acquire) == 0; };
    if (!spin_until(all_done)) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, all_done);
    }
    // the first real failure: a part's own exception before the BarrierBroken it caused in the others
    if (failed_) std::rethrow_exception(failed_);
    if (mine) std::rethrow_exception(mine);
    return true;
  }

 private:
  void work(int id, uint64_t seen) {
    for (;;) {
      auto fresh = [&] { return generation_.load(std::memory_order_acquire) != seen; };
      if (!spin_until(fresh)) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, fresh);
      }
      seen = generation_.load(std::memory_order_acquire);
      if (stop_) return;
      if (id >= parts_) continue;  // not in this region (it uses fewer threads than were started)
      try {
        fn_(ctx_, Team{id, parts_, &barrier_});
      } catch (const BarrierBroken&) {
        // another part failed first: its exception is the one to report
      } catch (...) {
        {
          std::lock_guard<std::mutex> lock(mutex_);
          if (!failed_) failed_ = std::current_exception();
        }
        barrier_.brk();
      }
      if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_all();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex busy_;   // held by the region running (and while workers are started)
  std::mutex mutex_;  // guards sleeping and waking
  std::condition_variable wake_, done_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> remaining_{0};
  Barrier barrier_;
  void (*fn_)(void*, const Team&) = nullptr;
  void* ctx_ = nullptr;
  int parts_ = 0;
  bool stop_ = false;
  std::exception_ptr failed_;
};

Pool& pool() {
  static Pool p;
  return p;
}

thread_local int wanted = 1;
thread_local bool inside = false;  // a region of this thread is running: a region inside it runs alone

}  // namespace

int kernel_threads() { return inside ? 1 : wanted; }

int set_kernel_threads(int n) {
  const int cores = usable_cores();
  wanted = n < 1 ? 1 : n > cores ? cores : n;
  if (wanted > 1) pool().grow(wanted - 1);
  return wanted;
}

void Team::sync() const {
  if (parts > 1) static_cast<Barrier*>(barrier)->wait();
}

void parallel_run(int parts, void (*fn)(void*, const Team&), void* ctx) {
  struct Inside {
    Inside() { inside = true; }
    ~Inside() { inside = false; }
  };
  if (parts > 1 && !inside) {
    Inside guard;
    if (pool().run(parts, fn, ctx)) return;
  }
  Inside guard;
  fn(ctx, Team{0, 1, nullptr});
}

}  // namespace rnnlm
