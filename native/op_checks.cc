// What libtorch 1.13's kernels fail to check: arguments on which these ops crash the process
// (SIGSEGV: a list read past its end; SIGFPE: an integer division by a zero size; heap
// corruption: a write past a tensor's end, which aborts later in free()) or never
// return (LAPACK's SVD and eigenvalue iterations on infinities), where they should raise.
// PyTorch 1.13's own Python bindings crash the same way on them. Each was found by the API
// fuzzer (scripts/soak/api_fuzz.ts) and reproduced from Python; each check raises the message
// ATen gives for the same mistake elsewhere where it has one. native/dispatch.cc runs the
// check of an op on the final arguments (schema defaults filled in) just before the call, so
// every path into the op through the boxed call is covered (generated and hand-written lib/).
#include "op_checks.h"

#include <ATen/ATen.h>

#include <cmath>
#include <unordered_map>

namespace tts {
namespace {

using Stack = torch::jit::Stack;
using Schema = c10::FunctionSchema;

const c10::IValue& Arg(const Schema& schema, const Stack& stack, const char* name) {
  auto i = schema.argumentIndexWithName(name);
  TORCH_INTERNAL_ASSERT(i.has_value() && static_cast<size_t>(*i) < stack.size(), schema.name(), " has no argument ", name);
  return stack[static_cast<size_t>(*i)];
}

size_t ListSize(const c10::IValue& v) { return v.isNone() ? 0 : v.toList().size(); }

std::string OpName(const Schema& schema) {
  const std::string& n = schema.name();
  return n.rfind("aten::", 0) == 0 ? n.substr(6) : n;
}

// An int[N] argument read as N values whatever its length (int[2] padding=[] reads past it).
void Length(const Schema& schema, const Stack& stack, const char* name, size_t n) {
  const size_t got = ListSize(Arg(schema, stack, name));
  TORCH_CHECK(got == n, OpName(schema), ": expected ", name, " to have ", n, " elements, but got ", got);
}

// max_unpool2d/3d read output_size[0..N) before checking its length (their message when they do check).
void MaxUnpool2d(const Schema& schema, const Stack& stack) {
  const size_t got = ListSize(Arg(schema, stack, "output_size"));
  TORCH_CHECK(got == 2, "There should be exactly two elements (height, width) in output_size, but got ", got, " elements.");
}
void MaxUnpool3d(const Schema& schema, const Stack& stack) {
  const size_t got = ListSize(Arg(schema, stack, "output_size"));
  TORCH_CHECK(got == 3, "There should be exactly three elements (depth, height, width) in output_size, but got: ", got, " elements.");
}

void Blocksize(const Schema& schema, const Stack& stack) { Length(schema, stack, "blocksize", 2); }

// reflection_pad1d/2d index padding[0..2k) unchecked (3d and the replication pads check it).
void ReflectionPad1d(const Schema& schema, const Stack& stack) {
  TORCH_CHECK(ListSize(Arg(schema, stack, "padding")) == 2, "padding size is expected to be 2");
}
void ReflectionPad2d(const Schema& schema, const Stack& stack) {
  TORCH_CHECK(ListSize(Arg(schema, stack, "padding")) == 4, "padding size is expected to be 4");
}

// thnn_conv2d and slow_conv3d(_forward) read kernel_size, stride and padding as N values each.
template <size_t N>
void SlowConv(const Schema& schema, const Stack& stack) {
  for (const char* name : {"kernel_size", "stride", "padding"}) Length(schema, stack, name, N);
}
// slow_conv3d also divides by the weight's input channels (groups = input.size(1) / weight.size(1))
// before checking the weight (thnn_conv2d refuses an empty weight itself).
void SlowConv3d(const Schema& schema, const Stack& stack) {
  SlowConv<3>(schema, stack);
  const at::Tensor& weight = Arg(schema, stack, "weight").toTensor();
  TORCH_CHECK(weight.dim() < 2 || weight.size(1) > 0, "non-empty 2D or 5D weight tensor expected, but got: ", weight.sizes());
}

// mkldnn_convolution hands padding, stride and dilation to oneDNN as one value per spatial dim.
void MkldnnConvolution(const Schema& schema, const Stack& stack) {
  const at::Tensor& input = Arg(schema, stack, "self").toTensor();
  TORCH_CHECK(input.dim() >= 3 && input.dim() <= 5, "mkldnn_convolution: expected a 3-D, 4-D or 5-D input, but got sizes ", input.sizes());
  for (const char* name : {"padding", "stride", "dilation"}) Length(schema, stack, name, static_cast<size_t>(input.dim() - 2));
}

// embedding_bag's kernel switches on mode with no default case, sizes its output by
// offsets.size(0) bags while it fills one per offset, and reads weight as rows of size(1):
// Python's F.embedding_bag maps the mode names, flattens 2-D input and checks these shapes first.
void EmbeddingBag(const Schema& schema, const Stack& stack) {
  const int64_t mode = Arg(schema, stack, "mode").toInt();
  TORCH_CHECK(mode >= 0 && mode <= 2, "embedding_bag: expected mode to be 0 (sum), 1 (mean) or 2 (max), but got ", mode);
  const std::pair<const char*, int64_t> shapes[] = {{"weight", 2}, {"indices", 1}, {"offsets", 1}};
  for (const auto& [name, dims] : shapes) {
    const at::Tensor& t = Arg(schema, stack, name).toTensor();
    TORCH_CHECK(t.dim() == dims, "embedding_bag: expected ", name, " to be a ", dims, "-D tensor, but got sizes ", t.sizes());
  }
}

// searchsorted reads sorted_sequence at each sorter index unchecked.
void Searchsorted(const Schema& schema, const Stack& stack) {
  const c10::IValue& sorter = Arg(schema, stack, "sorter");
  if (sorter.isNone() || !sorter.toTensor().defined() || sorter.toTensor().numel() == 0) return;
  const at::Tensor& s = sorter.toTensor();
  const at::Tensor& seq = Arg(schema, stack, "sorted_sequence").toTensor();
  if (seq.dim() == 0 || s.is_floating_point() || s.is_complex()) return;  // ATen refuses these itself
  const int64_t n = seq.size(-1);
  TORCH_CHECK(s.min().item<int64_t>() >= 0 && s.max().item<int64_t>() < n, "torch.searchsorted(): sorter index out of range");
}

// binomial's sampler loops until a draw is accepted, which never happens for a NaN count.
void Binomial(const Schema& schema, const Stack& stack) {
  const at::Tensor& count = Arg(schema, stack, "count").toTensor();
  if (!count.is_floating_point()) return;
  TORCH_CHECK(!at::isnan(count).any().item<bool>(), "binomial: expected count to hold no NaN (its sampler never returns on one)");
}

// native_channel_shuffle views the input as [b, groups, c / groups, -1]: -1 divides by zero
// when any of those is 0 (channel_shuffle, its public caller, checks groups and divisibility).
void NativeChannelShuffle(const Schema& schema, const Stack& stack) {
  const at::Tensor& self = Arg(schema, stack, "self").toTensor();
  const int64_t groups = Arg(schema, stack, "groups").toInt();
  TORCH_CHECK(self.dim() >= 2, "native_channel_shuffle: expected input with >= 2 dims, but got input with sizes ", self.sizes());
  TORCH_CHECK(groups > 0, "Number of groups to divide channels in must be positive. Value of groups:", groups);
  const int64_t c = self.size(1);
  TORCH_CHECK(c % groups == 0, "Number of channels must be divisible by groups. Got ", c, " channels and ", groups, " groups.");
  TORCH_CHECK(self.size(0) > 0 && c / groups > 0, "native_channel_shuffle: expected non-zero batch and channel sizes, but got input with sizes ", self.sizes());
}

// The CPU batch norm kernels divide numel by the channel count, index weight, bias and the
// running statistics by channel, and in evaluation mode read the running statistics: what
// torch.batch_norm checks first (_batch_norm_impl_index, with its messages), native_batch_norm
// and batch_norm_update_stats do not.
void BatchNorm(const Schema& schema, const Stack& stack) {
  const at::Tensor& input = Arg(schema, stack, "input").toTensor();
  if (input.dim() < 2) return;  // ATen's input.size(1) refuses it
  const int64_t channels = input.size(1);
  TORCH_CHECK(channels > 0, OpName(schema), ": expected input to have at least one channel (dim 1), but got input with sizes ", input.sizes());
  for (const char* name : {"weight", "bias", "running_mean", "running_var"}) {
    const auto i = schema.argumentIndexWithName(name);
    if (!i.has_value() || stack[*i].isNone()) continue;
    const at::Tensor& t = stack[*i].toTensor();
    TORCH_CHECK(!t.defined() || t.numel() == channels, name, " should contain ", channels, " elements not ", t.numel());
  }
  const auto training = schema.argumentIndexWithName("training");
  if (training.has_value() && !stack[*training].toBool()) {
    for (const char* name : {"running_mean", "running_var"}) {
      const c10::IValue& v = Arg(schema, stack, name);
      TORCH_CHECK(!v.isNone() && v.toTensor().defined(), name, " must be defined in evaluation mode");
    }
  }
}

// quantized_lstm_cell reads hx[0] and hx[1] (h and c).
void QuantizedLstmCell(const Schema& schema, const Stack& stack) {
  const size_t got = ListSize(Arg(schema, stack, "hx"));
  TORCH_CHECK(got == 2, "quantized_lstm_cell: expected hx to hold 2 tensors (h, c), but got ", got);
}

// The LSTM and GRU cells split the gates (input @ w_ih.T + hx @ w_hh.T) into 4 or 3 chunks and
// read each: a gate width that is not a multiple of that makes fewer chunks, read past the end.
void GateWeights(const Schema& schema, const at::Tensor& w, const char* name, int64_t gates) {
  TORCH_CHECK(w.dim() >= 1 && w.size(0) % gates == 0, OpName(schema), ": expected ", name, " to have ", gates,
              " x hidden_size rows (one block per gate), but got sizes ", w.sizes());
}
template <int64_t Gates>
void RnnCell(const Schema& schema, const Stack& stack) {
  GateWeights(schema, Arg(schema, stack, "w_ih").toTensor(), "w_ih", Gates);
  GateWeights(schema, Arg(schema, stack, "w_hh").toTensor(), "w_hh", Gates);
}
// lstm/gru over whole sequences: params holds, per layer and direction, w_ih, w_hh, then the
// biases and (LSTM with projections) w_hr; the first two of each group feed the gates.
template <int64_t Gates>
void Rnn(const Schema& schema, const Stack& stack) {
  const auto params = Arg(schema, stack, "params").toTensorList();
  const int64_t groups = Arg(schema, stack, "num_layers").toInt() * (Arg(schema, stack, "bidirectional").toBool() ? 2 : 1);
  if (groups <= 0 || params.size() % static_cast<size_t>(groups) != 0) return;  // ATen refuses the count itself
  const size_t per = params.size() / static_cast<size_t>(groups);
  for (size_t i = 0; i < params.size(); i++) {
    if (i % per < 2) GateWeights(schema, params.get(i), i % per == 0 ? "w_ih" : "w_hh", Gates);
  }
}

// rrelu_with_noise, training, writes one noise value per input element through noise's data
// pointer, in memory order: past the end of a smaller noise, or of an expanded one (stride 0).
void RreluWithNoise(const Schema& schema, const Stack& stack) {
  if (!Arg(schema, stack, "training").toBool()) return;
  const at::Tensor& self = Arg(schema, stack, "self").toTensor();
  const at::Tensor& noise = Arg(schema, stack, "noise").toTensor();
  TORCH_CHECK(self.sizes() == noise.sizes(), "noise tensor shape must match self tensor shape. Got self.shape = ", self.sizes(), " noise.shape = ", noise.sizes());
  TORCH_CHECK(noise.is_contiguous(), "rrelu_with_noise: expected a contiguous noise tensor (it is written in memory order), but got strides ", noise.strides());
}

// gradient.tensorarrayint (spacing: Tensor[], dim=None) accepts a spacing list of length 1
// and then reads one coordinate tensor per dimension of self.
void Gradient(const Schema& schema, const Stack& stack) {
  const auto spacing = schema.argumentIndexWithName("spacing");
  const auto dim = schema.argumentIndexWithName("dim");
  if (!spacing.has_value() || !dim.has_value() || !stack[*spacing].isTensorList() || !stack[*dim].isNone()) return;
  const int64_t n = static_cast<int64_t>(ListSize(stack[*spacing]));
  const int64_t rank = Arg(schema, stack, "self").toTensor().dim();
  TORCH_CHECK(n == rank, "torch.gradient expected spacing to be unspecified, a scalar or a list of length equal to 'self.dim() = ", rank,
              "', since dim argument was not given, but got a list of length ", n);
}

// choose_qparams_optimized reads `numel` floats from the input's data pointer.
void ChooseQparamsOptimized(const Schema& schema, const Stack& stack) {
  const at::Tensor& input = Arg(schema, stack, "input").toTensor();
  const int64_t numel = Arg(schema, stack, "numel").toInt();
  TORCH_CHECK(numel >= 1 && numel <= input.numel(), "choose_qparams_optimized: numel ", numel, " is out of the bound of input tensor (", input.numel(), " elements)");
  TORCH_CHECK(input.is_contiguous(), "choose_qparams_optimized: expected a contiguous input");
  // Its search walks the range in steps of (max - min) / n_bins until they meet: a negative
  // n_bins steps away for ever, and a NaN ratio never lets them meet.
  const int64_t bins = Arg(schema, stack, "n_bins").toInt();
  const double ratio = Arg(schema, stack, "ratio").toDouble();
  TORCH_CHECK(bins >= 0, "choose_qparams_optimized: expected n_bins to be non-negative, but got ", bins);
  TORCH_CHECK(std::isfinite(ratio), "choose_qparams_optimized: expected ratio to be finite, but got ", ratio);
}

// histogramdd with int[] bins reads one bin count per dimension of a sample (self.size(-1)).
void Histogramdd(const Schema& schema, const Stack& stack) {
  const c10::IValue& bins = Arg(schema, stack, "bins");
  if (!bins.isIntList()) return;  // the int and Tensor[] overloads check themselves
  const at::Tensor& self = Arg(schema, stack, "self").toTensor();
  if (self.dim() < 2) return;  // refused by ATen ("input tensor should have at least 2 dimensions")
  const int64_t n = self.size(-1);
  const int64_t got = static_cast<int64_t>(ListSize(bins));
  TORCH_CHECK(got == n, "torch.histogramdd: expected ", n, " bin counts for a ", n, "-dimensional histogram but got ", got);
}

// LAPACK's SVD (gesdd, and gelsd/gelss, which use it) and nonsymmetric eigenvalue iteration
// (geev) in this libtorch's reference LAPACK can loop forever on a matrix holding an infinity.
void FiniteTensor(const Schema& schema, const Stack& stack, const char* name) {
  const at::Tensor& t = Arg(schema, stack, name).toTensor();
  if (!t.defined() || !(t.is_floating_point() || t.is_complex()) || t.layout() != at::kStrided) return;
  TORCH_CHECK(at::isfinite(t).all().item<bool>(), OpName(schema), ": expected ", name,
              " to hold finite values: LAPACK's iteration may never return on infinities or NaNs in this libtorch");
}
void FiniteSelf(const Schema& schema, const Stack& stack) { FiniteTensor(schema, stack, "self"); }
void FiniteA(const Schema& schema, const Stack& stack) { FiniteTensor(schema, stack, "A"); }
void LinalgLstsq(const Schema& schema, const Stack& stack) {
  const c10::IValue& driver = Arg(schema, stack, "driver");
  if (driver.isNone() || (driver.toStringRef() != "gelsd" && driver.toStringRef() != "gelss")) return;  // gelsy/gels do not iterate
  FiniteTensor(schema, stack, "self");
  FiniteTensor(schema, stack, "b");
}

}  // namespace

OpCheck OpCheckFor(const std::string& name) {
  static const std::unordered_map<std::string, OpCheck> checks = {
      {"aten::max_unpool2d", MaxUnpool2d},
      {"aten::max_unpool3d", MaxUnpool3d},
      {"aten::to_sparse_bsr", Blocksize},
      {"aten::to_sparse_bsc", Blocksize},
      {"aten::reflection_pad1d", ReflectionPad1d},
      {"aten::reflection_pad2d", ReflectionPad2d},
      {"aten::thnn_conv2d", SlowConv<2>},
      {"aten::slow_conv3d", SlowConv3d},
      {"aten::slow_conv3d_forward", SlowConv3d},
      {"aten::mkldnn_convolution", MkldnnConvolution},
      {"aten::embedding_bag", EmbeddingBag},
      {"aten::native_channel_shuffle", NativeChannelShuffle},
      {"aten::native_batch_norm", BatchNorm},
      {"aten::batch_norm_update_stats", BatchNorm},
      {"aten::quantized_lstm_cell", QuantizedLstmCell},
      {"aten::choose_qparams_optimized", ChooseQparamsOptimized},
      {"aten::lstm_cell", RnnCell<4>},
      {"aten::gru_cell", RnnCell<3>},
      {"aten::lstm", Rnn<4>},
      {"aten::gru", Rnn<3>},
      {"aten::rrelu_with_noise", RreluWithNoise},
      {"aten::gradient", Gradient},
      {"aten::histogramdd", Histogramdd},
      {"aten::binomial", Binomial},
      {"aten::searchsorted", Searchsorted},
      {"aten::rrelu_with_noise_", RreluWithNoise},
      {"aten::svd", FiniteSelf},
      {"aten::linalg_svd", FiniteA},
      {"aten::pinverse", FiniteSelf},
      {"aten::linalg_pinv", FiniteSelf},
      {"aten::linalg_lstsq", LinalgLstsq},
      {"aten::linalg_eig", FiniteSelf},
      {"aten::linalg_eigvals", FiniteSelf},
  };
  auto it = checks.find(name);
  return it == checks.end() ? nullptr : it->second;
}

}  // namespace tts
