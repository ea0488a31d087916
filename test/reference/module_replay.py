# Reference for the module replay (test/module_replay.test.ts): PyTorch 1.13's own module test
# databases, each case built and run here so torch-ts can rebuild the same module and check its
# forward and backward against it. Sources: common_modules.module_db (ModuleInfo inputs, float32
# and float64, train mode plus eval mode where train_and_eval_differ) and common_nn's
# module_tests, new_module_tests and criterion_tests (run in float64 under default dtype double,
# as test_nn.py runs them). One long-lived process, opinfo.py's serve():
#   {"cmd": "cases", "source": "module_db" | "module_tests" | "new_module_tests" | "criterion_tests",
#    "start", "stop"} -> {"torch", "total", "tolerance": {dtype: {rtol, atol}}, "cases": [case]}
#    (cases start..stop of the source; tolerance: assert_close's defaults for float32 and float64)
# A case: {id, source, cls, desc, dtype, training, seed, lazy, repr, ctor: {args, kwargs} |
# ctorError, functional?: {plan, kwargs} (wrap_functional entries), state: [[key, tensor]],
# inputs: {args, kwargs}, output | outputError, buffers: [[name, tensor]] (after forward),
# grad: {cotangents, paths, grads, params: [[name, grad | null]]} | {error} | null, skip?}
# (module_replay.ts's ModuleCase documents each field). Constructor and forward keywords keep
# Python's names (the TS side camelCases them); required parameters given by keyword are moved to
# their positional place, as the calling rule wants. common_nn's constructor lambdas are read by
# recording the torch.nn.X(...) call they make; wrap_functional lambdas become opinfo_plan call
# plans, their closure values constants.
import ast
import builtins
import contextlib
import copy
import functools
import inspect
import os
import sys
import warnings

import torch
import torch.nn as nn

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "stubs"))
from torch.testing._comparison import default_tolerances  # noqa: E402
from torch.testing._internal import common_nn  # noqa: E402
from torch.testing._internal.common_modules import module_db  # noqa: E402

from encoding import encode, first_line, Unencodable  # noqa: E402
from opinfo import serve  # noqa: E402
from opinfo_plan import _definition, _Translator, Unsupported  # noqa: E402

torch.set_num_threads(1)
warnings.filterwarnings("ignore")
NN_CLASSES = {n: c for n, c in vars(nn).items() if isinstance(c, type) and issubclass(c, nn.Module)}
FUNCTIONAL_NAMES = {id(f): n for n, f in vars(nn.functional).items() if callable(f)}
TORCH_NAMES = {id(f): n for n, f in vars(torch).items() if callable(f) and not isinstance(f, type)}


def enc_arg(v):
    """encode(), plus functions of torch / torch.nn.functional as {"$fn": path} (activation=F.gelu)."""
    if isinstance(v, (list, tuple)) and not isinstance(v, torch.Size):
        items = [enc_arg(x) for x in v]
        return {"$tuple": items} if isinstance(v, tuple) else items
    if isinstance(v, dict):
        return {str(k): enc_arg(x) for k, x in v.items()}
    if isinstance(v, nn.Module):
        raise Unencodable(f"a module argument ({type(v).__name__})")
    if callable(v) and not isinstance(v, (torch.Tensor, type)):
        if id(v) in FUNCTIONAL_NAMES:
            return {"$fn": f"nn.functional.{FUNCTIONAL_NAMES[id(v)]}"}
        if id(v) in TORCH_NAMES:
            return {"$fn": TORCH_NAMES[id(v)]}
        raise Unencodable(f"a function argument ({getattr(v, '__qualname__', v)})")
    return encode(v, allow_complex=True)


def signature_params(fn):
    """fn's parameters; RNN, GRU and LSTM take (*args, **kwargs) and pass them on to
    RNNBase.__init__ after their `mode`, so theirs are RNNBase's without it."""
    params = list(inspect.signature(fn).parameters.values())
    if fn in (nn.RNN.__init__, nn.GRU.__init__, nn.LSTM.__init__):
        params = [p for p in inspect.signature(nn.RNNBase.__init__).parameters.values() if p.name != "mode"]
    return params


def by_rule(fn, args, kwargs):
    """Python's args/kwargs as the calling rule passes them: required parameters positional."""
    try:
        params = signature_params(fn)
    except (TypeError, ValueError):
        return list(args), dict(kwargs)
    pos, kw = list(args), dict(kwargs)
    for p in params[len(pos):]:
        if p.kind != p.POSITIONAL_OR_KEYWORD or p.default is not p.empty or p.name not in kw:
            break
        pos.append(kw.pop(p.name))
    return pos, kw


