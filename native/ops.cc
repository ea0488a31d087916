// Math, comparison, reduction and shape ops: one line of ATen each. Argument checks that
// name the argument live in lib/; ATen's own checks surface as TorchError.
#include "common.h"

#include <numeric>

namespace tts {
namespace {

#define TTS_UNARY(Name, expr)                                 \
  Napi::Value Name(const Napi::CallbackInfo& info) {          \
    const at::Tensor& x = Unwrap(info[0]);                    \
    return Wrap(info.Env(), expr);                            \
  }

#define TTS_UNARY_(Name, expr)                                \
  Napi::Value Name(const Napi::CallbackInfo& info) {          \
    at::Tensor& x = Unwrap(info[0]);                          \
    expr;                                                     \
    return info.Env().Undefined();                            \
  }

// Binary ops come in two entry points, as in ATen (add.Tensor / add.Scalar): Name takes a
// tensor handle, Name##Scalar a number/bigint/boolean that acts like a Python scalar.
#define TTS_BINARY(Name, method)                                                  \
  Napi::Value Name(const Napi::CallbackInfo& info) {                              \
    return Wrap(info.Env(), Unwrap(info[0]).method(Unwrap(info[1])));            \
  }                                                                               \
  Napi::Value Name##Scalar(const Napi::CallbackInfo& info) {                      \
    return Wrap(info.Env(), Unwrap(info[0]).method(ToScalar(info[1])));          \
  }

#define TTS_BINARY_(Name, method)                                   \
  Napi::Value Name(const Napi::CallbackInfo& info) {                \
    Unwrap(info[0]).method(Unwrap(info[1]));                        \
    return info.Env().Undefined();                                  \
  }                                                                 \
  Napi::Value Name##Scalar(const Napi::CallbackInfo& info) {        \
    Unwrap(info[0]).method(ToScalar(info[1]));                      \
    return info.Env().Undefined();                                  \
  }

// add/sub carry alpha: x + alpha * other; alpha omitted means 1 (the common, fast case).
inline at::Scalar Alpha(const Napi::CallbackInfo& info) {
  return info.Length() > 2 && !IsNullish(info[2]) ? ToScalar(info[2]) : at::Scalar(int64_t{1});
}

#define TTS_ALPHA(Name, method)                                                              \
  Napi::Value Name(const Napi::CallbackInfo& info) {                                         \
    return Wrap(info.Env(), Unwrap(info[0]).method(Unwrap(info[1]), Alpha(info)));          \
  }                                                                                          \
  Napi::Value Name##Scalar(const Napi::CallbackInfo& info) {                                 \
    return Wrap(info.Env(), Unwrap(info[0]).method(ToScalar(info[1]), Alpha(info)));        \
  }

#define TTS_ALPHA_(Name, method)                                    \
  Napi::Value Name(const Napi::CallbackInfo& info) {                \
    Unwrap(info[0]).method(Unwrap(info[1]), Alpha(info));           \
    return info.Env().Undefined();                                  \
  }                                                                 \
  Napi::Value Name##Scalar(const Napi::CallbackInfo& info) {        \
    Unwrap(info[0]).method(ToScalar(info[1]), Alpha(info));         \
    return info.Env().Undefined();                                  \
  }

TTS_UNARY(Neg, x.neg())
TTS_UNARY(Sqrt, x.sqrt())
TTS_UNARY(Rsqrt, x.rsqrt())
TTS_UNARY(Exp, x.exp())
TTS_UNARY(Log, x.log())
TTS_UNARY(Log1p, x.log1p())
TTS_UNARY(Abs, x.abs())
TTS_UNARY(Relu, x.relu())
TTS_UNARY(Sigmoid, x.sigmoid())
TTS_UNARY(Tanh, x.tanh())
TTS_UNARY(Sin, x.sin())
TTS_UNARY(Cos, x.cos())
TTS_UNARY(Floor, x.floor())
TTS_UNARY(Ceil, x.ceil())
TTS_UNARY(Round, x.round())
TTS_UNARY(Sign, x.sign())
TTS_UNARY(Reciprocal, x.reciprocal())
TTS_UNARY(LogicalNot, x.logical_not())

TTS_UNARY_(Neg_, x.neg_())
TTS_UNARY_(Sqrt_, x.sqrt_())
TTS_UNARY_(Exp_, x.exp_())
TTS_UNARY_(Abs_, x.abs_())
TTS_UNARY_(Relu_, x.relu_())
TTS_UNARY_(Sigmoid_, x.sigmoid_())
TTS_UNARY_(Tanh_, x.tanh_())
TTS_UNARY_(Zero_, x.zero_())
TTS_UNARY_(Erfinv_, x.erfinv_())

