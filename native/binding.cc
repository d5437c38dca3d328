// N-API binding of the native kernels: typed arrays are passed by pointer (no copies). Every call checks its
// arguments before a kernel runs, so that a wrong call throws instead of reading or writing out of bounds:
// a wrong type throws a TypeError; a negative size, an unknown cell, an array shorter than the sizes say
// (hs must hold T*B*H floats, xw T*B*G*H, ...) or an index outside its table throws a RangeError naming the
// argument. Arrays may be longer than needed (the kernels use their first elements).
// Besides the kernels: isa() names the variant running (kernels.h), contracts() states contracts.h for
// test/backend/contracts.test.ts, fmaProbe(ms) measures this core's peak rate for the benchmark, and largeBuffer(bytes)
// gives the memory large arrays live on.
#include <node_api.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "contracts.h"
#include "kernels.h"
#include "threads.h"

namespace {

class Call {
 public:
  Call(napi_env env, napi_callback_info info, const char* kernel) : env_(env), kernel_(kernel) {
    napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr);
  }

  bool ok() const { return ok_; }
  const char* kernel() const { return kernel_; }

  /** A non-negative int32 size. */
  int size(size_t i, const char* name) {
    const int v = integer(i, name);
    if (ok_ && v < 0) range("%s: %s = %d is negative", kernel_, name, v);
    return v;
  }

  int integer(size_t i, const char* name) {
    int32_t v = 0;
    if (ok_ && (i >= argc_ || napi_get_value_int32(env_, argv_[i], &v) != napi_ok)) type("%s: %s must be a number", kernel_, name);
    return v;
  }

  double number(size_t i, const char* name) {
    double v = 0;
    if (ok_ && (i >= argc_ || napi_get_value_double(env_, argv_[i], &v) != napi_ok)) type("%s: %s must be a number", kernel_, name);
    return v;
  }

  /** A Float32Array of at least `need` floats (need as the formula says); null when nullable and null is given. */
  float* f32(size_t i, const char* name, double need, const char* formula, bool nullable = false, size_t* length = nullptr) {
    return static_cast<float*>(array(i, napi_float32_array, name, need, formula, nullable, length));
  }

  /** An Int32Array of at least `need` values; its length in *length. */
  int32_t* i32(size_t i, const char* name, double need, const char* formula, size_t* length = nullptr) {
    return static_cast<int32_t*>(array(i, napi_int32_array, name, need, formula, false, length));
  }

  /** Every value of indices[0..n) in [0, below), else a RangeError. */
  void indices_below(const int32_t* indices, int n, double below, const char* name, const char* bound) {
    if (!ok_) return;
    for (int i = 0; i < n; i++) {
      if (indices[i] < 0 || indices[i] >= below) {
        range("%s: %s[%d] = %d is outside [0, %s = %.0f)", kernel_, name, i, indices[i], bound, below);
        return;
      }
    }
  }

  template <typename... A> void range(const char* format, A... args) { fail(false, format, args...); }
  template <typename... A> void type(const char* format, A... args) { fail(true, format, args...); }

 private:
  void* array(size_t i, napi_typedarray_type want, const char* name, double need, const char* formula, bool nullable,
              size_t* length_out) {
    if (!ok_) return nullptr;
    const char* kind = want == napi_float32_array ? "a Float32Array" : "an Int32Array";
    napi_valuetype vt = napi_undefined;
    if (i < argc_) napi_typeof(env_, argv_[i], &vt);
    if (nullable && vt == napi_null) return nullptr;
    bool is = false;
    if (i < argc_) napi_is_typedarray(env_, argv_[i], &is);
    napi_typedarray_type type_ = napi_int8_array;
    size_t length = 0;
    void* data = nullptr;
    if (is) napi_get_typedarray_info(env_, argv_[i], &type_, &length, &data, nullptr, nullptr);
    if (!is || type_ != want) {
      type("%s: %s must be %s%s", kernel_, name, kind, nullable ? " or null" : "");
      return nullptr;
    }
    if ((double)length < need) {
      range("%s: %s holds %zu elements; it must hold %s = %.0f", kernel_, name, length, formula, need);
      return nullptr;
    }
    if (length_out) *length_out = length;
    return data;
  }

  template <typename... A> void fail(bool is_type, const char* format, A... args) {
    if (!ok_) return;
    ok_ = false;
    char message[256];
    std::snprintf(message, sizeof message, format, args...);
    if (is_type) napi_throw_type_error(env_, nullptr, message);
    else napi_throw_range_error(env_, nullptr, message);
  }

