// The Adam / AdamW update of a whole parameter group in one call, in torch.optim's two ways:
//  - single-tensor (_single_tensor_adam): ~10 ops per parameter. Python's default on the CPU.
//  - foreach (_multi_tensor_adam): each op once over the whole list (ATen's _foreach_* kernels,
//    a few launches per group on CUDA). Python's default when every parameter is on CUDA: the
//    single-tensor path there costs ~1 300 tiny kernel launches per ResNet-50 step.
// Each follows PyTorch's op sequence op for op and in the same order, so the parameters come out
// bit-identical to PyTorch's; what goes away is the JavaScript round trip around each op. The
// bias corrections use C's pow and sqrt, as Python's float arithmetic does. The first moment is
// exp_avg.lerp_(grad, 1 - beta1) from PyTorch 2.1 on, exp_avg.mul_(beta1).add_(grad, 1 - beta1)
// before: which one this libtorch's Python uses is told by whether it has _foreach_lerp (2.0+).
#include "common.h"

#include <algorithm>
#include <cmath>
#include <utility>

#if __has_include(<ATen/ops/_foreach_lerp.h>)
#define TORCH_TS_ADAM_LERP 1
#endif

namespace tts {
namespace {

struct AdamHyper {
  double lr, beta1, beta2, eps, weightDecay;
  bool amsgrad, maximize, decoupled;
};

// Python's bias corrections for one step count: (-lr / (1 - beta1^t), sqrt(1 - beta2^t)).
std::pair<double, double> BiasCorrections(const AdamHyper& h, const at::Tensor& stepTensor) {
  const double step = stepTensor.item<double>();
  const double biasCorrection1 = 1 - std::pow(h.beta1, step);
  return {(h.lr / biasCorrection1) * -1, std::sqrt(1 - std::pow(h.beta2, step))};
}

// _multi_tensor_adam, non-capturable: one list of parameters of one device and dtype.
void ForeachAdam(const AdamHyper& h, std::vector<at::Tensor> params, std::vector<at::Tensor> grads, std::vector<at::Tensor> expAvgs,
                 std::vector<at::Tensor> expAvgSqs, std::vector<at::Tensor> maxExpAvgSqs, std::vector<at::Tensor> steps) {
  if (h.maximize) grads = at::_foreach_neg(grads);
  at::_foreach_add_(steps, at::Scalar(1.0));
  if (h.weightDecay != 0) {
    if (h.decoupled) at::_foreach_mul_(params, at::Scalar(1 - h.lr * h.weightDecay));
    else grads = at::_foreach_add(grads, params, h.weightDecay);  // p.grad itself is left as it was
  }
#ifdef TORCH_TS_ADAM_LERP
  at::_foreach_lerp_(expAvgs, grads, at::Scalar(1 - h.beta1));
#else
  at::_foreach_mul_(expAvgs, at::Scalar(h.beta1));
  at::_foreach_add_(expAvgs, grads, 1 - h.beta1);
#endif
  at::_foreach_mul_(expAvgSqs, at::Scalar(h.beta2));
  at::_foreach_addcmul_(expAvgSqs, grads, grads, 1 - h.beta2);
  std::vector<at::Scalar> stepSizes, biasCorrection2Sqrts;
  for (const at::Tensor& step : steps) {
    auto [stepSize, bc2Sqrt] = BiasCorrections(h, step);
    stepSizes.emplace_back(stepSize);
    biasCorrection2Sqrts.emplace_back(bc2Sqrt);
  }
  if (h.amsgrad) at::_foreach_maximum_(maxExpAvgSqs, expAvgSqs);
  std::vector<at::Tensor> denom = at::_foreach_sqrt(h.amsgrad ? maxExpAvgSqs : expAvgSqs);
  at::_foreach_div_(denom, biasCorrection2Sqrts);
  at::_foreach_add_(denom, at::Scalar(h.eps));
  at::_foreach_addcdiv_(params, expAvgs, denom, stepSizes);
}

// adamStep(params, grads, expAvgs, expAvgSqs, maxExpAvgSqs | null, steps, hyper)
// hyper: {lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupled, foreach}
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<at::Tensor> params = ToTensorList(info[0]);
  std::vector<at::Tensor> grads = ToTensorList(info[1]);
  std::vector<at::Tensor> expAvgs = ToTensorList(info[2]);
  std::vector<at::Tensor> expAvgSqs = ToTensorList(info[3]);
  std::vector<at::Tensor> maxExpAvgSqs = IsNullish(info[4]) ? std::vector<at::Tensor>{} : ToTensorList(info[4]);
  std::vector<at::Tensor> steps = ToTensorList(info[5]);
  Napi::Object h = info[6].As<Napi::Object>();
  const AdamHyper hyper{ToDouble(h.Get("lr")), ToDouble(h.Get("beta1")), ToDouble(h.Get("beta2")), ToDouble(h.Get("eps")),
                        ToDouble(h.Get("weightDecay")), ToBool(h.Get("amsgrad")), ToBool(h.Get("maximize")), ToBool(h.Get("decoupled"))};
  const bool foreach = ToBool(h.Get("foreach"));
  const auto& [lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupled] = hyper;
  const size_t n = params.size();
  if (grads.size() != n || expAvgs.size() != n || expAvgSqs.size() != n || steps.size() != n || (amsgrad && maxExpAvgSqs.size() != n)) {
    ThrowTorchError(env, "adamStep: every list must have one entry per parameter");
  }
  at::NoGradGuard noGrad;  // Python's step() runs under @torch.no_grad()
  if (foreach) {
    // Python's _group_tensors_by_device_and_dtype: one foreach call per (device, dtype) of the
    // parameters, in the order each pair first appears (a group rarely has more than one).
    struct Group {
      at::Device device;
      at::ScalarType dtype;
      std::vector<at::Tensor> p, g, m, v, vmax, s;
    };
    std::vector<Group> groups;
    for (size_t i = 0; i < n; i++) {
      auto same = [&](const Group& x) { return x.device == params[i].device() && x.dtype == params[i].scalar_type(); };
      auto it = std::find_if(groups.begin(), groups.end(), same);
      Group& group = it != groups.end() ? *it : groups.emplace_back(Group{params[i].device(), params[i].scalar_type(), {}, {}, {}, {}, {}, {}});
      group.p.push_back(params[i]);
      group.g.push_back(grads[i]);
      group.m.push_back(expAvgs[i]);
      group.v.push_back(expAvgSqs[i]);
      if (amsgrad) group.vmax.push_back(maxExpAvgSqs[i]);
      group.s.push_back(steps[i]);
    }
    for (Group& x : groups) ForeachAdam(hyper, std::move(x.p), std::move(x.g), std::move(x.m), std::move(x.v), std::move(x.vmax), std::move(x.s));
    return env.Undefined();
  }
  for (size_t i = 0; i < n; i++) {
    at::Tensor& param = params[i];
    at::Tensor grad = maximize ? grads[i].neg() : grads[i];
    steps[i].add_(1);
    if (decoupled) {
      param.mul_(1 - lr * weightDecay);
    } else if (weightDecay != 0) {
      grad = grad.add(param, weightDecay);
    }
#ifdef TORCH_TS_ADAM_LERP
    expAvgs[i].lerp_(grad, 1 - beta1);
#else
    expAvgs[i].mul_(beta1).add_(grad, 1 - beta1);
#endif
    expAvgSqs[i].mul_(beta2).addcmul_(grad, grad, 1 - beta2);
    const auto [negStepSize, biasCorrection2Sqrt] = BiasCorrections(hyper, steps[i]);
    at::Tensor second = expAvgSqs[i];
    if (amsgrad) {
      at::maximum_out(maxExpAvgSqs[i], maxExpAvgSqs[i], expAvgSqs[i]);  // torch.maximum(max, sq, out=max)
      second = maxExpAvgSqs[i];
    }
    at::Tensor denom = second.sqrt().div_(biasCorrection2Sqrt).add_(eps);
    param.addcdiv_(expAvgs[i], denom, negStepSize);
  }
  return env.Undefined();
}

}  // namespace

void RegisterOptim(Napi::Env env, Napi::Object exports) { Export<AdamStep>(env, exports, "adamStep"); }

}  // namespace tts
