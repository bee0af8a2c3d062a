"""Named 2-D kernels with their textbook values.

Every kernel is written for cross-correlation (the CNN convention used by
:func:`conv.conv2d`): ``sobel-x`` responds positively where values rise from
left to right, ``sobel-y`` where they rise from top to bottom.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = ["KERNELS", "SIZED_KERNELS", "kernel"]

KERNELS: dict[str, str] = {
    "identity": "Copies the input: 1 at the centre, 0 elsewhere.",
    "box-blur": "Mean of the size x size neighbourhood.",
    "gaussian": "Weighted mean, weights exp(-r²/2σ²) normalised to sum 1.",
    "sharpen": "Boosts the centre against its 4 neighbours (sums to 1).",
    "laplacian-4": "Second derivative over the 4 edge neighbours; 0 on flat areas.",
    "laplacian-8": "Second derivative over all 8 neighbours; 0 on flat areas.",
    "sobel-x": "Horizontal gradient (left to right), centre row weighted 2.",
    "sobel-y": "Vertical gradient (top to bottom), centre column weighted 2.",
    "prewitt-x": "Horizontal gradient (left to right), rows weighted equally.",
    "prewitt-y": "Vertical gradient (top to bottom), columns weighted equally.",
    "scharr-x": "Horizontal gradient with Scharr's rotation-optimised 3/10/3 weights.",
    "scharr-y": "Vertical gradient with Scharr's rotation-optimised 3/10/3 weights.",
    "emboss": "Diagonal relief: light from the top-left, centre kept.",
    "outline": "Edges everywhere: centre 8 minus its 8 neighbours.",
}

#: Kernels whose ``size`` can be chosen; the others are fixed 3x3 stencils.
SIZED_KERNELS = ("identity", "box-blur", "gaussian")

_FIXED: dict[str, list[list[int]]] = {
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "laplacian-4": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "laplacian-8": [[1, 1, 1], [1, -8, 1], [1, 1, 1]],
    "sobel-x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "prewitt-x": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "scharr-x": [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}


def kernel(name: str, *, size: int = 3, sigma: float = 1.0) -> np.ndarray:
    """The named kernel as a 2-D float64 array.

    Parameters
    ----------
    name : str
        A key of :data:`KERNELS`.
    size : int
        Odd side length, only for ``identity``, ``box-blur`` and ``gaussian``;
        the other kernels are 3x3 and refuse any other size.
    sigma : float
        Standard deviation of ``gaussian``, in cells; must be positive.

    Examples
    --------
    >>> kernel("sobel-x")
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    >>> kernel("box-blur", size=3).sum()
    np.float64(1.0)
    >>> kernel("gaussian", size=3, sigma=1.0).round(4)
    array([[0.0751, 0.1238, 0.0751],
           [0.1238, 0.2042, 0.1238],
           [0.0751, 0.1238, 0.0751]])
    """
    if name not in KERNELS:
        raise ValueError(f"name must be one of {tuple(KERNELS)}, got {name!r}")
    if not isinstance(size, Integral) or isinstance(size, bool) or size < 1 or size % 2 == 0:
        raise ValueError(f"size must be an odd positive int, got {size!r}")
    if size > 99:
        raise ValueError(f"size must be at most 99, got {size!r}")
    if name not in SIZED_KERNELS and size != 3:
        raise ValueError(f"size={size!r} is not available for {name!r}, which is always 3x3")
    if (
        not isinstance(sigma, Real)
        or isinstance(sigma, bool)
        or not math.isfinite(sigma)
        or sigma <= 0
    ):
        raise ValueError(f"sigma must be a positive finite number, got {sigma!r}")

    if name == "identity":
        out = np.zeros((size, size))
        out[size // 2, size // 2] = 1.0
        return out
    if name == "box-blur":
        return np.full((size, size), 1.0 / size**2)
    if name == "gaussian":
        r = np.arange(size) - size // 2
        g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2.0 * sigma**2))
        return g / g.sum()
    # The y-gradients are the transposes of the x ones, so they cannot drift apart.
    if name.endswith("-y"):
        return np.array(_FIXED[name[:-2] + "-x"], dtype=np.float64).T.copy()
    return np.array(_FIXED[name], dtype=np.float64)