TTS_ALPHA(Add, add)
TTS_ALPHA(Sub, sub)
TTS_BINARY(Mul, mul)
TTS_BINARY(Div, div)
TTS_BINARY(Pow, pow)
TTS_BINARY(Remainder, remainder)
TTS_BINARY(Eq, eq)
TTS_BINARY(Ne, ne)
TTS_BINARY(Lt, lt)
TTS_BINARY(Le, le)
TTS_BINARY(Gt, gt)
TTS_BINARY(Ge, ge)

TTS_ALPHA_(Add_, add_)
TTS_ALPHA_(Sub_, sub_)
TTS_BINARY_(Mul_, mul_)
TTS_BINARY_(Div_, div_)
TTS_BINARY_(Pow_, pow_)
Napi::Value Fill_(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).fill_(ToScalar(info[1]));
  return info.Env().Undefined();
}

Napi::Value Maximum(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::maximum(Unwrap(info[0]), Unwrap(info[1])));
}
Napi::Value Minimum(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::minimum(Unwrap(info[0]), Unwrap(info[1])));
}
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::matmul(Unwrap(info[0]), Unwrap(info[1])));
}

// where(cond, a, b): lib/ turns scalar branches into 0-dim tensors first.
Napi::Value Where(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::where(Unwrap(info[0]), Unwrap(info[1]), Unwrap(info[2])));
}

Opt<at::Scalar> OptScalar(const Napi::Value& v) {
  if (IsNullish(v)) return {};
  return ToScalar(v);
}
// clamp(h, min|null, max|null)
Napi::Value Clamp(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).clamp(OptScalar(info[1]), OptScalar(info[2])));
}
Napi::Value Clamp_(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).clamp_(OptScalar(info[1]), OptScalar(info[2]));
  return info.Env().Undefined();
}
// addcmul_(h, t1, t2, value): h += value * t1 * t2 (Adam's second moment).
Napi::Value Addcmul_(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).addcmul_(Unwrap(info[1]), Unwrap(info[2]), ToScalar(info[3]));
  return info.Env().Undefined();
}
Napi::Value Addcdiv_(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).addcdiv_(Unwrap(info[1]), Unwrap(info[2]), ToScalar(info[3]));
  return info.Env().Undefined();
}
Napi::Value Copy_(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).copy_(Unwrap(info[1]), ToBool(info[2]));
  return info.Env().Undefined();
}
// lerp_(h, end, weight): weight a tensor (lerp_) or a number (lerpScalar_)
Napi::Value Lerp_(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).lerp_(Unwrap(info[1]), Unwrap(info[2]));
  return info.Env().Undefined();
}
Napi::Value LerpScalar_(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).lerp_(Unwrap(info[1]), ToScalar(info[2]));
  return info.Env().Undefined();
}

// ---- reductions: dims null means all dimensions ----
// A reduction's dims: one integer (x.sum(1), the common case: read without an array, whose
// elements cost a Node-API call each) or an array of them.
struct Dims {
  explicit Dims(const Napi::Value& v) {
    if (v.IsNumber()) {
      one = ToInt(v);
    } else {
      many = ToIntList(v);
    }
  }
  at::IntArrayRef ref() const { return many.empty() && one.has_value() ? at::IntArrayRef(*one) : at::IntArrayRef(many); }
  Opt<int64_t> one;
  std::vector<int64_t> many;
};

// Every dim of x: a reduction with dim=None that keeps dims reduces over all of them
// (x.sum(null, { keepdim: true }) of a [3, 1] tensor is [1, 1], as in PyTorch, not []).
std::vector<int64_t> AllDims(const at::Tensor& x) {
  std::vector<int64_t> dims(static_cast<size_t>(x.dim()));
  std::iota(dims.begin(), dims.end(), 0);
  return dims;
}