  napi_env env_;
  const char* kernel_;
  napi_value argv_[16];
  size_t argc_ = 16;
  bool ok_ = true;
};

/** Runs a kernel, turning an allocation failure into a JavaScript error. */
template <typename F> bool run(napi_env env, F f) {
  try {
    f();
    return true;
  } catch (const std::bad_alloc&) {
    napi_throw_error(env, nullptr, "rnnlm native kernels: out of memory");
    return false;
  } catch (const std::exception& e) {
    char message[256];
    std::snprintf(message, sizeof message, "rnnlm native kernels: %s", e.what());
    napi_throw_error(env, nullptr, message);
    return false;
  }
}

napi_value Gemm(napi_env env, napi_callback_info info) {
  Call c(env, info, "gemm");
  const int n = c.size(3, "n"), k = c.size(4, "k"), m = c.size(5, "m"), sai = c.size(6, "sai"), sap = c.size(7, "sap");
  const int sbp = c.size(8, "sbp"), sbj = c.size(9, "sbj");
  float* out = c.f32(0, "out", (double)n * m, "n*m");
  const double span = n > 0 && k > 0 ? (double)(n - 1) * sai + (double)(k - 1) * sap + 1 : 0;
  const float* a = c.f32(1, "a", span, "(n-1)*sai + (k-1)*sap + 1");
  const double bspan = k > 0 && m > 0 ? (double)(k - 1) * sbp + (double)(m - 1) * sbj + 1 : 0;
  const float* b = c.f32(2, "b", bspan, "(k-1)*sbp + (m-1)*sbj + 1");
  if (c.ok()) run(env, [&] { rnnlm::kernels().gemm(out, a, b, n, k, m, sai, sap, sbp, sbj); });
  return nullptr;
}

// transpose(out, a, rows, cols): out (cols,rows) = a^T; both hold rows*cols floats at least.
napi_value Transpose(napi_env env, napi_callback_info info) {
  Call c(env, info, "transpose");
  const int rows = c.size(2, "rows"), cols = c.size(3, "cols");
  float* out = c.f32(0, "out", (double)rows * cols, "rows*cols");
  const float* a = c.f32(1, "a", (double)rows * cols, "rows*cols");
  if (c.ok()) run(env, [&] { rnnlm::kernels().transpose(out, a, rows, cols); });
  return nullptr;
}

// gatherRows(out, table, indices, N, W) and scatterAddRows(dtable, g, indices, N, W): the table's rows are
// its length / W, and every index must name one.
napi_value GatherRows(napi_env env, napi_callback_info info) {
  Call c(env, info, "gatherRows");
  const int N = c.size(3, "N"), W = c.size(4, "W");
  float* out = c.f32(0, "out", (double)N * W, "N*W");
  size_t length = 0;
  const float* table = c.f32(1, "table", 0, "0", false, &length);
  const int32_t* indices = c.i32(2, "indices", N, "N");
  if (W > 0) c.indices_below(indices, N, (double)(length / W), "indices", "table rows");
  if (c.ok()) run(env, [&] { rnnlm::kernels().gather_rows(out, table, indices, N, W); });
  return nullptr;
}

napi_value ScatterAddRows(napi_env env, napi_callback_info info) {
  Call c(env, info, "scatterAddRows");
  const int N = c.size(3, "N"), W = c.size(4, "W");
  size_t length = 0;
  float* dtable = c.f32(0, "dtable", 0, "0", false, &length);
  const float* g = c.f32(1, "g", (double)N * W, "N*W");
  const int32_t* indices = c.i32(2, "indices", N, "N");
  if (W > 0) c.indices_below(indices, N, (double)(length / W), "indices", "dtable rows");
  if (c.ok()) run(env, [&] { rnnlm::kernels().scatter_add_rows(dtable, g, indices, N, W); });
  return nullptr;
}

/** The sizes of a recurrence call: B, T, H and the cell, checked; G, S and the lengths they imply. */
struct Recurrence {
  int B, T, H, cell;
  double TBH, TBGH, TBSH, HGH, GH, BH, C;  // C: floats of c0 and dc0 (B*H for the LSTM, else 0)
  Recurrence(Call& c, size_t first) {
    B = c.size(first, "B"), T = c.size(first + 1, "T"), H = c.size(first + 2, "H"), cell = c.integer(first + 3, "cell");
    if (c.ok() && (cell < 0 || cell >= rnnlm::CELL_COUNT)) c.range("%s: cell = %d is not a cell id (0 to %d)", c.kernel(), cell, rnnlm::CELL_COUNT - 1);
    const int G = c.ok() ? rnnlm::GATES[cell] : 0, S = c.ok() ? rnnlm::SAVED_BLOCKS[cell] : 0;
    BH = (double)B * H, TBH = T * BH, TBGH = TBH * G, TBSH = TBH * S, GH = (double)G * H, HGH = H * GH;
    C = c.ok() && cell == rnnlm::LSTM ? BH : 0;
  }
};

