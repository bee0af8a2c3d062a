"""A padded input that is never built whole: each region is padded when it is read.

When most of a padded input is padding (large "full" padding with dilation,
or explicit amounts far beyond the image), a padded copy can be many times
the input and output together. :class:`PaddedInput` stands in for that copy:
it has the padded shape and answers ``xp[rows, cols]`` with a fresh array
built from the input by index look-up, so the kernels, which read one row
block or tile at a time, only ever hold the padding of the block they work on.
"""

from __future__ import annotations

import numpy as np

from conv._geometry import Padding2D
from conv._padding import _check_fits, pad, source_index

#: Pad eagerly (one copy, then views) while the padded copy is at most this
#: many times the input: cheaper to read than building each block, and small.
EAGER_MAX_GROWTH = 2


def pads_eagerly(in_shape: tuple[int, int, int], pads: Padding2D) -> bool:
    """Whether :func:`padded_input` copies the whole padded input (else pads per region).

    Examples
    --------
    >>> pads_eagerly((64, 64, 3), ((1, 1), (1, 1))), pads_eagerly((8, 8, 3), ((40, 40), (40, 40)))
    (True, False)
    """
    (top, bottom), (left, right) = pads
    h, w = in_shape[:2]
    return (h + top + bottom) * (w + left + right) <= EAGER_MAX_GROWTH * h * w


def padded_input(x: np.ndarray, pads: Padding2D, mode: str) -> np.ndarray | PaddedInput:
    """``x`` (H, W, C) padded: ``x`` itself, a padded copy, or a :class:`PaddedInput`."""
    if pads == ((0, 0), (0, 0)):
        return x
    _check_fits(x.shape, pads, mode)  # reflect and circular refuse too much padding
    if pads_eagerly(x.shape, pads):
        return pad(x, pads, mode)
    return PaddedInput(x, pads, mode)


class PaddedInput:
    """``pad(x, pads, mode)`` without the copy: index it with row and column slices.

    Examples
    --------
    >>> import numpy as np
    >>> from conv._padding import pad
    >>> x = np.arange(6.0).reshape(2, 3, 1)
    >>> lazy = PaddedInput(x, ((3, 2), (4, 1)), "replicate")
    >>> lazy.shape
    (7, 8, 1)
    >>> bool((lazy[1:6:2, ::3] == pad(x, ((3, 2), (4, 1)), "replicate")[1:6:2, ::3]).all())
    True
    """

    def __init__(self, x: np.ndarray, pads: Padding2D, mode: str) -> None:
        self.x, self.pads, self.mode = x, pads, mode
        (top, bottom), (left, right) = pads
        h, w, c = x.shape
        self.shape = (h + top + bottom, w + left + right, c)
        self.dtype, self.itemsize, self.ndim = x.dtype, x.itemsize, 3
        # This object's cell (r, q) is padded cell (row0 + r*row_step, col0 + q*col_step).
        self.row0, self.row_step, self.col0, self.col_step = 0, 1, 0, 1

    def lattice(self, rows: tuple[int, int, int], cols: tuple[int, int, int]) -> PaddedInput:
        """The lazy equivalent of ``xp[r0 : r0 + rs*nr : rs, c0 : c0 + cs*nc : cs]``.

        ``rows`` is ``(r0, rs, nr)`` and ``cols`` ``(c0, cs, nc)``: first index,
        step and count along each axis. Nothing is padded until it is read.

        Examples
        --------
        >>> import numpy as np
        >>> from conv._padding import pad
        >>> x = np.arange(12.0).reshape(3, 4, 1)
        >>> lazy = PaddedInput(x, ((2, 2), (5, 5)), "replicate").lattice((1, 2, 3), (3, 4, 3))
        >>> bool((lazy[:, :] == pad(x, ((2, 2), (5, 5)), "replicate")[1:6:2, 3:12:4]).all())
        True
        """
        view = PaddedInput.__new__(PaddedInput)
        view.__dict__.update(self.__dict__)
        (r0, rs, nr), (c0, cs, nc) = rows, cols
        view.row0, view.row_step = self.row0 + r0 * self.row_step, rs * self.row_step
        view.col0, view.col_step = self.col0 + c0 * self.col_step, cs * self.col_step
        view.shape = (nr, nc, self.shape[2])
        return view

    def __getitem__(self, key: slice | tuple[slice, ...]) -> np.ndarray:
        rows, cols = (key, slice(None)) if isinstance(key, slice) else key
        rsel = np.arange(*rows.indices(self.shape[0]))
        csel = np.arange(*cols.indices(self.shape[1]))
        r = self.row0 + self.row_step * rsel - self.pads[0][0]
        c = self.col0 + self.col_step * csel - self.pads[1][0]
        h, w, channels = self.x.shape
        if self.mode != "zeros":
            ri, ci = source_index(r, h, self.mode), source_index(c, w, self.mode)
            return self.x[ri[:, None], ci[None, :]]
        out = np.zeros((len(r), len(c), channels), dtype=self.dtype)
        # The cells inside the input form one rectangle of the region: copy it.
        rin, cin = np.flatnonzero((r >= 0) & (r < h)), np.flatnonzero((c >= 0) & (c < w))
        if len(rin) and len(cin):
            rs = rows.indices(self.shape[0])[2] * self.row_step
            cs = cols.indices(self.shape[1])[2] * self.col_step
            src = self.x[r[rin[0]] : r[rin[-1]] + 1 : rs, c[cin[0]] : c[cin[-1]] + 1 : cs]
            out[rin[0] : rin[-1] + 1, cin[0] : cin[-1] + 1] = src
        return out