Napi::Value Sum(const Napi::CallbackInfo& info) {
  const at::Tensor& x = Unwrap(info[0]);
  Opt<at::ScalarType> dtype = ToOptDtype(info[3]);
  if (IsNullish(info[1])) return Wrap(info.Env(), ToBool(info[2]) ? x.sum(AllDims(x), true, dtype) : x.sum(dtype));
  Dims dims(info[1]);
  return Wrap(info.Env(), x.sum(dims.ref(), ToBool(info[2]), dtype));
}
Napi::Value Mean(const Napi::CallbackInfo& info) {
  const at::Tensor& x = Unwrap(info[0]);
  Opt<at::ScalarType> dtype = ToOptDtype(info[3]);
  if (IsNullish(info[1])) return Wrap(info.Env(), ToBool(info[2]) ? x.mean(AllDims(x), true, dtype) : x.mean(dtype));
  Dims dims(info[1]);
  return Wrap(info.Env(), x.mean(dims.ref(), ToBool(info[2]), dtype));
}
// std/var(h, dims|null, unbiased, keepdim)
Napi::Value Std(const Napi::CallbackInfo& info) {
  const at::Tensor& x = Unwrap(info[0]);
  if (IsNullish(info[1])) return Wrap(info.Env(), ToBool(info[3]) ? x.std(AllDims(x), ToBool(info[2]), true) : x.std(ToBool(info[2])));
  return Wrap(info.Env(), x.std(at::IntArrayRef(ToIntList(info[1])), ToBool(info[2]), ToBool(info[3])));
}
Napi::Value Var(const Napi::CallbackInfo& info) {
  const at::Tensor& x = Unwrap(info[0]);
  if (IsNullish(info[1])) return Wrap(info.Env(), ToBool(info[3]) ? x.var(AllDims(x), ToBool(info[2]), true) : x.var(ToBool(info[2])));
  return Wrap(info.Env(), x.var(at::IntArrayRef(ToIntList(info[1])), ToBool(info[2]), ToBool(info[3])));
}
Napi::Value Pair(Napi::Env env, std::tuple<at::Tensor, at::Tensor> r) {
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Wrap(env, std::get<0>(r)));
  out.Set(1u, Wrap(env, std::get<1>(r)));
  return out;
}
// max/min(h) -> tensor; max/min(h, dim, keepdim) -> [values, indices]
Napi::Value Max(const Napi::CallbackInfo& info) {
  const at::Tensor& x = Unwrap(info[0]);
  if (IsNullish(info[1])) return Wrap(info.Env(), x.max());
  return Pair(info.Env(), x.max(ToInt(info[1]), ToBool(info[2])));
}
Napi::Value Min(const Napi::CallbackInfo& info) {
  const at::Tensor& x = Unwrap(info[0]);
  if (IsNullish(info[1])) return Wrap(info.Env(), x.min());
  return Pair(info.Env(), x.min(ToInt(info[1]), ToBool(info[2])));
}
Opt<int64_t> OptInt(const Napi::Value& v) {
  if (IsNullish(v)) return {};
  return ToInt(v);
}
Napi::Value Argmax(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).argmax(OptInt(info[1]), ToBool(info[2])));
}
Napi::Value Argmin(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).argmin(OptInt(info[1]), ToBool(info[2])));
}

// ---- shape ----
Napi::Value Reshape(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).reshape(ToIntList(info[1])));
}
Napi::Value View(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).view(ToIntList(info[1])));
}
Napi::Value Flatten(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).flatten(ToInt(info[1]), ToInt(info[2])));
}
Napi::Value Permute(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).permute(ToIntList(info[1])));
}
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).transpose(ToInt(info[1]), ToInt(info[2])));
}
Napi::Value Squeeze(const Napi::CallbackInfo& info) {
  const at::Tensor& x = Unwrap(info[0]);
  if (IsNullish(info[1])) return Wrap(info.Env(), x.squeeze());
  return Wrap(info.Env(), x.squeeze(ToInt(info[1])));
}
Napi::Value Unsqueeze(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).unsqueeze(ToInt(info[1])));
}
Napi::Value Expand(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).expand(ToIntList(info[1])));
}
Napi::Value Narrow(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).narrow(ToInt(info[1]), ToInt(info[2]), ToInt(info[3])));
}
Napi::Value Select(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).select(ToInt(info[1]), ToInt(info[2])));
}
Napi::Value IndexSelect(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).index_select(ToInt(info[1]), Unwrap(info[2])));
}
Napi::Value Cat(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::cat(ToTensorList(info[0]), ToInt(info[1])));
}
Napi::Value Stack(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::stack(ToTensorList(info[0]), ToInt(info[1])));
}

}  // namespace

