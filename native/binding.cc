// N-API binding of the native kernels: typed arrays are passed by pointer (no copies). Argument checking is
// done in TypeScript (src/backend/native.ts and the ops); here a wrong type throws a TypeError.
#include <node_api.h>

#include "kernels.h"

namespace {

struct Args {
  napi_env env;
  napi_value argv[16];
  size_t argc = 16;
  bool ok = true;

  Args(napi_env e, napi_callback_info info) : env(e) { napi_get_cb_info(e, info, &argc, argv, nullptr, nullptr); }

  void* array(size_t i, napi_typedarray_type want, bool nullable = false) {
    if (!ok || i >= argc) return fail("missing argument");
    napi_valuetype vt;
    napi_typeof(env, argv[i], &vt);
    if (nullable && vt == napi_null) return nullptr;
    bool is = false;
    napi_is_typedarray(env, argv[i], &is);
    if (!is) return fail("expected a typed array");
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_get_typedarray_info(env, argv[i], &type, &length, &data, nullptr, nullptr);
    if (type != want) return fail(want == napi_float32_array ? "expected a Float32Array" : "expected an Int32Array");
    return data;
  }
  float* f32(size_t i, bool nullable = false) { return static_cast<float*>(array(i, napi_float32_array, nullable)); }
  int32_t* i32(size_t i) { return static_cast<int32_t*>(array(i, napi_int32_array)); }
  int integer(size_t i) {
    int32_t v = 0;
    if (ok && napi_get_value_int32(env, argv[i], &v) != napi_ok) fail("expected an integer");
    return v;
  }
  double number(size_t i) {
    double v = 0;
    if (ok && napi_get_value_double(env, argv[i], &v) != napi_ok) fail("expected a number");
    return v;
  }
  bool boolean(size_t i) {
    bool v = false;
    if (ok && napi_get_value_bool(env, argv[i], &v) != napi_ok) fail("expected a boolean");
    return v;
  }
  void* fail(const char* message) {
    if (ok) napi_throw_type_error(env, nullptr, message);
    ok = false;
    return nullptr;
  }
};

napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* out = a.f32(0);
  const float* x = a.f32(1);
  const float* y = a.f32(2);
  int n = a.integer(3), k = a.integer(4), m = a.integer(5), sai = a.integer(6), sap = a.integer(7);
  if (a.ok) rnnlm::gemm(out, x, y, n, k, m, sai, sap);
  return nullptr;
}

napi_value RnnForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* hs = a.f32(0);
  const int32_t* tokens = a.i32(1);
  const float *table = a.f32(2), *whh = a.f32(3), *bh = a.f32(4), *h0 = a.f32(5);
  int B = a.integer(6), T = a.integer(7), H = a.integer(8);
  bool relu = a.boolean(9);
  if (a.ok) rnnlm::rnn_forward(hs, tokens, table, whh, bh, h0, B, T, H, relu);
  return nullptr;
}

napi_value RnnBackward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *dtable = a.f32(0), *dwhh = a.f32(1), *dbh = a.f32(2), *dh0 = a.f32(3);
  const float *dhs = a.f32(4), *hs = a.f32(5), *h0 = a.f32(6);
  const int32_t* tokens = a.i32(7);
  const float* whh = a.f32(8);
  int B = a.integer(9), T = a.integer(10), H = a.integer(11);
  bool relu = a.boolean(12);
  if (a.ok) rnnlm::rnn_backward(dtable, dwhh, dbh, dh0, dhs, hs, h0, tokens, whh, B, T, H, relu);
  return nullptr;
}

napi_value LinearCrossEntropy(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const float *hs = a.f32(0), *whq = a.f32(1), *bq = a.f32(2);
  const int32_t* labels = a.i32(3);
  int N = a.integer(4), H = a.integer(5), V = a.integer(6);
  float *dhs = a.f32(7, true), *dwhq = a.f32(8, true), *dbq = a.f32(9, true);
  float scale = static_cast<float>(a.number(10));
  if (!a.ok) return nullptr;
  if (!(dhs && dwhq && dbq)) dhs = dwhq = dbq = nullptr;
  napi_value result;
  napi_create_double(env, rnnlm::linear_cross_entropy(hs, whq, bq, labels, N, H, V, dhs, dwhq, dbq, scale), &result);
  return result;
}

template <void (*F)(float*, const float*, int)>
napi_value Unary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* out = a.f32(0);
  const float* x = a.f32(1);
  int n = a.integer(2);
  if (a.ok) F(out, x, n);
  return nullptr;
}

}  // namespace

NAPI_MODULE_INIT() {
  const napi_property_descriptor props[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rnnForward", nullptr, RnnForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rnnBackward", nullptr, RnnBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"linearCrossEntropy", nullptr, LinearCrossEntropy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"expArray", nullptr, Unary<rnnlm::exp_array>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tanhArray", nullptr, Unary<rnnlm::tanh_array>, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
