// The Adam / AdamW update of a whole parameter group in one call. The op sequence is that of
// torch.optim's single-tensor implementation (_single_tensor_adam / _single_tensor_adamw in
// PyTorch 1.13), op for op and in the same order, so the parameters come out bit-identical to
// PyTorch's; what goes away is the JavaScript round trip around each of the ~10 ops per
// parameter. (PyTorch's own foreach and fused variants exist for the same reason.) The bias
// corrections use C's pow and sqrt, as Python's float arithmetic does.
#include "common.h"

#include <cmath>

namespace tts {
namespace {

// adamStep(params, grads, expAvgs, expAvgSqs, maxExpAvgSqs | null, steps, hyper)
// hyper: {lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupled}
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<at::Tensor> params = ToTensorList(info[0]);
  std::vector<at::Tensor> grads = ToTensorList(info[1]);
  std::vector<at::Tensor> expAvgs = ToTensorList(info[2]);
  std::vector<at::Tensor> expAvgSqs = ToTensorList(info[3]);
  std::vector<at::Tensor> maxExpAvgSqs = IsNullish(info[4]) ? std::vector<at::Tensor>{} : ToTensorList(info[4]);
  std::vector<at::Tensor> steps = ToTensorList(info[5]);
  Napi::Object h = info[6].As<Napi::Object>();
  const double lr = ToDouble(h.Get("lr"));
  const double beta1 = ToDouble(h.Get("beta1"));
  const double beta2 = ToDouble(h.Get("beta2"));
  const double eps = ToDouble(h.Get("eps"));
  const double weightDecay = ToDouble(h.Get("weightDecay"));
  const bool amsgrad = ToBool(h.Get("amsgrad"));
  const bool maximize = ToBool(h.Get("maximize"));
  const bool decoupled = ToBool(h.Get("decoupled"));
  const size_t n = params.size();
  if (grads.size() != n || expAvgs.size() != n || expAvgSqs.size() != n || steps.size() != n || (amsgrad && maxExpAvgSqs.size() != n)) {
    ThrowTorchError(env, "adamStep: every list must have one entry per parameter");
  }
  at::NoGradGuard noGrad;  // Python's step() runs under @torch.no_grad()
  for (size_t i = 0; i < n; i++) {
    at::Tensor& param = params[i];
    at::Tensor grad = maximize ? grads[i].neg() : grads[i];
    steps[i].add_(1);
    if (decoupled) {
      param.mul_(1 - lr * weightDecay);
    } else if (weightDecay != 0) {
      grad = grad.add(param, weightDecay);
    }
    expAvgs[i].mul_(beta1).add_(grad, 1 - beta1);
    expAvgSqs[i].mul_(beta2).addcmul_(grad, grad, 1 - beta2);
    const double step = steps[i].item<double>();
    const double biasCorrection1 = 1 - std::pow(beta1, step);
    const double biasCorrection2Sqrt = std::sqrt(1 - std::pow(beta2, step));
    const double stepSize = lr / biasCorrection1;
    at::Tensor second = expAvgSqs[i];
    if (amsgrad) {
      at::maximum_out(maxExpAvgSqs[i], maxExpAvgSqs[i], expAvgSqs[i]);  // torch.maximum(max, sq, out=max)
      second = maxExpAvgSqs[i];
    }
    at::Tensor denom = second.sqrt().div_(biasCorrection2Sqrt).add_(eps);
    param.addcdiv_(expAvgs[i], denom, -stepSize);
  }
  return env.Undefined();
}

}  // namespace

void RegisterOptim(Napi::Env env, Napi::Object exports) { Export<AdamStep>(env, exports, "adamStep"); }

}  // namespace tts
