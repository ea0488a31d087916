// Python's reflected operators on Tensor: `x.__radd__(other)` is what `other + x` runs when
// `other` is a number. PyTorch defines the commutative ones in C++ as the op itself
// (python_variable_methods.cpp: __radd__ is add, __rmul__ mul, __rand__ bitwise_and, …) and the
// others in torch/_tensor.py, ported here: __rsub__ is rsub, __rdiv__ reciprocal() * other,
// __rmod__ remainder(other, x), __rpow__ tensor(other, dtype=result_type(other, x)) ** x,
// __rmatmul__ matmul(other, x), __rfloordiv__ / __rlshift__ / __rrshift__ the op with other first.
import type { Scalar } from "../../binding.js";
import { full } from "./creation.js";
import { dtypeFromCode } from "../dtype.js";
import { defineMethods } from "./define_methods.js";
import { tidy } from "../memory.js";
import { Tensor, type TensorOrScalar } from "./tensor.js";
import { argError, checkScalar } from "../validate.js";
import { bitwiseAnd, bitwiseLeftShift, bitwiseOr, bitwiseRightShift, bitwiseXor, floorDivide, remainder, resultType, rsub } from "./ops.generated.js";

/** `other` checked: a Tensor, or a number, bigint or boolean (a Python scalar). */
function operand(name: string, other: unknown): Tensor | Scalar {
  if (other instanceof Tensor) return other;
  const t = typeof other;
  if (t !== "number" && t !== "bigint" && t !== "boolean") throw argError(`Tensor.${name}`, "other", "a Tensor or a number, bigint or boolean", other);
  return checkScalar(`Tensor.${name}`, "other", other); // a bigint must fit in int64
}

/**
 * A scalar `other` as the tensor Python's torch.tensor(other, dtype=result_type(other, x))
 * makes: typed as the scalar would promote against x, so `other op x` types as `x op other`.
 */
function asTensor(x: Tensor, other: Tensor | Scalar): Tensor {
  if (other instanceof Tensor) return other;
  return full([], other, { dtype: dtypeFromCode(resultType(other, x) as unknown as number), device: x.device as never });
}

/** `op(other, x)` for an op whose first argument must be a tensor; a scalar made for it is freed. */
const reversed = (name: string, op: (a: Tensor, b: Tensor) => Tensor) => function (this: Tensor, other: TensorOrScalar): Tensor {
  const o = operand(name, other);
  return o instanceof Tensor ? op(o, this) : tidy(() => op(asTensor(this, o), this));
};

declare module "./tensor.js" {
  interface Tensor {
    /** Python: `x.__radd__(other)`, i.e. `other + x`. */
    __radd__(other: TensorOrScalar): Tensor;
    /** Python: `x.__rsub__(other)`, i.e. `other - x`. */
    __rsub__(other: TensorOrScalar): Tensor;
    /** Python: `x.__rmul__(other)`, i.e. `other * x`. */
    __rmul__(other: TensorOrScalar): Tensor;
    /** Python: `x.__rdiv__(other)`, i.e. `other / x` (x.reciprocal() * other). */
    __rdiv__(other: TensorOrScalar): Tensor;
    /** Python: `x.__rtruediv__(other)`, i.e. `other / x`. */
    __rtruediv__(other: TensorOrScalar): Tensor;
    /** Python: `x.__rfloordiv__(other)`, i.e. `other // x`. */
    __rfloordiv__(other: TensorOrScalar): Tensor;
    /** Python: `x.__rmod__(other)`, i.e. `other % x`. */
    __rmod__(other: TensorOrScalar): Tensor;
    /** Python: `x.__rpow__(other)`, i.e. `other ** x`. */
    __rpow__(other: TensorOrScalar): Tensor;
    /** Python: `x.__rmatmul__(other)`, i.e. `other @ x`. */
    __rmatmul__(other: Tensor): Tensor;
    /** Python: `x.__rand__(other)`, i.e. `other & x`. */
    __rand__(other: TensorOrScalar): Tensor;
    /** Python: `x.__ror__(other)`, i.e. `other | x`. */
    __ror__(other: TensorOrScalar): Tensor;
    /** Python: `x.__rxor__(other)`, i.e. `other ^ x`. */
    __rxor__(other: TensorOrScalar): Tensor;
    /** Python: `x.__rlshift__(other)`, i.e. `other << x`. */
    __rlshift__(other: TensorOrScalar): Tensor;
    /** Python: `x.__rrshift__(other)`, i.e. `other >> x`. */
    __rrshift__(other: TensorOrScalar): Tensor;
  }
}

type Binary = (a: Tensor, b: TensorOrScalar) => Tensor;
function rdiv(this: Tensor, other: TensorOrScalar): Tensor {
  const o = operand("__rdiv__", other);
  return tidy(() => this.reciprocal().mul(o));
}

defineMethods({
  __radd__(this: Tensor, other: TensorOrScalar) { return this.add(operand("__radd__", other)); },
  __rmul__(this: Tensor, other: TensorOrScalar) { return this.mul(operand("__rmul__", other)); },
  __rand__(this: Tensor, other: TensorOrScalar) { return (bitwiseAnd as Binary)(this, operand("__rand__", other)); },
  __ror__(this: Tensor, other: TensorOrScalar) { return (bitwiseOr as Binary)(this, operand("__ror__", other)); },
  __rxor__(this: Tensor, other: TensorOrScalar) { return (bitwiseXor as Binary)(this, operand("__rxor__", other)); },
  __rsub__(this: Tensor, other: TensorOrScalar) { return (rsub as Binary)(this, operand("__rsub__", other)); },
  __rdiv__: rdiv,
  __rtruediv__: rdiv,
  __rmod__(this: Tensor, other: TensorOrScalar) {
    const o = operand("__rmod__", other);
    return (remainder as (a: TensorOrScalar, b: Tensor) => Tensor)(o, this);
  },
  __rpow__(this: Tensor, other: TensorOrScalar) {
    const o = operand("__rpow__", other);
    // Python copies a tensor `other` through torch.tensor too: detached, in the promoted dtype.
    if (!(o instanceof Tensor)) return tidy(() => asTensor(this, o).pow(this));
    return tidy(() => o.detach().to(dtypeFromCode(resultType(o, this) as unknown as number)).pow(this));
  },
  __rfloordiv__: reversed("__rfloordiv__", (a, b) => (floorDivide as Binary)(a, b)),
  __rlshift__: reversed("__rlshift__", (a, b) => (bitwiseLeftShift as Binary)(a, b)),
  __rrshift__: reversed("__rrshift__", (a, b) => (bitwiseRightShift as Binary)(a, b)),
  __rmatmul__(this: Tensor, other: Tensor) {
    if (!(other instanceof Tensor)) throw argError("Tensor.__rmatmul__", "other", "a Tensor", other);
    return other.matmul(this);
  },
});