@contextlib.contextmanager
def recording(calls):
    """torch.nn.X(...) calls made while constructing (common_nn's lambdas), outermost only."""
    depth = [0]

    def recorder(cls):
        def make(*a, **k):
            depth[0] += 1
            try:
                m = cls(*a, **k)
            finally:
                depth[0] -= 1
            if depth[0] == 0:
                calls.append((m, cls, a, k))
            return m
        return make

    saved = dict(NN_CLASSES)
    for n, c in saved.items():
        setattr(nn, n, recorder(c))
    try:
        yield
    finally:
        for n, c in saved.items():
            setattr(nn, n, c)


class _ClosureTranslator(_Translator):
    """opinfo_plan's translator, with a lambda's free names resolved: closure values (common_nn's
    targets `t`, `weights`, its `kwargs` dict) become constants."""

    def __init__(self, encode_fn, free, bound):
        super().__init__(encode_fn)
        self.free = free
        self.bound = bound  # the lambda's parameters as this case calls it

    def expr(self, node, scope):
        folded = self.fold(node, scope) or self.helper_call(node)
        if folded is not None:
            return folded
        if isinstance(node, ast.Name) and node.id not in scope and node.id in self.free:
            v = self.free[node.id]
            if callable(v) and not isinstance(v, torch.Tensor):
                raise Unsupported(f"free function {node.id}")
            return {"const": enc_arg(v)}
        return super().expr(node, scope)

    def helper_call(self, node):
        """A closure helper called on the lambda's own parameters (`**kwargs(i.data)`, where kwargs(i)
        builds {'weight': weight.type_as(i), ...}): its value for this case's inputs."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and callable(self.free.get(node.func.id))):
            return None
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        if not names <= set(self.free) | set(self.bound):
            return None
        value = eval(compile(ast.fix_missing_locations(ast.Expression(body=node)), "<helper>", "eval"),  # noqa: S307
                     {"__builtins__": builtins}, {**self.free, **self.bound})
        return {"const": enc_arg(value)}

    def fold(self, node, scope):
        """A subexpression over closure values and builtins only (`int(kwargs['ignore_index'])`)
        is evaluated here, as Python would at call time, and becomes a constant."""
        if not isinstance(node, (ast.Call, ast.Subscript, ast.BinOp, ast.UnaryOp)):
            return None
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        if names & scope or not names <= set(self.free) | set(vars(builtins)) | {"torch"} or names <= {"torch"}:
            return None
        try:
            value = eval(compile(ast.fix_missing_locations(ast.Expression(body=node)), "<fold>", "eval"),  # noqa: S307
                         {"torch": torch, "__builtins__": builtins}, dict(self.free))
            if callable(value) and not isinstance(value, torch.Tensor):
                return None
            return {"const": enc_arg(value)}
        except Exception:  # noqa: BLE001 - not foldable: translated as usual
            return None


class _FToTorch(ast.NodeTransformer):
    """common_nn's `F.x` (torch.nn.functional imported as F) spelled torch.nn.functional.x."""

    def visit_Attribute(self, node):
        if isinstance(node.value, ast.Name) and node.value.id == "F":
            chain = ast.Attribute(ast.Attribute(ast.Name("torch", ast.Load()), "nn", ast.Load()), "functional", ast.Load())
            return ast.copy_location(ast.Attribute(chain, node.attr, node.ctx), node)
        self.generic_visit(node)
        return node


def functional_plan(module, args):
    """The call a wrap_functional module makes: fn(*args, **kwargs), fn planned if a lambda."""
    cells = dict(zip(type(module).forward.__code__.co_freevars, (c.cell_contents for c in type(module).forward.__closure__)))
    fn, kwargs = cells["fn"], cells.get("kwargs", {})
    if id(fn) in FUNCTIONAL_NAMES:
        return {"fn": {"params": [], "defaults": {}, "vararg": "a", "kwarg": "k", "body": [{"return": {
            "call": {"torch": f"nn.functional.{FUNCTIONAL_NAMES[id(fn)]}"}, "args": [{"star": {"ref": "a"}}],
            "kwargs": {}, "dstar": [{"ref": "k"}]}}]}}, kwargs
    try:
        free = dict(zip(fn.__code__.co_freevars, (c.cell_contents for c in fn.__closure__ or ())))
        node = _FToTorch().visit(copy.deepcopy(_definition(fn)))
        bound = dict(zip([a.arg for a in node.args.args], args))
        return _ClosureTranslator(enc_arg, free, bound).fn(node, set()), kwargs
    except (Unsupported, OSError, TypeError, Unencodable) as err:
        return {"unsupported": str(err)}, kwargs


