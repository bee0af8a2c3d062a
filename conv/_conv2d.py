"""The public 2-D convolution: validate, pad, pick an algorithm, reshape the result."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from conv._exactness import (
    DirectWorkError,
    check_direct_cost,
    correlate_auto_fft,
    direct_cost,
)
from conv._geometry import (
    IntPair,
    Padding2D,
    PaddingSpec,
    _is_int,
    _window_geometry,
    as_pair,
)
from conv._grouped import correlate_grouped
from conv._lattice import correlate
from conv._method import choose_method
from conv._padded_input import padded_input
from conv._padding import check_pad_mode, pad

METHODS = ("auto", "direct", "fft")


def as_float_array(a: ArrayLike, name: str) -> np.ndarray:
    """``a`` as a float32 or float64 array, refusing what cannot be convolved as reals."""
    try:
        a = np.asarray(a)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular numeric array: {error}") from None
    kind = a.dtype.kind
    if kind == "c":
        raise ValueError(f"{name} must be real, got complex dtype {a.dtype}")
    if kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {a.dtype}")
    # By kind and size, not identity: a big-endian ">f4" from another machine's .npy is float32.
    if kind == "f" and a.dtype.itemsize <= 4:
        # float16 has no fast matmul or FFT; float32 keeps its memory saving.
        return a.astype(np.float32, copy=False)
    return a.astype(np.float64, copy=False)


def _check_arrays(x: np.ndarray, kernel: np.ndarray) -> None:
    if x.ndim not in (2, 3):
        raise ValueError(f"x must be (H, W) or (H, W, C), got {x.ndim}-D shape {x.shape}")
    if kernel.ndim not in (2, 3, 4):
        raise ValueError(
            f"kernel must be (KH, KW), (KH, KW, C) or (KH, KW, C, F), "
            f"got {kernel.ndim}-D shape {kernel.shape}"
        )
    for name, a in (("x", x), ("kernel", kernel)):
        if a.size == 0:
            raise ValueError(f"{name} must not be empty, got shape {a.shape}")


def prepare(
    x: ArrayLike,
    kernel: ArrayLike,
    stride: IntPair,
    padding: PaddingSpec,
    dilation: IntPair,
    pad_mode: str,
    flip: bool,
    groups: int = 1,
) -> tuple[np.ndarray, np.ndarray, tuple[int, int], Padding2D, tuple[int, int]]:
    """Validate everything; return x, kernel (KH, KW, C // groups, F), stride, pads, dilation.

    Both arrays come back in one float dtype, the kernel already flipped if
    asked. Shared with :func:`conv.explain_cell` so both see the same numbers.
    """
    x = as_float_array(x, "x")
    kernel = as_float_array(kernel, "kernel")
    _check_arrays(x, kernel)
    check_pad_mode(pad_mode)
    in_shape, k_shape, strides, pads, *_ = _window_geometry(
        x.shape, kernel.shape, stride, padding, dilation, groups
    )
    if not isinstance(flip, (bool, np.bool_)):
        raise ValueError(f"flip must be True or False, got {flip!r}")
    dtype = np.result_type(x, kernel)
    x3 = x.reshape((*in_shape[:2], -1)).astype(dtype, copy=False)
    k4 = kernel.reshape((*k_shape[:2], x3.shape[2] // groups, -1)).astype(dtype, copy=False)
    if flip:
        k4 = k4[::-1, ::-1]
    return x3, np.ascontiguousarray(k4), strides, pads, as_pair(dilation, "dilation")


def conv2d(
    x: ArrayLike,
    kernel: ArrayLike,
    *,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
    pad_mode: str = "zeros",
    flip: bool = False,
    method: str = "auto",
    groups: int = 1,
    max_direct_macs: int | None = None,
) -> np.ndarray:
    """2-D cross-correlation as in CNN layers, with stride, padding and dilation.

    ``out[i, j, f] = sum over m, n, c of
    x_pad[i * sh + m * dh, j * sw + n * dw, c] * kernel[m, n, c, f]``.

    Parameters
    ----------
    x : array_like
        ``(H, W)`` or channels-last ``(H, W, C)``.
    kernel : array_like
        ``(KH, KW)`` for a 2-D ``x`` (or one channel), ``(KH, KW, C)`` for one
        filter, or ``(KH, KW, C, F)`` for ``F`` filters.
    stride, dilation : int or (int, int)
        Positive step between windows and between kernel taps, per (rows, cols).
    padding : str, int or tuple
        ``"valid"``, ``"same"`` (output ``ceil(H / stride)``, odd extra
        bottom/right as TensorFlow), ``"full"``, an int, ``(rows, cols)`` or
        ``((top, bottom), (left, right))``. See :func:`conv.resolve_padding`.
    pad_mode : {"zeros", "reflect", "replicate", "circular"}
        What the padding cells hold, with PyTorch's semantics; see :func:`conv.pad`.
    flip : bool
        Rotate the kernel 180 degrees first: true convolution, as
        ``scipy.signal.convolve2d``.
    method : {"auto", "direct", "fft"}
        Algorithm. ``"auto"`` asks the cost model and keeps its promise of
        exactness: for finite inputs every cell is within ``1e-12 *
        sum|x * w|`` over that cell's window (``5.4e-4`` for float32: the
        same multiple of its rounding unit), the bound direct summation
        meets, and a cell is NaN or infinite only where the direct sum is.
        Where the FFT cannot prove that bound (NaN or infinity in ``x`` or
        the kernel, magnitudes that could overflow, cells far smaller than
        the largest) those cells, or all, are summed directly.
        ``"fft"`` always uses the FFT: its error is about
        ``1e-16 * log2(H * W) * ||x||_2 * ||w||_2`` in every cell, and a NaN
        or infinity anywhere spreads to every cell.
    groups : int
        Split the ``C`` channels and ``F`` filters into this many groups (it
        must divide both); filter ``f`` sees only the ``C // groups``
        channels of its group, so ``kernel`` is ``(KH, KW, C // groups, F)``
        as PyTorch's ``(F, C // groups, KH, KW)``. ``groups = C = F`` is a
        depthwise convolution.
    max_direct_macs : int, optional
        The most multiply-adds (output cells × taps × channels × filters)
        this call may sum directly; ``None`` for no limit. A direct call over
        it raises ValueError before any work; ``"auto"``'s FFT raises after
        its transforms when the cells it cannot prove would need more (each
        gathered window value counts 5: gathering costs more than a pass).
        So a server that prices the FFT from shapes (:func:`conv.estimate`)
        also bounds what data makes it do. ``"fft"`` sums nothing directly.

    Returns
    -------
    numpy.ndarray
        ``(OH, OW)`` for a 2-D or 3-D kernel, ``(OH, OW, F)`` for a 4-D one,
        see :func:`conv.output_shape`. float32 if both inputs are float32 (or
        float16), otherwise float64; integer and bool inputs become float64.

    Raises
    ------
    ValueError
        For any invalid argument, naming it and the value given.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> conv2d(x, np.ones((2, 2)), stride=2)
    array([[10., 18.],
           [42., 50.]])
    >>> conv2d(x, np.array([[1.0, -1.0]]), padding=((0, 0), (0, 1)))[0]
    array([-1., -1., -1.,  3.])
    >>> conv2d(np.ones((8, 8, 3)), np.ones((3, 3, 3, 4)), padding="same").shape
    (8, 8, 4)
    >>> conv2d(np.ones((4, 4, 2)), np.ones((3, 3, 1, 2)) * [1, 10], groups=2)[0, 0]
    array([ 9., 90.])
    """
    x_arr, k4, strides, pads, dilations = prepare(
        x, kernel, stride, padding, dilation, pad_mode, flip, groups
    )
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if max_direct_macs is not None and not (_is_int(max_direct_macs) and max_direct_macs >= 0):
        raise ValueError(
            f"max_direct_macs must be None or an integer >= 0, got {max_direct_macs!r}"
        )
    limit = None if max_direct_macs is None else int(max_direct_macs)
    # Unpadded inputs go to the kernels as they are: a copy of a large image
    # costs more than many small convolutions. Mostly-padding inputs are padded
    # per row block or tile as the kernels read them, never whole.
    if groups != 1:
        # Grouped kernels read whole arrays: they get the padded input as one.
        xp = x_arr if pads == ((0, 0), (0, 0)) else pad(x_arr, pads, pad_mode)
        out = correlate_grouped(xp, k4, strides, dilations, groups, method, limit)
        return out if np.ndim(kernel) == 4 else out[..., 0]
    xp = padded_input(x_arr, pads, pad_mode)
    if method == "auto":
        lazy = not isinstance(xp, np.ndarray)
        method = choose_method(
            xp.shape, k4.shape, strides, dilations, itemsize=xp.itemsize, lazy=lazy
        )
        if method == "fft":
            # The FFT only where it meets the exactness contract (see conv._exactness).
            try:
                out = correlate_auto_fft(xp, k4, strides, dilations, limit)
            except DirectWorkError as error:
                if error.fft_result is not None and np.ndim(kernel) != 4:
                    error.fft_result = error.fft_result[..., 0]  # as this call returns
                raise
            return out if np.ndim(kernel) == 4 else out[..., 0]
    if method == "direct":
        check_direct_cost(direct_cost(xp.shape, k4.shape, strides, dilations), limit)
    out = correlate(xp, k4, strides, dilations, method)
    return out if np.ndim(kernel) == 4 else out[..., 0]
