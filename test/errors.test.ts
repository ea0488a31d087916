// Bad arguments to the public API: each must throw (never crash the process) an error of the
// right class with a message that names the function and/or the argument and what was wrong.
// TypeError: argument validation done in TypeScript. torch.TorchError: what libtorch refuses.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { expectError, type Case } from "./expect_error.js";

const { TorchError } = torch;
const noCuda = !torch.cuda.isAvailable();

let liveAtStart = 0;
beforeAll(() => {
  liveAtStart = torch.liveTensors();
});

const f32 = (...shape: number[]) => torch.zeros(shape);
const i64 = (...shape: number[]) => torch.zeros(shape, { dtype: "int64" });

// ---- argument validation in TypeScript: TypeError naming the function and the argument ----
const typeErrors: Case[] = [
  // devices
  ['device "gpu"', () => torch.zeros([2], { device: "gpu" as never }), TypeError,
    /^torch\.zeros: expected device to be a device: "cpu", "cuda", "cuda:N" or "auto", but received "gpu"$/],
  ['device "cuda:x"', () => torch.ones([2], { device: "cuda:x" as never }), TypeError,
    /^torch\.ones: expected device to be a device.*but received "cuda:x"$/],
  ['device "cpu:1"', () => torch.tensor([1], { device: "cpu:1" as never }), TypeError,
    /^torch\.tensor: expected device to be a device.*but received "cpu:1"$/],
  ['Tensor.to("gpu")', () => f32(2).to("gpu" as never), TypeError, /^Tensor\.to: expected target to be a device or a dtype name, but received "gpu"$/],
  ["torch.device(42)", () => torch.device(42 as never), TypeError, /^torch\.device: expected device .*received 42$/],
  // sizes
  ["negative size", () => torch.zeros(-1, 2), TypeError,
    /^torch\.zeros: expected size to be an array of non-negative integers, but received \[-1, 2\]$/],
  ["non-integer size", () => torch.ones(2.5), TypeError, /^torch\.ones: expected size .*non-negative integers.*received \[2\.5\]$/],
  ["NaN size", () => torch.rand([NaN]), TypeError, /^torch\.rand: expected size .*received \[NaN\]$/],
  ["string size", () => torch.empty(["3"] as never), TypeError, /^torch\.empty: expected size .*received \["3"\]$/],
  ["reshape to a fractional size", () => f32(6).reshape(-1, 2.5), TypeError,
    /^Tensor\.reshape: expected shape to be an array of integers \(-1 allowed\), but received \[-1, 2\.5\]$/],
  // dtypes and data
  ['dtype "float"', () => torch.zeros([2], { dtype: "float" as never }), TypeError,
    /^torch\.zeros: expected dtype to be one of uint8, .*float32.*, but received "float"$/],
  ['sum({dtype: "int"})', () => f32(2).sum(null, { dtype: "int" as never }), TypeError,
    /^Tensor\.sum: expected dtype to be one of .*received "int"$/],
  ["ragged nested array", () => torch.tensor([[1, 2], [3]] as never), TypeError,
    /^torch\.tensor: ragged nested array: expected length 2 at data\[1\], but received \[3\]$/],
  ["mixed element types", () => torch.tensor([[1, 2], [true, 3]] as never), TypeError,
    /^torch\.tensor: mixed element types \(number and boolean\) at data\[1\]\[0\]$/],
  ["strings as data", () => torch.tensor(["a", "b"] as never), TypeError,
    /^torch\.tensor: expected numbers, booleans, bigints or \{ re, im \} complex values, but data\[0\] is "a"$/],
  ["undefined as data", () => torch.tensor(undefined as never), TypeError, /^torch\.tensor: expected numbers.*data is undefined$/],
  ["Uint16Array without float16/bfloat16", () => torch.tensor(new Uint16Array(4)), TypeError,
    /^torch\.tensor: a Uint16Array holds raw float16\/bfloat16 bits; pass dtype: "float16" or "bfloat16"$/],
  ["DataView as data", () => torch.tensor(new DataView(new ArrayBuffer(4)) as never), TypeError,
    /^torch\.tensor: expected data to be a Float32Array, .*but received DataView\(4\)$/],
  ["TypedArray shape/data length mismatch", () => torch.tensor(new Float32Array(6), { shape: [2, 2] }), TypeError,
    /^torch\.tensor: shape \[2, 2\] holds 4 elements, but data has 6$/],
  ["int64 value out of range", () => torch.tensor([1n << 70n]), TypeError, /^torch\.tensor: .*int64/],
  ["NaN into an integer dtype", () => torch.tensor([NaN], { dtype: "int32" }), TypeError, /^torch\.tensor: cannot convert NaN/],
  ["frombuffer length not a multiple of the element size", () => torch.frombuffer(new Uint8Array(7), { dtype: "float32" }),
    TypeError, /^torch\.frombuffer: buffer length 7 is not a multiple of the float32 element size 4$/],
  ["frombuffer shape larger than the buffer", () => torch.frombuffer(new Uint8Array(4), { dtype: "uint8", shape: [5] }),
    TypeError, /^torch\.frombuffer: .*shape \[5\]/],
  ["frombuffer of a plain array", () => torch.frombuffer([1, 2] as never, { dtype: "uint8" }), TypeError,
    /^torch\.frombuffer: expected buffer to be an ArrayBuffer, Buffer or TypedArray, but received \[1, 2\]$/],
  ["full with a string fill value", () => torch.full([2], "x" as never), TypeError,
    /^torch\.full: expected fillValue to be a number, bigint or boolean, but received "x"$/],
  // tensor lists and tensor arguments
  ["cat of an empty list", () => torch.cat([]), TypeError,
    /^torch\.cat: expected tensors to be a non-empty array of Tensors, but received \[\]$/],
  ["cat with a non-tensor element", () => torch.cat([f32(2), [1, 2] as never]), TypeError,
    /^torch\.cat: expected tensors to be a non-empty array of Tensors, but received \[tensor\(.*\), \[1, 2\]\]$/],
  ["stack with a non-tensor element", () => torch.stack([f32(2), 3 as never]), TypeError,
    /^torch\.stack: expected tensors to be a non-empty array of Tensors, but received \[tensor\(.*\), 3\]$/],
  ["cat with a fractional dim", () => torch.cat([f32(2)], 0.5), TypeError, /^torch\.cat: expected dim to be an integer, but received 0\.5$/],
  ["where with a non-tensor condition", () => torch.where([true, false] as never, 1, 2), TypeError,
    /^torch\.where: expected condition to be a bool Tensor, but received \[true, false\]$/],
  ["where with a string input", () => torch.where(f32(2).gt(0), "a" as never, 1), TypeError,
    /^torch\.where: expected input to be a Tensor or a number, but received "a"$/],
  ["matmul with a non-tensor", () => f32(2).matmul([1, 2] as never), TypeError,
    /^Tensor\.matmul: expected other to be a Tensor, but received \[1, 2\]$/],
  ["add with a string operand", () => f32(2).add("1" as never), TypeError,
    /^Tensor\.add: expected other to be a Tensor or a number, but received "1"$/],
  ["indexSelect with an array index", () => f32(3).indexSelect(0, [0] as never), TypeError,
    /^Tensor\.indexSelect: expected index to be a Tensor, but received \[0\]$/],
  ["zerosLike of a non-tensor", () => torch.zerosLike([1] as never), TypeError,
    /^torch\.zerosLike: expected input to be a Tensor, but received \[1\]$/],
  ["backward with an array gradient", () => torch.ones([2], { requiresGrad: true }).mul(2).backward([1, 1] as never), TypeError,
    /^Tensor\.backward: expected gradient to be a Tensor, but received \[1, 1\]$/],
  // scalar arguments
  ["clamp with neither bound", () => f32(2).clamp(), TypeError, /^Tensor\.clamp: at least one of min or max must not be null$/],
  ["clamp with a string bound", () => f32(2).clamp_("1" as never), TypeError,
    /^Tensor\.clamp_: expected min to be a number, but received "1"$/],
  ["sum over a fractional dim", () => f32(2).sum(0.5), TypeError, /^Tensor\.sum: expected dim .*received 0\.5$/],
  ["arange with step 0", () => torch.arange(0, 5, 0), TypeError, /^torch\.arange: expected step to be nonzero, but received 0$/],
  ["arange with a string end", () => torch.arange("5" as never), TypeError, /^torch\.arange: expected end to be a number, but received "5"$/],
  ["randint with high <= low", () => torch.randint(5, 5, [2]), TypeError,
    /^torch\.randint: expected low < high, but received low=5, high=5$/],
  ["randint with a fractional low", () => torch.randint(0.5, 5, [2]), TypeError,
    /^torch\.randint: expected low to be an integer, but received 0\.5$/],
  ["linspace with negative steps", () => torch.linspace(0, 1, -1), TypeError,
    /^torch\.linspace: expected steps to be a non-negative integer, but received -1$/],
  ["manualSeed(-1)", () => torch.manualSeed(-1), TypeError,
    /^torch\.manualSeed: expected seed to be a non-negative integer below 2\^64, but received -1$/],
  ["manualSeed(1.5)", () => torch.manualSeed(1.5), TypeError, /^torch\.manualSeed: expected seed .*received 1\.5$/],
  ["manualSeed(2n ** 64n)", () => torch.manualSeed(2n ** 64n), TypeError, /^torch\.manualSeed: expected seed .*received 18446744073709551616n$/],
  ["setNumThreads(0)", () => torch.setNumThreads(0), TypeError,
    /^torch\.setNumThreads: expected n to be a positive integer, but received 0$/],
  // callbacks
  ["tidy with a non-function", () => torch.tidy(42 as never), TypeError, /^torch\.tidy: expected fn to be a function/],
  ["tidy with an async function", () => torch.tidy(async () => f32(2)), TypeError,
    /^torch\.tidy: fn must be synchronous, but it returned a Promise/],
  ["noGrad with a plain function returning a Promise", () => torch.noGrad(() => Promise.resolve(1)), TypeError,
    /^torch\.noGrad: fn returned a Promise but is not an async function/],
  ["enableGrad with a non-function", () => torch.enableGrad("x" as never), TypeError, /^torch\.enableGrad: expected fn to be a function/],
  // options
  ['{keepdim: "yes"}', () => f32(2, 3).sum(0, { keepdim: "yes" as never }), TypeError,
    /^Tensor\.sum: expected keepdim to be a boolean, but received "yes"$/],
  ['{alpha: "2"}', () => f32(2).add(1, { alpha: "2" as never }), TypeError,
    /^Tensor\.add: expected alpha to be a number, bigint or boolean, but received "2"$/],
  ['{requiresGrad: "yes"}', () => torch.zeros([2], { requiresGrad: "yes" as never }), TypeError,
    /^torch\.zeros: expected requiresGrad to be a boolean, but received "yes"$/],
  ['{retainGraph: 1}', () => torch.ones([1], { requiresGrad: true }).sum().backward(null, { retainGraph: 1 as never }), TypeError,
    /^Tensor\.backward: expected retainGraph to be a boolean, but received 1$/],
  // By the calling rule a second positional argument of sum is Python's keepdim.
  ["a number for sum's positional keepdim", () => f32(2, 3).sum(0, 5 as never), TypeError,
    /^Tensor\.sum: expected keepdim to be a boolean, but received 5$/],
  ["options that are a string", () => torch.tensor([1], "float32" as never), TypeError,
    /^torch\.tensor: expected options to be an object, but received "float32"$/],
  ["an array for max's positional keepdim", () => f32(2).max(0, [true] as never), TypeError,
    /^Tensor\.max: expected keepdim to be a boolean, but received \[true\]$/],
  ["requiresGrad setter with a number", () => { (f32(2) as { requiresGrad: unknown }).requiresGrad = 1; }, TypeError,
    /^Tensor\.requiresGrad: expected value to be a boolean, but received 1$/],
];

