"""Read layer stacks from PyTorch-style text with :mod:`ast`, never executing anything.

Three forms are read: Python code building an ``nn.Sequential(...)`` (nested
ones and ``OrderedDict`` included), the ``print(model)`` output of a torch
module (``(0): Conv2d(3, 64, kernel_size=(3, 3), ...)`` lines), and one layer
call per line. Only literal arguments are accepted: numbers, strings, True,
False, None, tuples, and the bare words PyTorch prints (``padding=same``).
"""

from __future__ import annotations

import ast
import re
import warnings

from conv._layers import LAYER_CLASSES, POINTWISE, Layer, Pointwise

MAX_CHARS = 100_000
MAX_DEPTH = 12  # brackets inside brackets; a real Sequential needs about 4
MAX_DIGITS = 12
MAX_REPEAT = 1000

# PyTorch's constructor parameters in order; those in IGNORED do not change shapes.
SIGNATURES = {
    "Conv2d": (
        "in_channels out_channels kernel_size stride padding dilation groups bias padding_mode"
        " device dtype"
    ),
    "ConvTranspose2d": (
        "in_channels out_channels kernel_size stride padding output_padding groups bias dilation"
        " padding_mode device dtype"
    ),
    "MaxPool2d": "kernel_size stride padding dilation return_indices ceil_mode",
    "AvgPool2d": "kernel_size stride padding ceil_mode count_include_pad divisor_override",
    "AdaptiveAvgPool2d": "output_size",
    "AdaptiveMaxPool2d": "output_size return_indices",
    "Flatten": "start_dim end_dim",
    "Linear": "in_features out_features bias device dtype",
    "BatchNorm2d": "num_features eps momentum affine track_running_stats bias device dtype",
}
IGNORED = {"device", "dtype", "eps", "momentum", "track_running_stats"}
BARE_WORDS = {"same", "valid", "zeros", "reflect", "replicate", "circular", "nearest", "none"}

_PREFIX = re.compile(r"^\(([\w.\-]*)\):\s*")
_REPEAT = re.compile(r"^(\d+)\s*x\s+")
_DIGITS = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


def _fail(line: int, message: str) -> ValueError:
    return ValueError(f"line {line}: {message}")


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ValueError(f"text must be at most {MAX_CHARS} characters, got {len(text)}")
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        if _DIGITS.search(line):
            raise _fail(number, f"a number with more than {MAX_DIGITS} digits is not a layer size")
        for char in line:
            depth += char in "([{"
            depth -= char in ")]}"
            if depth > MAX_DEPTH:
                raise _fail(number, f"brackets nested deeper than {MAX_DEPTH}")
    return text


def _parse(text: str, mode: str = "exec") -> ast.AST:
    # Python warns on stderr about pasted code it can read (an invalid escape like
    # "\d": a DeprecationWarning up to 3.11, a SyntaxWarning since): the visitor
    # sees this module's message instead, and the server's log stays clean.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return ast.parse(text, mode=mode)


def _name(node: ast.expr, line: int) -> str:
    """The last part of ``Conv2d``, ``nn.Conv2d`` or ``torch.nn.Conv2d``."""
    parts = node
    while isinstance(parts, ast.Attribute):
        parts = parts.value
    if not isinstance(parts, ast.Name):
        raise _fail(line, "a layer must be called by name, like nn.Conv2d(...)")
    return node.attr if isinstance(node, ast.Attribute) else node.id


def _literal(node: ast.expr, line: int, where: str) -> object:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, type(None))):
        if isinstance(node.value, str) and len(node.value) > 40:
            raise _fail(line, f"{where}: string too long ({len(node.value)} characters)")
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _literal(node.operand, line, where)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) <= 4:
        return tuple(_literal(e, line, where) for e in node.elts)
    if isinstance(node, ast.Name) and node.id in BARE_WORDS:
        return node.id
    raise _fail(
        line,
        f"{where} must be a number, string, True/False/None or a tuple of those, "
        f"got {ast.unparse(node)[:60]!r}",
    )


def _layer(call: ast.Call, name: str, line: int) -> Layer:
    signature = POINTWISE.get(name) if name in POINTWISE else SIGNATURES[name].split()
    if len(call.args) > len(signature):
        raise _fail(line, f"{name} takes at most {len(signature)} positional arguments")
    given = list(zip(signature, call.args, strict=False))
    for keyword in call.keywords:
        if keyword.arg is None:
            raise _fail(line, f"{name}: **kwargs cannot be read")
        if keyword.arg not in signature:
            raise _fail(
                line,
                f"{name} has no argument {keyword.arg!r}; it takes {', '.join(signature)}",
            )
        given.append((keyword.arg, keyword.value))
    values: dict[str, object] = {}
    for arg, node in given:
        if arg in values:
            raise _fail(line, f"{name}: argument {arg!r} given twice")
        if arg in IGNORED and isinstance(node, (ast.Name, ast.Attribute)):
            continue  # device=torch.device(...) names, dtype=torch.float32: shape-neutral
        values[arg] = _literal(node, line, f"{name}: argument {arg!r}")
    for arg in IGNORED:
        values.pop(arg, None)
    try:
        if name in POINTWISE:
            return Pointwise(name, tuple(values.items()))
        if name == "AdaptiveMaxPool2d" and values.pop("return_indices", False) is not False:
            raise ValueError("AdaptiveMaxPool2d: return_indices=True does not fit a Sequential")
        return LAYER_CLASSES[name](**values)
    except (TypeError, ValueError) as error:
        raise _fail(line, str(error)) from None