def tensors_in(v, path, out):
    if isinstance(v, torch.Tensor):
        out.append((path, v))
    elif isinstance(v, (tuple, list)):
        for i, x in enumerate(v):
            tensors_in(x, f"{path}.{i}", out)
    elif isinstance(v, dict):
        for k, x in v.items():
            tensors_in(x, f"{path}.{k}", out)
    return out


def run_case(case, build, args, kwargs, lazy=False):
    """Builds the module (build() -> module, ctor or reason), encodes what TS needs, runs forward
    and backward. args/kwargs: the forward inputs (not yet mutated)."""
    calls = []
    torch.manual_seed(0)
    with recording(calls) if case.get("_ctor") is None else contextlib.nullcontext():
        m = build()
    cls = type(m)
    case["cls"] = cls.__name__
    case["repr"] = repr(m)
    case["lazy"] = lazy
    if cls.__name__ == "FunctionalModule":
        plan, fkw = functional_plan(m, args)
        try:
            case["functional"] = {"plan": plan, "kwargs": enc_arg(fkw)}
        except Unencodable as err:
            case["functional"] = {"plan": {"unsupported": str(err)}, "kwargs": {}}
    else:
        ctor = case.pop("_ctor", None)
        if ctor is None:
            match = [c for c in calls if c[0] is m]
            ctor = (match[0][2], match[0][3]) if match and match[0][1] is cls else None
        if ctor is None:
            case["ctorError"] = f"constructed by {case.pop('_ctor_src', 'a lambda')} the replay cannot read"
        else:
            try:
                pos, kw = by_rule(cls.__init__, (None, *ctor[0]), ctor[1])
                case["ctor"] = {"args": [enc_arg(a) for a in pos[1:]], "kwargs": enc_arg(kw)}
            except Unencodable as err:
                case["ctorError"] = f"constructor argument: {err}"
    dtype = torch.float64 if case["dtype"] == "float64" else torch.float32
    m.to(dtype)
    m.train(case["training"])
    pos, kw = by_rule(m.forward, args, kwargs)
    try:
        case["inputs"] = {"args": [encode(a, allow_complex=True) for a in pos], "kwargs": encode(kw, allow_complex=True)}
    except Unencodable as err:
        case["skip"] = f"input: {err}"
        return case
    seed = case["seed"]
    if lazy:
        with torch.no_grad():
            torch.manual_seed(seed)
            m(*[a.detach() if isinstance(a, torch.Tensor) else a for a in pos], **kw)
    try:
        case["state"] = [[k, encode(v, allow_complex=True)] for k, v in m.state_dict().items()]
    except Unencodable as err:
        case["skip"] = f"state_dict: {err}"
        return case
    torch.manual_seed(seed)
    try:
        out = m(*pos, **kw)
    except Exception as err:  # noqa: BLE001 - PyTorch refusing an input is data
        case["outputError"] = first_line(err)
        return case
    try:
        case["output"] = encode(out, allow_complex=True)
        case["buffers"] = [[k, encode(b, allow_complex=True)] for k, b in m.named_buffers()]
    except Unencodable as err:
        case["skip"] = f"output: {err}"
        return case
    outs = [t for _, t in tensors_in(out, "output", []) if (t.is_floating_point() or t.is_complex()) and t.requires_grad]
    leaves = [(p, t) for p, t in tensors_in(pos, "args", []) + tensors_in(kw, "kwargs", []) if t.requires_grad]
    params = list(m.named_parameters())
    if not outs or not (leaves or params):
        case["grad"] = None
        return case
    g = torch.Generator().manual_seed(1)
    cot = [torch.randn(t.shape, generator=g, dtype=t.dtype) for t in outs]
    try:
        grads = torch.autograd.grad(outs, [t for _, t in leaves] + [p for _, p in params], cot, allow_unused=True)
    except Exception as err:  # noqa: BLE001
        case["grad"] = {"error": first_line(err)}
        return case
    # Embedding(sparse=True)'s weight gradient is sparse: compared dense
    enc_g = lambda x: None if x is None else encode(x.to_dense() if x.is_sparse else x, allow_complex=True)  # noqa: E731
    case["grad"] = {"cotangents": [encode(c, allow_complex=True) for c in cot], "paths": [p for p, _ in leaves],
                    "grads": [enc_g(x) for x in grads[:len(leaves)]],
                    "params": [[n, enc_g(x)] for (n, _), x in zip(params, grads[len(leaves):])]}
    return case