// ---- errors libtorch raises: TorchError with PyTorch's own message ----
const torchErrors: Case[] = [
  ["matmul shape mismatch", () => f32(2, 3).matmul(f32(4, 5)), TorchError,
    /^mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)$/],
  ["torch.matmul of 0-d tensors", () => torch.matmul(f32(), f32()), TorchError, /both arguments to matmul need to be at least 1D/],
  ["broadcasting mismatch in add", () => f32(2, 3).add(f32(4)), TorchError,
    /^The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1$/],
  ["in-place result that cannot broadcast", () => f32(3).add_(f32(2, 3)), TorchError,
    /output with shape \[3\] doesn't match the broadcast shape \[2, 3\]/],
  ["requiresGrad_ on int64", () => i64(2).requiresGrad_(), TorchError,
    /^Only Tensors of floating point and complex dtype can require gradients$/],
  ["requiresGrad option on int64", () => torch.zeros([2], { dtype: "int64", requiresGrad: true }), TorchError,
    /Only Tensors of floating point and complex dtype can require gradients/],
  ["mean of int64", () => i64(2).mean(), TorchError,
    /^mean\(\): could not infer output dtype\. Input dtype must be either a floating point or complex dtype\. Got: Long$/],
  ["std of int64", () => i64(2).std(), TorchError, /std and var only support floating point and complex dtypes/],
  ["rand with an integer dtype", () => torch.rand([2], { dtype: "int64" }), TorchError, /not implemented for 'Long'/],
  ["sum over dim out of range", () => f32(2, 3).sum(2), TorchError,
    /^Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)$/],
  ["squeeze dim out of range", () => f32(2, 3).squeeze(5), TorchError, /^Dimension out of range .*but got 5\)$/],
  ["transpose dim out of range", () => f32(2, 3).transpose(0, 3), TorchError, /^Dimension out of range .*but got 3\)$/],
  ["size(dim) out of range", () => f32(2, 3).size(2), TorchError,
    /^Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)$/],
  ["cat along a dim out of range", () => torch.cat([f32(2)], 3), TorchError, /^Dimension out of range .*but got 3\)$/],
  ["select index out of range", () => f32(2, 3).select(0, 5), TorchError,
    /^select\(\): index 5 out of range for tensor of size \[2, 3\] at dimension 0$/],
  ["narrow past the end", () => f32(2, 3).narrow(0, 1, 5), TorchError, /start \(1\) \+ length \(5\) exceeds dimension size \(2\)/],
  ["view on a non-contiguous tensor", () => f32(2, 3).t().view(6), TorchError,
    /^view size is not compatible with input tensor's size and stride.*Use \.reshape\(\.\.\.\) instead\.$/],
  ["view with two inferred dims", () => f32(2, 3).view(-1, -1), TorchError, /only one dimension can be inferred/],
  ["reshape to an incompatible size", () => f32(2, 3).reshape(4, 2), TorchError, /^shape '\[4, 2\]' is invalid for input of size 6$/],
  ["expand to an incompatible size", () => f32(2, 3).expand(3, 3), TorchError,
    /The expanded size of the tensor \(3\) must match the existing size \(2\) at non-singleton dimension 0/],
  ["permute with too few dims", () => f32(2, 3).permute(0), TorchError, /number of dimensions in the tensor input does not match/],
  ["t() of a 3-d tensor", () => f32(2, 3, 4).t(), TorchError, /^t\(\) expects a tensor with <= 2 dimensions, but self is 3D$/],
  ["cat of mismatched shapes", () => torch.cat([f32(2, 3), f32(2, 4)]), TorchError,
    /^Sizes of tensors must match except in dimension 0\. Expected size 3 but got size 4 for tensor number 1 in the list\.$/],
  ["stack of mismatched shapes", () => torch.stack([f32(2, 3), f32(2, 4)]), TorchError,
    /^stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[2, 4\] at entry 1$/],
  ["indexSelect with a float index", () => f32(3).indexSelect(0, torch.tensor([0, 1])), TorchError,
    /^index_select\(\): Expected dtype int32 or int64 for index$/],
  ["where with a float condition", () => torch.where(f32(2), 1, 2), TorchError,
    /where expected condition to be a boolean tensor, but got a tensor with dtype Float/],
  ["backward on a non-scalar without a gradient", () => torch.ones([2], { requiresGrad: true }).mul(2).backward(), TorchError,
    /^grad can be implicitly created only for scalar outputs$/],
  ["backward with a gradient of the wrong shape", () => torch.ones([2], { requiresGrad: true }).mul(2).backward(f32(3)), TorchError,
    /invalid gradient at index 0 - got \[3\] but expected shape compatible with \[2\]/],
  ["backward through a tensor that needs no grad", () => f32(1).sum().backward(), TorchError,
    /element 0 of tensors does not require grad and does not have a grad_fn/],
  ["backward twice through a freed graph", () => {
    const y = torch.ones([2], { requiresGrad: true }).exp().sum();
    y.backward();
    y.backward();
  }, TorchError, /Trying to backward through the graph a second time/],
  ["assigning a grad of the wrong shape", () => { torch.ones([2], { requiresGrad: true }).grad = f32(3); }, TorchError,
    /grad.*(size|shape)/i],
  ["in-place op on a leaf that requires grad", () => torch.zeros([2], { requiresGrad: true }).add_(1), TorchError,
    /a leaf Variable that requires grad is being used in an in-place operation/],
  ["item() on a multi-element tensor", () => f32(2).item(), TorchError, /^a Tensor with 2 elements cannot be converted to Scalar$/],
  ["arange with an infinite end", () => torch.arange(0, Infinity), TorchError, /unsupported range: 0 -> inf/],
  ["integer to a negative power", () => torch.tensor([2n]).pow(-1), TorchError, /Integers to negative integer powers are not allowed/],
  ["subtracting bool tensors", () => torch.tensor([true]).sub(torch.tensor([true])), TorchError,
    /Subtraction, the `-` operator, with two bool tensors is not supported/],
  ["allocation that overflows", () => torch.zeros(1e15, 1e15), TorchError, /Storage size calculation overflowed/],
];