def _layers(node: ast.expr, offset: int) -> list[Layer]:
    """Layers in ``node``; ``offset`` is the text line that the node's line 1 is on."""
    line = offset + node.lineno - 1
    if isinstance(node, (ast.Tuple, ast.List)):  # "nn.ReLU()," pasted from a Sequential
        return [layer for elt in node.elts for layer in _layers(elt, offset)]
    if not isinstance(node, ast.Call):
        raise _fail(line, f"expected a layer call like nn.Conv2d(3, 16, 3), got {_kind(node)}")
    name = _name(node.func, line)
    if name == "Sequential" and not node.keywords:
        out = []
        for arg in node.args:
            if isinstance(arg, ast.Call) and _name(arg.func, line) == "OrderedDict":
                items = arg.args[0].elts if arg.args and hasattr(arg.args[0], "elts") else []
                for item in items:
                    if not (isinstance(item, ast.Tuple) and len(item.elts) == 2):
                        raise _fail(
                            offset + item.lineno - 1, "OrderedDict entries must be (name, layer)"
                        )
                    out += _layers(item.elts[1], offset)
            else:
                out += _layers(arg, offset)
        return out
    if name in SIGNATURES or name in POINTWISE:
        return [_layer(node, name, line)]
    known = ", ".join(sorted([*SIGNATURES, *POINTWISE]))
    raise _fail(line, f"unknown layer {name!r}; known layers: {known}")


def _kind(node: ast.AST) -> str:
    return f"a {type(node).__name__} ({ast.unparse(node)[:40]!r})"


def _from_code(tree: ast.Module) -> list[Layer]:
    out = []
    for statement in tree.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            continue  # never run, so harmless; lets a pasted cell keep its imports
        if isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)) and statement.value:
            out += _layers(statement.value, 1)
        else:
            raise _fail(
                statement.lineno,
                f"only layer calls and nn.Sequential(...) are read, got {_kind(statement)}",
            )
    return out


def _from_lines(text: str) -> list[Layer]:
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        line = _PREFIX.sub("", line)
        repeat = _REPEAT.match(line)
        count = 1
        if repeat:  # torch prints runs of identical layers as "(1-3): 3 x Linear(...)"
            count, line = int(repeat.group(1)), line[repeat.end() :]
            if not 1 <= count <= MAX_REPEAT:
                raise _fail(number, f"repeat count must be 1 to {MAX_REPEAT}, got {count}")
        line = line.rstrip(",").strip()
        if not line or line.startswith("#") or set(line) <= set(")],") or line.endswith("("):
            continue  # blank, comment, closing bracket, or a container's first line
        try:
            node = _parse(line, mode="eval").body
        except SyntaxError as error:
            raise _fail(number, f"cannot read {line[:60]!r}: {error.msg}") from None
        out += _layers(node, number) * count
    return out


def parse_layers(text: str) -> list[Layer]:
    """Layer descriptions from PyTorch-style text, without running any of it.

    Parameters
    ----------
    text : str
        ``nn.Sequential(...)`` code, a ``print(model)`` printout, or one layer
        call per line; ``nn.``/``torch.nn.`` prefixes, imports, ``(name):``
        labels and trailing commas are allowed. A printout lists modules in the
        order they were registered, which is the order they run only for
        ``Sequential`` models. PyTorch does not print ``AvgPool2d``'s ``ceil_mode``.

    Returns
    -------
    list of layer descriptions
        For :func:`conv.trace_layers`; see :mod:`conv.layers`.

    Raises
    ------
    ValueError
        ``"line N: ..."`` naming the layer and argument for unknown layers,
        bad or non-literal arguments (anything that would run code), numbers
        over 12 digits, brackets nested over 12 deep or text over 100 000
        characters.

    Examples
    --------
    >>> parse_layers("nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(inplace=True))")
    [Conv2d(in_channels=3, out_channels=8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1, bias=True, padding_mode='zeros'), Pointwise(kind='ReLU', options=(('inplace', True),))]
    >>> text = '''Sequential(
    ...   (0): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    ...   (1): Flatten(start_dim=1, end_dim=-1)
    ... )'''
    >>> [str(layer) for layer in parse_layers(text)][1]
    'Flatten(start_dim=1, end_dim=-1)'
    >>> parse_layers("nn.Conv2d(3, 8, kernel_size=__import__('os').getpid())")
    Traceback (most recent call last):
    ...
    ValueError: line 1: Conv2d: argument 'kernel_size' must be a number, string, True/False/None or a tuple of those, got "__import__('os').getpid()"
    """  # noqa: E501
    text = _check_text(text)
    try:
        tree = _parse(text)
    except SyntaxError:
        return _from_lines(text)
    except (ValueError, MemoryError, RecursionError) as error:
        raise ValueError(f"text cannot be read: {error}") from None
    return _from_code(tree)