void RegisterOps(Napi::Env env, Napi::Object exports) {
  Export<Neg>(env, exports, "neg");
  Export<Sqrt>(env, exports, "sqrt");
  Export<Rsqrt>(env, exports, "rsqrt");
  Export<Exp>(env, exports, "exp");
  Export<Log>(env, exports, "log");
  Export<Log1p>(env, exports, "log1p");
  Export<Abs>(env, exports, "abs");
  Export<Relu>(env, exports, "relu");
  Export<Sigmoid>(env, exports, "sigmoid");
  Export<Tanh>(env, exports, "tanh");
  Export<Sin>(env, exports, "sin");
  Export<Cos>(env, exports, "cos");
  Export<Floor>(env, exports, "floor");
  Export<Ceil>(env, exports, "ceil");
  Export<Round>(env, exports, "round");
  Export<Sign>(env, exports, "sign");
  Export<Reciprocal>(env, exports, "reciprocal");
  Export<LogicalNot>(env, exports, "logicalNot");
  Export<Neg_>(env, exports, "neg_");
  Export<Sqrt_>(env, exports, "sqrt_");
  Export<Exp_>(env, exports, "exp_");
  Export<Abs_>(env, exports, "abs_");
  Export<Relu_>(env, exports, "relu_");
  Export<Sigmoid_>(env, exports, "sigmoid_");
  Export<Tanh_>(env, exports, "tanh_");
  Export<Zero_>(env, exports, "zero_");
  Export<Erfinv_>(env, exports, "erfinv_");
  Export<Add>(env, exports, "add");
  Export<AddScalar>(env, exports, "addScalar");
  Export<Sub>(env, exports, "sub");
  Export<SubScalar>(env, exports, "subScalar");
  Export<Mul>(env, exports, "mul");
  Export<MulScalar>(env, exports, "mulScalar");
  Export<Div>(env, exports, "div");
  Export<DivScalar>(env, exports, "divScalar");
  Export<Pow>(env, exports, "pow");
  Export<PowScalar>(env, exports, "powScalar");
  Export<Remainder>(env, exports, "remainder");
  Export<RemainderScalar>(env, exports, "remainderScalar");
  Export<Eq>(env, exports, "eq");
  Export<EqScalar>(env, exports, "eqScalar");
  Export<Ne>(env, exports, "ne");
  Export<NeScalar>(env, exports, "neScalar");
  Export<Lt>(env, exports, "lt");
  Export<LtScalar>(env, exports, "ltScalar");
  Export<Le>(env, exports, "le");
  Export<LeScalar>(env, exports, "leScalar");
  Export<Gt>(env, exports, "gt");
  Export<GtScalar>(env, exports, "gtScalar");
  Export<Ge>(env, exports, "ge");
  Export<GeScalar>(env, exports, "geScalar");
  Export<Add_>(env, exports, "add_");
  Export<Add_Scalar>(env, exports, "addScalar_");
  Export<Sub_>(env, exports, "sub_");
  Export<Sub_Scalar>(env, exports, "subScalar_");
  Export<Mul_>(env, exports, "mul_");
  Export<Mul_Scalar>(env, exports, "mulScalar_");
  Export<Div_>(env, exports, "div_");
  Export<Div_Scalar>(env, exports, "divScalar_");
  Export<Pow_>(env, exports, "pow_");
  Export<Pow_Scalar>(env, exports, "powScalar_");
  Export<Fill_>(env, exports, "fill_");
  Export<Maximum>(env, exports, "maximum");
  Export<Minimum>(env, exports, "minimum");
  Export<Matmul>(env, exports, "matmul");
  Export<Where>(env, exports, "where");
  Export<Clamp>(env, exports, "clamp");
  Export<Clamp_>(env, exports, "clamp_");
  Export<Addcmul_>(env, exports, "addcmul_");
  Export<Addcdiv_>(env, exports, "addcdiv_");
  Export<Copy_>(env, exports, "copy_");
  Export<Lerp_>(env, exports, "lerp_");
  Export<LerpScalar_>(env, exports, "lerpScalar_");
  Export<Sum>(env, exports, "sum");
  Export<Mean>(env, exports, "mean");
  Export<Std>(env, exports, "std");
  Export<Var>(env, exports, "var");
  Export<Max>(env, exports, "max");
  Export<Min>(env, exports, "min");
  Export<Argmax>(env, exports, "argmax");
  Export<Argmin>(env, exports, "argmin");
  Export<Reshape>(env, exports, "reshape");
  Export<View>(env, exports, "view");
  Export<Flatten>(env, exports, "flatten");
  Export<Permute>(env, exports, "permute");
  Export<Transpose>(env, exports, "transpose");
  Export<Squeeze>(env, exports, "squeeze");
  Export<Unsqueeze>(env, exports, "unsqueeze");
  Export<Expand>(env, exports, "expand");
  Export<Narrow>(env, exports, "narrow");
  Export<Select>(env, exports, "select");
  Export<IndexSelect>(env, exports, "indexSelect");
  Export<Cat>(env, exports, "cat");
  Export<Stack>(env, exports, "stack");
}

}  // namespace tts