// ---- CUDA requested on a machine without it ----
const cudaErrors: Case[] = [
  ['device "cuda"', () => torch.zeros([2], { device: "cuda" }), TorchError,
    /^torch\.zeros: CUDA is not available \(.*\); use device "cpu"/],
  ['tensor(…, {device: "cuda:0"})', () => torch.tensor([1], { device: "cuda:0" }), TorchError, /^torch\.tensor: CUDA is not available/],
  ['Tensor.to("cuda")', () => f32(2).to("cuda"), TorchError, /^Tensor\.to: CUDA is not available/],
  ["Tensor.cuda()", () => f32(2).cuda(), TorchError, /^Tensor\.to: CUDA is not available/],
  ["cuda.synchronize()", () => torch.cuda.synchronize(), TorchError, /CUDA is not available/],
];

describe("argument validation (TypeError)", () => {
  it.each(typeErrors)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});

describe("libtorch errors (TorchError)", () => {
  it.each(torchErrors)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});

describe.skipIf(!noCuda)("CUDA on a CPU-only machine (TorchError)", () => {
  it.each(cudaErrors)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});

describe("a disposed tensor", () => {
  const disposed = () => {
    const t = torch.ones(2);
    t.dispose();
    return t;
  };
  const cases: [string, (t: torch.Tensor) => unknown][] = [
    ["a method", (t) => t.add(1)],
    ["an argument to another tensor's op", (t) => f32(2).add(t)],
    ["an element of torch.cat", (t) => torch.cat([f32(2), t])],
    ["torch.where's input", (t) => torch.where(f32(2).gt(0), t, 0)],
    [".shape", (t) => t.shape],
    [".dtype", (t) => t.dtype],
    ["size(0)", (t) => t.size(0)],
    ["item()", (t) => t.item()],
    ["toTypedArray()", (t) => t.toTypedArray()],
  ];
  it.each(cases)("throws a TorchError when used as %s", (_name, use) => {
    const t = disposed();
    expectError(() => use(t), TorchError, /disposed/);
  });

  it("can still be printed and disposed again", () => {
    const t = disposed();
    expect(t.isDisposed).toBe(true);
    expect(String(t)).toBe("tensor(<disposed>)");
    expect(() => t.dispose()).not.toThrow();
  });
});

