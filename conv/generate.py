"""Random and patterned arrays to convolve, made exactly as numpy makes them.

``random_array`` is a thin, validated wrapper over one ``numpy.random.Generator``
call, so drawing the input and then the filter from one generator reproduces
arrays published elsewhere bit for bit. ``pattern`` makes deterministic test
inputs procedurally, so nothing is ever downloaded.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from conv.io.limits import MAX_CELLS

__all__ = ["DISTRIBUTIONS", "PATTERNS", "pattern", "random_array"]

DISTRIBUTIONS = ("normal", "uniform", "integers")
PATTERNS = ("zeros", "ones", "gradient", "checkerboard", "disk", "test-image")


def _check_shape(shape: tuple[int, ...], *, max_ndim: int) -> tuple[int, ...]:
    if isinstance(shape, Integral):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise ValueError(f"shape must be a tuple of positive ints, got {shape!r}") from None
    if not 1 <= len(dims) <= max_ndim:
        raise ValueError(f"shape must have 1 to {max_ndim} dimensions, got {shape!r}")
    if not all(isinstance(d, Integral) and not isinstance(d, bool) and d > 0 for d in dims):
        raise ValueError(f"shape must be a tuple of positive ints, got {shape!r}")
    cells = math.prod(int(d) for d in dims)
    if cells > MAX_CELLS:
        raise ValueError(f"shape={shape!r} has {cells} cells, more than the limit of {MAX_CELLS}")
    return tuple(int(d) for d in dims)


def random_array(
    shape: tuple[int, ...],
    *,
    rng: np.random.Generator,
    distribution: str = "normal",
    decimals: int | None = None,
    low: float = -1.0,
    high: float = 1.0,
) -> np.ndarray:
    """Draw an array from ``rng`` exactly as the matching numpy call does.

    Parameters
    ----------
    shape : tuple of int
        Shape of the result, 1 to 4 dimensions (4 allows a filter bank).
    rng : numpy.random.Generator
        The generator to draw from; it advances, so successive calls on one
        generator give the same arrays as successive numpy calls would.
    distribution : {"normal", "uniform", "integers"}
        ``rng.normal(size=shape)`` (``low``/``high`` unused),
        ``rng.uniform(low, high, shape)`` or
        ``rng.integers(low, high, shape, endpoint=True)`` (both ends included,
        ``low``/``high`` must be whole numbers).
    decimals : int or None
        When given, the draw is passed through ``.round(decimals)``.
    low, high : float
        Range for ``uniform`` and ``integers``.

    Returns
    -------
    numpy.ndarray
        float64, or int64 for ``integers``.

    Examples
    --------
    Input then filter from one generator reproduce ``rng.normal(...).round(2)``:

    >>> rng = np.random.default_rng(123)
    >>> x = random_array((33, 33, 3), rng=rng, decimals=2)
    >>> k = random_array((5, 5, 3), rng=rng, decimals=2)
    >>> ref = np.random.default_rng(123)
    >>> bool((x == ref.normal(size=(33, 33, 3)).round(2)).all())
    True
    >>> bool((k == ref.normal(size=(5, 5, 3)).round(2)).all())
    True
    >>> rng = np.random.default_rng(0)
    >>> bool((random_array((2, 3), rng=rng, distribution="integers", low=0, high=9)
    ...       == np.random.default_rng(0).integers(0, 9, (2, 3), endpoint=True)).all())
    True
    """
    dims = _check_shape(shape, max_ndim=4)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {rng!r}"
        )
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
    if decimals is not None and (
        not isinstance(decimals, Integral) or isinstance(decimals, bool) or decimals < 0
    ):
        raise ValueError(f"decimals must be None or an int >= 0, got {decimals!r}")
    for name, value in (("low", low), ("high", high)):
        if not isinstance(value, Real) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")

    if distribution == "normal":
        out = rng.normal(size=dims)
    elif distribution == "uniform":
        if not low < high:
            raise ValueError(f"uniform needs low < high, got low={low!r}, high={high!r}")
        out = rng.uniform(low, high, dims)
    else:
        for name, value in (("low", low), ("high", high)):
            if value != int(value):
                raise ValueError(f"integers needs whole-number {name}, got {name}={value!r}")
        if not low <= high:
            raise ValueError(f"integers needs low <= high, got low={low!r}, high={high!r}")
        out = rng.integers(int(low), int(high), dims, endpoint=True)
    return out if decimals is None else out.round(decimals)


def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    # Pixel-centre coordinates in [0, 1], so patterns look alike at any size.
    y = (np.arange(h) + 0.5) / h
    x = (np.arange(w) + 0.5) / w
    return np.meshgrid(y, x, indexing="ij")


def _test_image(h: int, w: int, channels: int) -> np.ndarray:
    y, x = _grid(h, w)
    background = 0.15 + 0.3 * x
    square = (np.abs(y - 0.3) < 0.15) & (np.abs(x - 0.3) < 0.15)
    disk = (y - 0.62) ** 2 + (x - 0.65) ** 2 < 0.22**2
    stripes = (y > 0.82) & (np.floor(x * 12) % 2 == 0)
    planes = []
    # Each channel weights the shapes differently, so colour inputs differ per channel.
    for c in range(channels):
        img = background.copy()
        img[square] = (0.95, 0.2, 0.6)[c % 3]
        img[disk] = (0.35, 0.9, 0.75)[c % 3]
        img[stripes] = 1.0
        planes.append(img)
    return np.stack(planes, axis=-1)


def pattern(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A deterministic float64 test pattern with values in [0, 1].

    Parameters
    ----------
    name : str
        One of :data:`PATTERNS`: ``"zeros"``, ``"ones"``, ``"gradient"`` (0 at
        the left edge rising to 1 at the right), ``"checkerboard"`` (squares
        of side ``max(1, min(H, W) // 8)``, top-left square 0), ``"disk"`` (1
        inside a centred disk of radius ``0.35 * min(H, W)``), ``"test-image"``
        (a procedural scene: ramp, square, disk and stripes, with distinct
        shades per channel).
    shape : tuple of int
        ``(H, W)`` or ``(H, W, C)``; every channel gets the same pattern
        except for ``test-image``.

    Examples
    --------
    >>> pattern("checkerboard", (2, 4))
    array([[0., 1., 0., 1.],
           [1., 0., 1., 0.]])
    >>> pattern("gradient", (1, 3))
    array([[0. , 0.5, 1. ]])
    >>> pattern("disk", (5, 5)).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    """
    if name not in PATTERNS:
        raise ValueError(f"name must be one of {PATTERNS}, got {name!r}")
    dims = _check_shape(shape, max_ndim=3)
    if len(dims) < 2:
        raise ValueError(f"shape must be (H, W) or (H, W, C), got {shape!r}")
    h, w = dims[:2]
    channels = dims[2] if len(dims) == 3 else 1

    if name == "test-image":
        img = _test_image(h, w, channels)
        return img if len(dims) == 3 else img[..., 0]
    if name == "zeros":
        plane = np.zeros((h, w))
    elif name == "ones":
        plane = np.ones((h, w))
    elif name == "gradient":
        ramp = np.linspace(0.0, 1.0, w) if w > 1 else np.zeros(1)
        plane = np.broadcast_to(ramp, (h, w)).copy()
    elif name == "checkerboard":
        side = max(1, min(h, w) // 8)
        rows, cols = np.indices((h, w)) // side
        plane = ((rows + cols) % 2).astype(np.float64)
    else:
        rows, cols = np.indices((h, w))
        r2 = (rows - (h - 1) / 2) ** 2 + (cols - (w - 1) / 2) ** 2
        plane = (r2 <= (0.35 * min(h, w)) ** 2).astype(np.float64)
    if len(dims) == 3:
        return np.repeat(plane[..., None], channels, axis=2)
    return plane