// recurrenceForward(hs, saved, xw, wh, bh, h0, c0, B, T, H, cell)
napi_value RecurrenceForward(napi_env env, napi_callback_info info) {
  Call c(env, info, "recurrenceForward");
  const Recurrence r(c, 7);
  float* hs = c.f32(0, "hs", r.TBH, "T*B*H");
  float* saved = c.f32(1, "saved", r.TBSH, "T*B*S*H");
  const float* xw = c.f32(2, "xw", r.TBGH, "T*B*G*H");
  const float* wh = c.f32(3, "wh", r.HGH, "H*G*H");
  const float* bh = c.f32(4, "bh", r.GH, "G*H");
  const float* h0 = c.f32(5, "h0", r.BH, "B*H");
  const float* c0 = c.f32(6, "c0", r.C, "B*H (LSTM)");
  if (c.ok()) run(env, [&] { rnnlm::kernels().recurrence_forward(hs, saved, xw, wh, bh, h0, c0, r.B, r.T, r.H, r.cell); });
  return nullptr;
}

// recurrenceBackward(dxw, dwh, dbh, dh0, dc0, dhs, hs, saved, h0, c0, wh, B, T, H, cell)
napi_value RecurrenceBackward(napi_env env, napi_callback_info info) {
  Call c(env, info, "recurrenceBackward");
  const Recurrence r(c, 11);
  float* dxw = c.f32(0, "dxw", r.TBGH, "T*B*G*H");
  float* dwh = c.f32(1, "dwh", r.HGH, "H*G*H");
  float* dbh = c.f32(2, "dbh", r.GH, "G*H");
  float* dh0 = c.f32(3, "dh0", r.BH, "B*H");
  float* dc0 = c.f32(4, "dc0", r.C, "B*H (LSTM)");
  const float* dhs = c.f32(5, "dhs", r.TBH, "T*B*H");
  const float* hs = c.f32(6, "hs", r.TBH, "T*B*H");
  const float* saved = c.f32(7, "saved", r.TBSH, "T*B*S*H");
  const float* h0 = c.f32(8, "h0", r.BH, "B*H");
  const float* c0 = c.f32(9, "c0", r.C, "B*H (LSTM)");
  const float* wh = c.f32(10, "wh", r.HGH, "H*G*H");
  if (c.ok())
    run(env, [&] { rnnlm::kernels().recurrence_backward(dxw, dwh, dbh, dh0, dc0, dhs, hs, saved, h0, c0, wh, r.B, r.T, r.H, r.cell); });
  return nullptr;
}

// linearCrossEntropy(hs, whq, bq, labels, N, H, V, dhs, dwhq, dbq, gradScale): the loss; gradients when dhs, dwhq
// and dbq are all arrays (any null: the loss only)
napi_value LinearCrossEntropy(napi_env env, napi_callback_info info) {
  Call c(env, info, "linearCrossEntropy");
  const int N = c.size(4, "N"), H = c.size(5, "H"), V = c.size(6, "V");
  if (c.ok() && N > 0 && V < 1) c.range("linearCrossEntropy: V = 0 with %d rows", N);
  const float* hs = c.f32(0, "hs", (double)N * H, "N*H");
  const float* whq = c.f32(1, "whq", (double)H * V, "H*V");
  const float* bq = c.f32(2, "bq", V, "V");
  const int32_t* labels = c.i32(3, "labels", N, "N");
  float* dhs = c.f32(7, "dhs", (double)N * H, "N*H", true);
  float* dwhq = c.f32(8, "dwhq", (double)H * V, "H*V", true);
  float* dbq = c.f32(9, "dbq", V, "V", true);
  const float scale = static_cast<float>(c.number(10, "gradScale"));
  c.indices_below(labels, N, V, "labels", "V");
  if (!c.ok()) return nullptr;
  if (!(dhs && dwhq && dbq)) dhs = dwhq = dbq = nullptr;
  double loss = 0;
  if (!run(env, [&] { loss = rnnlm::kernels().linear_cross_entropy(hs, whq, bq, labels, N, H, V, dhs, dwhq, dbq, scale); })) return nullptr;
  napi_value result;
  napi_create_double(env, loss, &result);
  return result;
}