def module_db_cases():
    """(case stub, build, args, kwargs, lazy) for every ModuleInfo input, dtype and mode."""
    for info in module_db:
        flags = [True, False] if info.train_and_eval_differ else [True]
        lazy = info.module_cls.__name__.startswith("Lazy")
        for dtype in (torch.float32, torch.float64):
            if dtype not in info.dtypes:
                continue
            for training in flags:
                torch.manual_seed(0)
                inputs = info.module_inputs_func(info, device="cpu", dtype=dtype, requires_grad=True, training=training)
                for k, mi in enumerate(inputs):
                    if mi.forward_input is None:
                        continue
                    ci = mi.constructor_input
                    stub = {"source": "module_db", "desc": mi.desc, "dtype": str(dtype)[6:], "training": training,
                            "_ctor": (ci.args, ci.kwargs), "id": f"{info.name}/{k}{'-' + mi.desc if mi.desc else ''}/{str(dtype)[6:]}/{'train' if training else 'eval'}"}
                    yield stub, (lambda c=info.module_cls, ci=ci: c(*ci.args, **ci.kwargs)), mi.forward_input.args, mi.forward_input.kwargs, lazy


def common_nn_cases(source):
    tests = getattr(common_nn, source)
    for k, params in enumerate(tests):
        p = dict(params)
        if "constructor" not in p:
            p["constructor"] = getattr(nn, p.pop("module_name"))
        p.pop("decorator", None)
        criterion = source == "criterion_tests"
        name = p.get("fullname") or f"{p['constructor'].__name__}{'_' + p['desc'] if p.get('desc') else ''}"
        stub = {"source": source, "desc": p.get("desc", ""), "dtype": "float64", "training": True, "id": f"{source}/{k}/{name}"}
        yield stub, p, criterion


def build_common_nn(stub, p, criterion):
    """Inputs as test_nn.py's NewModuleTest / CriterionTest make them, under default dtype double."""
    torch.set_default_dtype(torch.double)
    try:
        torch.manual_seed(0)
        test = (common_nn.CriterionTest if criterion else common_nn.NewModuleTest)(**p)
        ctor_args = test.constructor_args
        inp = test._get_input()
        args = list(inp) if isinstance(inp, tuple) else [inp]
        if criterion:
            args += [test._get_target(), *test.extra_args]
        ctor = p["constructor"]
        if isinstance(ctor, type) and ctor.__name__ != "FunctionalModule":
            stub["_ctor"] = (tuple(ctor_args), {})
        elif isinstance(ctor, functools.partial) and isinstance(ctor.func, type):
            stub["_ctor"] = ((*ctor.args, *ctor_args), dict(ctor.keywords))
        stub["_ctor_src"] = getattr(ctor, "__qualname__", "a lambda")
        return run_case(stub, lambda: ctor(*ctor_args), args, {})
    finally:
        torch.set_default_dtype(torch.float32)


def all_cases(source):
    if source == "module_db":
        return list(module_db_cases())
    return list(common_nn_cases(source))


CACHE = {}


def cases(req):
    source = req["source"]
    if source not in CACHE:
        CACHE[source] = all_cases(source)
    items = CACHE[source]
    out = []
    for seed, item in enumerate(items[req.get("start", 0):req.get("stop", len(items))], start=req.get("start", 0)):
        stub = dict(item[0])
        stub["seed"] = 1000 + seed
        try:
            if source == "module_db":
                _, build, args, kwargs, lazy = item
                case = run_case(stub, build, args, kwargs, lazy)
            else:
                case = build_common_nn(stub, item[1], item[2])
        except Exception as err:  # noqa: BLE001 - e.g. a constructor PyTorch itself refuses
            stub.pop("_ctor", None)
            stub["skip"] = f"PyTorch: {first_line(err)}"
            case = stub
        case.pop("_ctor", None)
        case.pop("_ctor_src", None)
        out.append(case)
    tol = {d: dict(zip(("rtol", "atol"), default_tolerances(getattr(torch, d)))) for d in ("float32", "float64")}
    return {"torch": torch.__version__, "total": len(items), "tolerance": tol, "cases": out}


if __name__ == "__main__":
    serve({"cases": cases})
