# Call plans for OpInfo entries whose op is a wrapper written in OpInfo itself (a lambda such as
# `lambda x, *args, **kwargs: x.contiguous(*args, **kwargs)`, or a small def). The wrapper's
# source is parsed with ast and turned into a JSON expression tree that test/reference/
# opinfo_plan.ts evaluates with torch-ts by the calling rule; so the replay makes the same call
# OpInfo makes, mechanically, instead of a hand-kept table of translations. A construct outside
# the small language below makes plan_of return {"unsupported": reason} (the entry then fails
# with that reason in the report).
#
# Nodes: {"ref": name} a parameter or local; {"const": encoded value}; {"torch": "nn.functional.x"}
# a torch function (or "Tensor.uniform_", an unbound Tensor method); {"builtin": name} an OpInfo
# helper the evaluator knows (wrapper_set_seed); {"call": callee, "args": [node | {"star": node}],
# "kwargs": {python name: node}, "dstar": [node]}; {"method": node, "name": str} a bound method;
# {"attr": node, "name"}; {"index": node, "key": node}; {"binop": "matmul"|"mul"|"add"|"sub",
# "left", "right"}; {"fn": {"params", "defaults", "vararg", "kwarg", "body": [stmt]}} a lambda or
# def, its statements {"assign": name, "value"}, {"expr": node}, {"nograd": [stmt]},
# {"return": node} (a lambda's body is one return).
import ast
import inspect

_TREES = {}
BUILTINS = {"wrapper_set_seed"}
BINOPS = {ast.MatMult: "matmul", ast.Mult: "mul", ast.Add: "add", ast.Sub: "sub"}


class Unsupported(Exception):
    pass


def _tree(path):
    if path not in _TREES:
        with open(path, encoding="utf-8") as f:
            _TREES[path] = ast.parse(f.read())
    return _TREES[path]


def _dotted(node):
    """"torch.nn.functional.dropout" for an attribute chain over a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class _Translator:
    def __init__(self, encode):
        self.encode = encode

    def fn(self, node, scope):
        a = node.args
        if a.posonlyargs or a.kwonlyargs:
            raise Unsupported("positional-only or keyword-only parameters")
        params = [p.arg for p in a.args]
        defaults = {}
        for p, d in zip(params[len(params) - len(a.defaults):], a.defaults):
            defaults[p] = self.expr(d, scope)
        vararg = a.vararg.arg if a.vararg else None
        kwarg = a.kwarg.arg if a.kwarg else None
        inner = scope | set(params) | {n for n in (vararg, kwarg) if n}
        if isinstance(node, ast.Lambda):
            body = [{"return": self.expr(node.body, inner)}]
        else:
            body = self.stmts(node.body, inner)
        return {"fn": {"params": params, "defaults": defaults, "vararg": vararg, "kwarg": kwarg, "body": body}}

    def stmts(self, nodes, scope):
        out = []
        for s in nodes:
            if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
                out.append({"assign": s.targets[0].id, "value": self.expr(s.value, scope)})
                scope.add(s.targets[0].id)
            elif isinstance(s, ast.Expr):
                out.append({"expr": self.expr(s.value, scope)})
            elif isinstance(s, ast.Return):
                out.append({"return": self.expr(s.value, scope) if s.value else {"const": None}})
            elif isinstance(s, ast.With) and len(s.items) == 1 and _dotted(getattr(s.items[0].context_expr, "func", None)) == "torch.no_grad":
                out.append({"nograd": self.stmts(s.body, scope)})
            else:
                raise Unsupported(f"statement {type(s).__name__}")
        return out

    def expr(self, node, scope):
        if isinstance(node, ast.Name):
            if node.id in scope:
                return {"ref": node.id}
            if node.id in BUILTINS:
                return {"builtin": node.id}
            raise Unsupported(f"free name {node.id}")
        if isinstance(node, ast.Constant):
            return {"const": self.encode(node.value)}
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted is not None and dotted.split(".")[0] == "torch" and "torch" not in scope:
                return {"torch": dotted[len("torch."):]}
            return {"attr": self.expr(node.value, scope), "name": node.attr}
        if isinstance(node, ast.Call):
            f = node.func
            torch_fn = isinstance(f, ast.Attribute) and (_dotted(f) or "").split(".")[0] == "torch" and "torch" not in scope
            if isinstance(f, ast.Attribute) and not torch_fn:
                callee = {"method": self.expr(f.value, scope), "name": f.attr}
            else:
                callee = self.expr(f, scope)
            args = [{"star": self.expr(a.value, scope)} if isinstance(a, ast.Starred) else self.expr(a, scope) for a in node.args]
            kwargs = {k.arg: self.expr(k.value, scope) for k in node.keywords if k.arg is not None}
            dstar = [self.expr(k.value, scope) for k in node.keywords if k.arg is None]
            return {"call": callee, "args": args, "kwargs": kwargs, "dstar": dstar}
        if isinstance(node, ast.Subscript):
            return {"index": self.expr(node.value, scope), "key": self.expr(node.slice, scope)}
        if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
            return {"binop": BINOPS[type(node.op)], "left": self.expr(node.left, scope), "right": self.expr(node.right, scope)}
        if isinstance(node, ast.Lambda):
            return self.fn(node, set(scope))
        raise Unsupported(f"expression {type(node).__name__}")


def _definition(f):
    """The ast node (Lambda or FunctionDef) that compiled to f."""
    code = f.__code__
    tree = _tree(inspect.getsourcefile(f))
    names = list(code.co_varnames[:code.co_argcount])
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Lambda, ast.FunctionDef)) or [p.arg for p in node.args.args] != names:
            continue
        # co_firstlineno is a def's first decorator line, else its own
        first = node.decorator_list[0].lineno if isinstance(node, ast.FunctionDef) and node.decorator_list else node.lineno
        if first == code.co_firstlineno and (isinstance(node, ast.Lambda) or node.name == f.__name__):
            return node
    raise Unsupported("definition not found in its source file")


def plan_of(f, encode):
    """The call plan of OpInfo wrapper f, or {"unsupported": reason}."""
    try:
        node = _definition(f)
        return _Translator(encode).fn(node, set())
    except (Unsupported, OSError, TypeError) as err:
        return {"unsupported": str(err)}