// expArray(out, x, n), tanhArray(out, x, n)
template <int Which>
napi_value Unary(napi_env env, napi_callback_info info) {
  Call c(env, info, Which == 0 ? "expArray" : "tanhArray");
  const int n = c.size(2, "n");
  float* out = c.f32(0, "out", n, "n");
  const float* x = c.f32(1, "x", n, "n");
  if (c.ok()) (Which == 0 ? rnnlm::kernels().exp_array : rnnlm::kernels().tanh_array)(out, x, n);
  return nullptr;
}

/**
 * fmaProbe(ms): this core's peak GFLOP/s with the chosen variant's fused multiply-add, measured by running the probe
 * for about ms milliseconds (src/bench/peak.ts runs it on every core at once).
 */
napi_value FmaProbe(napi_env env, napi_callback_info info) {
  Call c(env, info, "fmaProbe");
  const double ms = c.number(0, "ms");
  if (!c.ok()) return nullptr;
  const rnnlm::Kernels& k = rnnlm::kernels();
  typedef std::chrono::steady_clock clock;
  const auto start = clock::now();
  double seconds = 0, operations = 0;
  volatile float sink = 0;
  long n = 1 << 12;
  do {
    sink = sink + k.fma_loop(n);
    operations += (double)n * k.probe_flops;
    seconds = std::chrono::duration<double>(clock::now() - start).count();
    if (n < (1L << 22)) n *= 2;
  } while (seconds * 1e3 < ms);
  napi_value result;
  napi_create_double(env, operations / seconds / 1e9, &result);
  return result;
}


/**
 * largeBuffer(bytes): a zeroed ArrayBuffer on memory of its own, on which the kernel is asked for transparent huge
 * pages (where THP runs in its "madvise" mode, as on many distributions, it grants them only on request). A large
 * array then faults in 2 MB at a time instead of 4 KB, and the products that walk it miss the TLB far less: measured
 * by bench/kernels.mjs, X^T dXW at batch 1024 x 32, H 256 went from 136 to 160-173 GFLOP/s on one core. The mapping
 * starts on a 2 MB boundary and is rounded up to whole 2 MB pages (callers ask for large arrays only); it is unmapped
 * when the ArrayBuffer is collected. At most 2^32 bytes (Node 20's largest ArrayBuffer from outside memory). Where
 * there is no mmap, or a runtime refuses outside memory (Electron), an ordinary ArrayBuffer.
 */
napi_value LargeBuffer(napi_env env, napi_callback_info info) {
  Call c(env, info, "largeBuffer");
  const double bytes = c.number(0, "bytes");
  if (!c.ok()) return nullptr;
  if (!(bytes >= 1 && bytes <= 4294967296.0 && bytes == double(size_t(bytes)))) {
    napi_throw_range_error(env, nullptr, "largeBuffer: bytes must be a whole number from 1 to 2^32");
    return nullptr;
  }
  napi_value result;
#if defined(__linux__)
  const size_t page = size_t(2) << 20;
  const size_t mapped = (size_t(bytes) + page - 1) / page * page;
  // map a page more than needed and trim both ends, so that the mapping starts on a huge page's boundary (kernels
  // before 6.7 do not align anonymous mappings, and a 4 MB array could then hold one whole huge page at most)
  char* raw = static_cast<char*>(mmap(nullptr, mapped + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (raw == MAP_FAILED) {
    napi_throw_range_error(env, nullptr, "largeBuffer: out of memory");
    return nullptr;
  }
  char* p = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(raw) + page - 1) & ~(uintptr_t)(page - 1));
  if (p > raw) munmap(raw, size_t(p - raw));
  if (raw + page > p) munmap(p + mapped, size_t(raw + page - p));
#ifdef MADV_HUGEPAGE
  madvise(p, mapped, MADV_HUGEPAGE);  // a request; where THP is off the pages are ordinary ones
#endif
  const auto unmap = [](napi_env env, void* data, void* hint) {
    const size_t n = reinterpret_cast<size_t>(hint);
    munmap(data, n);
    int64_t now;
    napi_adjust_external_memory(env, -int64_t(n), &now);
  };
  // (bytes <= 2^32: Node never refuses this length, which is the one failure after which it calls unmap itself)
  const napi_status status = napi_create_external_arraybuffer(env, p, size_t(bytes), unmap, reinterpret_cast<void*>(mapped), &result);
  if (status == napi_ok) {
    int64_t now;
    napi_adjust_external_memory(env, int64_t(mapped), &now);  // so that the garbage collector counts it
    return result;
  }
  munmap(p, mapped);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return nullptr;
#endif
  void* data;
  if (napi_create_arraybuffer(env, size_t(bytes), &data, &result) != napi_ok) return nullptr;  // its exception is pending
  return result;
}