describe("state after a failed call", () => {
  it.each([
    ["noGrad", torch.noGrad],
    ["enableGrad", torch.enableGrad],
  ] as const)("%s restores grad mode after refusing a plain function's Promise", (_name, run) => {
    for (const mode of [true, false]) {
      torch.setGradEnabled(mode);
      try {
        expect(() => run(() => Promise.resolve(1))).toThrow(TypeError);
        expect(torch.isGradEnabled()).toBe(mode);
        expect(() => run(() => { throw new Error("inner"); })).toThrow("inner");
        expect(torch.isGradEnabled()).toBe(mode);
      } finally {
        torch.setGradEnabled(true);
      }
    }
  });

  // A factory that fails must not leave a tensor behind (counted while the tidy() scope is open,
  // before it would clean up after the failed call).
  it.each([
    ["tensor(int64, {requiresGrad})", () => torch.tensor([1n], { requiresGrad: true })],
    ["tensor([Infinity], {dtype: int64})", () => torch.tensor([Infinity], { dtype: "int64" })],
    ["zeros({dtype: int64, requiresGrad})", () => torch.zeros([2], { dtype: "int64", requiresGrad: true })],
    ["full(int64, {requiresGrad})", () => torch.full([2], 1n, { requiresGrad: true })],
    ["frombuffer with a shape too large", () => torch.frombuffer(new Uint8Array(4), { dtype: "float32", shape: [2] })],
  ] as const)("a failed %s leaves no live tensor", (_name, call) => {
    const before = torch.liveTensors();
    let leftBehind = -1;
    torch.tidy(() => {
      expect(call).toThrow();
      leftBehind = torch.liveTensors() - before;
    });
    expect(leftBehind).toBe(0);
  });

  it("the library still works and no tensors leaked", () => {
    // Every case above made its tensors in a tidy() scope or disposed them: nothing may remain.
    expect(torch.liveTensors()).toBe(liveAtStart);
    expect(torch.isGradEnabled()).toBe(true);

    const x = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = torch.tidy(() => x.matmul(torch.ones(2, 1)).pow(2).sum());
    expect(y.item()).toBe(9 + 49);
    y.backward();
    const grad = x.grad!;
    expect(grad.tolist()).toEqual([[6, 6], [14, 14]]);
    const joined = torch.cat([x, torch.zeros(1, 2)]);
    expect(joined.shape).toEqual([3, 2]);
    // The test keeps x, y, grad, joined and the zeros it passed to cat.
    expect(torch.liveTensors()).toBe(liveAtStart + 5);
    torch.dispose(x, y, grad, joined);
  });
});
