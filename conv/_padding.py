"""Padding an image's border the ways PyTorch does: zeros, reflect, replicate, circular."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from conv._geometry import Padding2D, _explicit_padding

PAD_MODES = ("zeros", "reflect", "replicate", "circular")

_NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def check_pad_mode(pad_mode: object) -> str:
    """Return ``pad_mode`` if it is one of :data:`PAD_MODES`, else raise ValueError."""
    if not isinstance(pad_mode, str) or pad_mode not in PAD_MODES:
        raise ValueError(f"pad_mode must be one of {PAD_MODES}, got {pad_mode!r}")
    return pad_mode


def _check_fits(shape: tuple[int, ...], pads: Padding2D, mode: str) -> None:
    # PyTorch's limits: reflection cannot repeat the edge, so it needs pad < size;
    # circular wraps at most once, so pad <= size. Going further would silently
    # invent a different padding, so refuse instead.
    for size, side, axis in zip(shape[:2], pads, ("rows", "columns"), strict=True):
        for p in side:
            if mode == "reflect" and p >= size:
                raise ValueError(
                    f"reflect padding {p} needs input larger than {p} in that dimension, "
                    f"but input has {size} {axis}"
                )
            if mode == "circular" and p > size:
                raise ValueError(
                    f"circular padding {p} needs input at least {p} in that dimension, "
                    f"but input has {size} {axis}"
                )


def pad(
    x: ArrayLike,
    padding: int | tuple[int, int] | Padding2D,
    mode: str = "zeros",
) -> np.ndarray:
    """Pad the first two axes of ``x``.

    Parameters
    ----------
    x : array_like
        ``(H, W)`` or channels-last ``(H, W, C)``, not empty.
    padding : int, (rows, cols) or ((top, bottom), (left, right))
        Non-negative amounts. Use :func:`conv.resolve_padding` to turn
        ``"same"`` or ``"full"`` into numbers for a given kernel.
    mode : {"zeros", "reflect", "replicate", "circular"}
        PyTorch's modes. ``reflect`` mirrors without repeating the edge
        (needs padding < size), ``replicate`` repeats the edge, ``circular``
        wraps around (needs padding <= size).

    Returns
    -------
    numpy.ndarray
        Same dtype and number of axes as ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 2, 3]])
    >>> pad(x, ((0, 0), (2, 2)), "reflect")
    array([[3, 2, 1, 2, 3, 2, 1]])
    >>> pad(x, ((0, 0), (1, 1)), "replicate")
    array([[1, 1, 2, 3, 3]])
    >>> pad(x, ((0, 0), (1, 1)), "circular")
    array([[3, 1, 2, 3, 1]])
    >>> pad(x, ((1, 0), (0, 1)))
    array([[0, 0, 0, 0],
           [1, 2, 3, 0]])
    """
    x = np.asarray(x)
    if x.ndim not in (2, 3) or x.size == 0:
        raise ValueError(f"x must be a non-empty (H, W) or (H, W, C) array, got shape {x.shape}")
    if isinstance(padding, str):
        raise ValueError(
            f"padding must be numbers here, got {padding!r}; "
            "conv.resolve_padding turns it into numbers for a given kernel"
        )
    pads = _explicit_padding(padding)
    mode = check_pad_mode(mode)
    _check_fits(x.shape, pads, mode)
    if mode == "zeros":
        # np.pad's generic machinery costs ~40 us even on tiny arrays; a zero
        # frame plus one copy is all this mode needs.
        (top, bottom), (left, right) = pads
        out = np.zeros(
            (x.shape[0] + top + bottom, x.shape[1] + left + right, *x.shape[2:]), x.dtype
        )
        out[top : top + x.shape[0], left : left + x.shape[1]] = x
        return out
    return np.pad(x, pads + ((0, 0),) * (x.ndim - 2), mode=_NUMPY_MODE[mode])


def source_index(index: np.ndarray, size: int, mode: str) -> np.ndarray:
    """Map coordinates of the padded axis (relative to the real input) to input indices.

    ``index`` may be negative or ``>= size`` (padding); the result is the real
    input index whose value that padding cell copies, or -1 for zero padding.
    Inside the input the index is returned unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> i = np.arange(-2, 5)
    >>> source_index(i, 3, "reflect")
    array([2, 1, 0, 1, 2, 1, 0])
    >>> source_index(i, 3, "replicate")
    array([0, 0, 0, 1, 2, 2, 2])
    >>> source_index(i, 3, "circular")
    array([1, 2, 0, 1, 2, 0, 1])
    >>> source_index(i, 3, "zeros")
    array([-1, -1,  0,  1,  2, -1, -1])
    """
    index = np.asarray(index)
    mode = check_pad_mode(mode)
    if mode == "zeros":
        return np.where((index >= 0) & (index < size), index, -1)
    if mode == "replicate":
        return np.clip(index, 0, size - 1)
    if mode == "circular":
        return np.mod(index, size)
    # Reflection about the first and last cell has period 2 * (size - 1).
    if size == 1:
        return np.zeros_like(index)
    folded = np.mod(index, 2 * (size - 1))
    return np.where(folded < size, folded, 2 * (size - 1) - folded)
