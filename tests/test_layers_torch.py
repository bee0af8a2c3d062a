# ruff: noqa: E731  (the refusal cases pair two one-line calls as lambdas)
"""Grouped conv, transposed conv and pooling against torch.nn.functional.

Parameters are drawn so that some are invalid: where torch refuses, ours
must raise ValueError; where it answers, the numbers (and shapes) must match.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conv

torch = pytest.importorskip("torch")
F = torch.nn.functional

DTYPES = {"float64": (np.float64, 1e-10), "float32": (np.float32, 2e-4)}


def nchw(x):
    return torch.from_numpy(np.ascontiguousarray(x)).permute(2, 0, 1)[None]


def hwc(t):
    return t[0].permute(1, 2, 0).numpy()


def torch_or_none(fn):
    """torch's answer, or None where it refuses.

    An empty result counts as a refusal: some torch paths (float32
    transposed convolution) return a 0-wide output where others raise
    "Output size is too small"; ours always raises.
    """
    try:
        out = fn()
    except (RuntimeError, ValueError):
        return None
    return None if out.size == 0 else out


@settings(max_examples=120)
@given(
    hw=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    groups=st.integers(1, 4),
    c_per=st.integers(1, 3),
    f_per=st.integers(1, 3),
    c_extra=st.sampled_from([0, 0, 0, 1]),  # sometimes C is not divisible by groups
    k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    dtype=st.sampled_from(sorted(DTYPES)),
    seed=st.integers(0, 2**32 - 1),
)
def test_grouped_conv2d(
    hw, groups, c_per, f_per, c_extra, k, stride, dilation, padding, dtype, seed
):
    np_dtype, tol = DTYPES[dtype]
    rng = np.random.default_rng(seed)
    c = groups * c_per + c_extra
    x = rng.normal(size=(*hw, c)).astype(np_dtype)
    kernel = rng.normal(size=(*k, c_per, groups * f_per)).astype(np_dtype)
    expected = torch_or_none(
        lambda: hwc(
            F.conv2d(
                nchw(x),
                torch.from_numpy(kernel).permute(3, 2, 0, 1),
                stride=stride,
                padding=padding,
                dilation=dilation,
                groups=groups,
            )
        )
    )
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    if expected is None:
        with pytest.raises(ValueError):
            conv.conv2d(x, kernel, **kwargs)
        with pytest.raises(ValueError):
            conv.output_shape(x.shape, kernel.shape, **kwargs)
        return
    out = conv.conv2d(x, kernel, **kwargs)
    assert out.dtype == np_dtype
    assert conv.output_shape(x.shape, kernel.shape, **kwargs) == expected.shape
    np.testing.assert_allclose(out, expected, rtol=tol, atol=tol)


@settings(max_examples=120)
@given(
    hw=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    groups=st.integers(1, 3),
    c_per=st.integers(1, 3),
    f_per=st.integers(1, 3),
    k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    output_padding=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    dtype=st.sampled_from(sorted(DTYPES)),
    seed=st.integers(0, 2**32 - 1),
)
def test_conv_transpose2d(
    hw, groups, c_per, f_per, k, stride, dilation, padding, output_padding, dtype, seed
):
    np_dtype, tol = DTYPES[dtype]
    rng = np.random.default_rng(seed)
    c = groups * c_per
    x = rng.normal(size=(*hw, c)).astype(np_dtype)
    kernel = rng.normal(size=(*k, c, f_per)).astype(np_dtype)
    kwargs = dict(
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
    )
    expected = torch_or_none(
        lambda: hwc(
            F.conv_transpose2d(nchw(x), torch.from_numpy(kernel).permute(2, 3, 0, 1), **kwargs)
        )
    )
    if expected is None:
        with pytest.raises(ValueError):
            conv.conv_transpose2d(x, kernel, **kwargs)
        with pytest.raises(ValueError):
            conv.output_shape(x.shape, kernel.shape, op="transpose", **kwargs)
        return
    out = conv.conv_transpose2d(x, kernel, **kwargs)
    assert out.dtype == np_dtype
    assert conv.output_shape(x.shape, kernel.shape, op="transpose", **kwargs) == expected.shape
    np.testing.assert_allclose(out, expected, rtol=tol, atol=tol)


@settings(max_examples=150)
@given(
    hw=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    c=st.integers(1, 3),
    size=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    ceil_mode=st.booleans(),
    mode=st.sampled_from(["max", "avg"]),
    count_include_pad=st.booleans(),
    divisor_override=st.sampled_from([None, None, 3]),
    dtype=st.sampled_from(sorted(DTYPES)),
    seed=st.integers(0, 2**32 - 1),
)
def test_pool2d(
    hw,
    c,
    size,
    stride,
    padding,
    dilation,
    ceil_mode,
    mode,
    count_include_pad,
    divisor_override,
    dtype,
    seed,
):
    np_dtype, tol = DTYPES[dtype]
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(*hw, c)).astype(np_dtype)
    if mode == "max":
        dilation_used = dilation
        call = lambda: F.max_pool2d(nchw(x), size, stride, padding, dilation, ceil_mode=ceil_mode)
        extra = {"dilation": dilation}
    else:
        dilation_used = (1, 1)  # avg_pool2d has no dilation
        call = lambda: F.avg_pool2d(
            nchw(x), size, stride, padding, ceil_mode, count_include_pad, divisor_override
        )
        extra = {"count_include_pad": count_include_pad, "divisor_override": divisor_override}
    expected = torch_or_none(lambda: hwc(call()))
    kwargs = dict(stride=stride, padding=padding, ceil_mode=ceil_mode, mode=mode, **extra)
    shape_kwargs = dict(stride=stride, padding=padding, dilation=dilation_used, ceil_mode=ceil_mode)
    if expected is None:
        with pytest.raises(ValueError):
            conv.pool2d(x, size, **kwargs)
        with pytest.raises(ValueError):
            conv.output_shape(x.shape, size, op="pool", **shape_kwargs)
        return
    out = conv.pool2d(x, size, **kwargs)
    assert out.dtype == np_dtype
    assert conv.output_shape(x.shape, size, op="pool", **shape_kwargs) == expected.shape
    np.testing.assert_allclose(out, expected, rtol=tol, atol=tol)


def test_max_pool_propagates_nan_as_torch():
    x = np.arange(16.0).reshape(4, 4, 1)
    x[1, 2, 0] = np.nan
    expected = hwc(F.max_pool2d(nchw(x), 2, 2))
    np.testing.assert_array_equal(conv.pool2d(x, 2), expected)


# (operation, arguments) that torch refuses; ours must raise ValueError naming the problem.
REFUSED = [
    ("conv", dict(c=4, groups=3, f=3), "groups=3 must divide C=4"),
    ("conv", dict(c=4, groups=2, f=3), "groups=2 must divide F=3"),
    ("conv", dict(c=4, groups=0, f=4), "groups must be a positive int"),
    (
        "transpose",
        dict(stride=2, output_padding=2),
        "output_padding=2 must be smaller than stride=2 or dilation=1",
    ),
    ("transpose", dict(stride=1, output_padding=1), "output_padding=1 must be smaller"),
    ("transpose", dict(padding=-1), "padding must be non-negative"),
    ("transpose", dict(padding=5), "leaves no output"),
    ("transpose", dict(c=3, groups=2), "groups=2 must divide C=3"),
    ("pool", dict(size=3, padding=2), "at most half the pooling size"),
    ("pool", dict(size=6), "does not fit"),
    ("pool", dict(size=2, stride=0), "stride must be positive"),
    (
        "pool",
        dict(size=2, mode="avg", divisor_override=0),
        "divisor_override must be a non-zero int",
    ),
]


@pytest.mark.parametrize(("op", "args", "message"), REFUSED)
def test_refuses_what_torch_refuses(op, args, message):
    rng = np.random.default_rng(0)
    c = args.get("c", 2)
    x = rng.normal(size=(5, 5, c))
    if op == "conv":
        g = args["groups"]
        kernel = rng.normal(size=(3, 3, max(c // max(g, 1), 1), args["f"]))
        torch_call = lambda: F.conv2d(
            nchw(x), torch.from_numpy(kernel).permute(3, 2, 0, 1), groups=g
        )
        ours = lambda: conv.conv2d(x, kernel, groups=g)
    elif op == "transpose":
        kw = {k: v for k, v in args.items() if k != "c"}
        kernel = rng.normal(size=(3, 3, c, 2))
        torch_call = lambda: F.conv_transpose2d(
            nchw(x), torch.from_numpy(kernel).permute(2, 3, 0, 1), **kw
        )
        ours = lambda: conv.conv_transpose2d(x, kernel, **kw)
    else:
        kw = {k: v for k, v in args.items() if k not in ("size", "mode", "divisor_override")}
        if args.get("mode") == "avg":
            torch_call = lambda: F.avg_pool2d(
                nchw(x), args["size"], divisor_override=args["divisor_override"]
            )
        else:
            torch_call = lambda: F.max_pool2d(nchw(x), args["size"], **kw)
        ours = lambda: conv.pool2d(
            x,
            args["size"],
            mode=args.get("mode", "max"),
            divisor_override=args.get("divisor_override"),
            **kw,
        )
    with pytest.raises((RuntimeError, ValueError)):
        torch_call()
    with pytest.raises(ValueError, match=message):
        ours()