/** The variant of the kernels that runs on this CPU: 'avx512', 'avx2', 'sse2' or 'generic'. */
/**
 * setThreads(n): the calling JavaScript thread's kernels split their large products over n threads (threads.h),
 * at most the cores this process may run on; returns the count granted.
 */
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Call c(env, info, "setThreads");
  const int n = c.integer(0, "n");
  if (c.ok() && n < 1) c.range("setThreads: n = %d is below 1", n);
  if (!c.ok()) return nullptr;
  int granted = 1;
  if (!run(env, [&] { granted = rnnlm::set_kernel_threads(n); })) return nullptr;
  napi_value result;
  napi_create_int32(env, granted, &result);
  return result;
}

/**
 * threadMeeting(rounds, meet): what sharing a kernel costs, in nanoseconds per round, on the calling thread's kernel
 * threads (setThreads). meet = 1: one region whose parts meet `rounds` times (a recurrence's meeting per step);
 * meet = 0: `rounds` regions that do nothing (a split product's start and end). For bench/threads.mjs.
 */
napi_value ThreadMeeting(napi_env env, napi_callback_info info) {
  Call c(env, info, "threadMeeting");
  const int rounds = c.integer(0, "rounds");
  const int meet = c.integer(1, "meet");
  if (c.ok() && rounds < 1) c.range("threadMeeting: rounds = %d is below 1", rounds);
  if (!c.ok()) return nullptr;
  typedef std::chrono::steady_clock clock;
  double seconds = 0;
  const bool ran = run(env, [&] {
    const int parts = rnnlm::kernel_threads();
    const auto start = clock::now();
    if (meet) {
      auto f = [&](const rnnlm::Team& team) { for (int r = 0; r < rounds; r++) team.sync(); };
      rnnlm::parallel(parts, f);
    } else {
      auto f = [](const rnnlm::Team&) {};
      for (int r = 0; r < rounds; r++) rnnlm::parallel(parts, f);
    }
    seconds = std::chrono::duration<double>(clock::now() - start).count();
  });
  if (!ran) return nullptr;
  napi_value result;
  napi_create_double(env, seconds / rounds * 1e9, &result);
  return result;
}

napi_value Isa(napi_env env, napi_callback_info) {
  napi_value s;
  napi_create_string_utf8(env, rnnlm::kernels().isa, NAPI_AUTO_LENGTH, &s);
  return s;
}

napi_value IntArray(napi_env env, const int* values, int n) {
  napi_value array;
  napi_create_array_with_length(env, n, &array);
  for (int i = 0; i < n; i++) {
    napi_value v;
    napi_create_int32(env, values[i], &v);
    napi_set_element(env, array, i, v);
  }
  return array;
}

/** The kernel contracts of contracts.h: {gates, savedBlocks, logitBlockRows}, as src/backend/cells.ts states them. */
napi_value Contracts(napi_env env, napi_callback_info) {
  napi_value result, rows;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "gates", IntArray(env, rnnlm::GATES, rnnlm::CELL_COUNT));
  napi_set_named_property(env, result, "savedBlocks", IntArray(env, rnnlm::SAVED_BLOCKS, rnnlm::CELL_COUNT));
  napi_create_int32(env, rnnlm::LOGIT_BLOCK_ROWS, &rows);
  napi_set_named_property(env, result, "logitBlockRows", rows);
  return result;
}

}  // namespace

NAPI_MODULE_INIT() {
  const napi_property_descriptor props[] = {
      {"isa", nullptr, Isa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"contracts", nullptr, Contracts, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, Transpose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gatherRows", nullptr, GatherRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scatterAddRows", nullptr, ScatterAddRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"recurrenceForward", nullptr, RecurrenceForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"recurrenceBackward", nullptr, RecurrenceBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"linearCrossEntropy", nullptr, LinearCrossEntropy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"expArray", nullptr, Unary<0>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tanhArray", nullptr, Unary<1>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threadMeeting", nullptr, ThreadMeeting, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"largeBuffer", nullptr, LargeBuffer, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fmaProbe", nullptr, FmaProbe, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
