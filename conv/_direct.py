"""Direct (spatial-domain) cross-correlation of a padded, channels-last array.

The work is phrased as BLAS matrix products on contiguous memory rather than
on a materialised im2col matrix:

* **Flattened rows.** For unit stride, kernel tap ``(m, n)`` reads, for every
  output pixel ``(i, j)``, the input pixel ``(i + m*dh, j + n*dw)``. On the
  input flattened to ``(Hp*Wp, C)`` that is one *contiguous* slice starting at
  ``m*dh*Wp + n*dw``, provided the output is laid out with the input's row
  width ``Wp`` (the ``Wp - OW`` wrap-around columns are computed and dropped).
* **Polyphase strides.** Stride ``s > 1`` is reduced to unit stride on the
  ``sh*sw`` phase images ``xp[r::sh, t::sw]``: a tap at offset ``p = q*s + r``
  reads phase ``r`` at unit-stride offset ``q``. No product is computed that
  the strided output does not need, and no tap meets a cell outside its
  window (so an ``inf`` stays inside the outputs that really see it).
* **Two tap orders**, chosen by shape:

  - *per tap* (many channels or filters): each tap is one well-shaped
    ``(L, C) @ (C, F)`` GEMM on a contiguous view of the phase image,
    accumulated tap by tap;
  - *unrolled* (few channels and filters, where per-tap products are too thin
    for BLAS): each block of a phase image is gathered once, channels first,
    then unrolled along the kernel's width only by contiguous shifted copies,
    so one ``(rows*F, cols*C) @ (cols*C, L)`` GEMM sums each kernel row's
    taps inside BLAS and one shifted add per kernel row remains.

* **Small problems** skip all that for one im2col copy and one GEMM, which
  costs less than the blocked machinery's per-call overhead.
* **Row blocks.** Output rows are processed in blocks of about
  :data:`BLOCK_BYTES` of temporaries, reusing one scratch buffer, so they stay
  in cache and the extra memory is bounded whatever the image size.
"""

import functools
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from conv._geometry import conv_size

#: Target size in bytes of one row block's temporaries (measured sweet spot).
BLOCK_BYTES = 1 << 20

#: Row blocks hold at least this many output pixels so each BLAS call is big
#: enough to amortise numpy's per-call overhead.
MIN_BLOCK_PIXELS = 8192

#: Problems whose im2col matrix has at most this many values skip the blocked
#: machinery: one copy and one GEMM beat its per-call overhead (2.4x on the
#: 33x33x3 exercise).
SMALL_IM2COL = 1 << 15

#: The unrolled order pays off for thin products: at most this many filters
#: and :data:`UNROLL_MAX_CHANNELS` channels, or at most
#: :data:`UNROLL_ANY_FILTERS_CHANNELS` channels with any number of filters
#: (per-tap GEMMs with an inner dimension of 1 or 2 run 5-10x slower).
UNROLL_MAX_FILTERS = 4
UNROLL_MAX_CHANNELS = 16
UNROLL_ANY_FILTERS_CHANNELS = 2

#: Scratch may grow to this many times the padded input plus the output
#: (and to at least SCRATCH_MIN_BYTES) before the heuristics give up the
#: unrolled order or long row blocks for less memory.
SCRATCH_GROWTH = 3
SCRATCH_MIN_BYTES = 64 << 20


def use_unrolled(c: int, f: int) -> bool:
    """Whether the unrolled order suits C channels and F filters (memory permitting)."""
    return c <= UNROLL_ANY_FILTERS_CHANNELS or (
        f <= UNROLL_MAX_FILTERS and c <= UNROLL_MAX_CHANNELS
    )


def correlate_direct(
    xp: np.ndarray,
    k: np.ndarray,
    stride: tuple[int, int],
    dilation: tuple[int, int],
    *,
    block_rows: int | None = None,
    unrolled: bool | None = None,
) -> np.ndarray:
    """Cross-correlate ``xp`` (Hp, Wp, C) with ``k`` (KH, KW, C, F).

    Both arrays share one float dtype and ``xp`` is already padded; the
    result is ``(OH, OW, F)`` in that dtype. Arguments are trusted: the
    public :func:`conv.conv2d` validates them. ``block_rows`` (output rows per
    block) and ``unrolled`` (tap order) override the heuristics; they exist
    so tests can reach every code path on small arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from conv._direct import correlate_direct
    >>> xp = np.arange(16.0).reshape(4, 4, 1)
    >>> k = np.ones((2, 2, 1, 1))
    >>> correlate_direct(xp, k, (2, 2), (1, 1))[..., 0]
    array([[10., 18.],
           [42., 50.]])
    """
    f = k.shape[3]
    lay = direct_layout(
        xp.shape,
        k.shape,
        stride,
        dilation,
        xp.itemsize,
        lazy=_is_lazy(xp),
        block_rows=block_rows,
        unrolled=unrolled,
    )
    oh, ow, pw, sh, sw = lay.oh, lay.ow, lay.pw, *stride
    if lay.small:
        return _im2col(xp if not _is_lazy(xp) else xp[:, :], k, stride, dilation, oh, ow)
    if lay.unrolled:
        plans = [(rh, rw, *_unrolled_weights(taps, k)) for (rh, rw), taps in lay.groups.items()]
    elif lay.lazy:  # phase images built per block below
        plans = [((rh, rw), taps) for (rh, rw), taps in lay.groups.items()]
    else:
        plans = [
            (_phase_image(xp, rh, rw, sh, sw, 0, oh + lay.reach_h, pw), taps)
            for (rh, rw), taps in lay.groups.items()
        ]
    # One scratch buffer reused by every block: fresh large allocations cost
    # page faults each time, which on small problems dominate the arithmetic.
    # Zeroed once, because the unrolled order never writes some of it.
    scratch = np.zeros(lay.scratch_values, dtype=xp.dtype)

    out = np.empty((oh, pw, f), dtype=xp.dtype)
    flat_out = out.reshape(oh * pw, f)
    for r0 in range(0, oh, lay.block_rows):
        r1 = min(oh, r0 + lay.block_rows)
        block = flat_out[r0 * pw : (r1 - 1) * pw + ow]
        for i, plan in enumerate(plans):
            if lay.unrolled:
                _unrolled(xp, *plan, (sh, sw), r0, lay.span_rows, pw, block, i == 0, scratch)
            elif lay.lazy:
                (rh, rw), taps = plan
                x_flat = _phase_image(xp, rh, rw, sh, sw, r0, lay.span_rows, pw)
                _per_tap(x_flat, taps, k, 0, pw, block, i == 0, scratch)
            else:
                _per_tap(*plan, k, r0 * pw, pw, block, i == 0, scratch)
    return out[:, :ow]


def _is_lazy(xp) -> bool:
    """Whether ``xp`` pads on reading (:class:`conv._padded_input.PaddedInput`)."""
    return not isinstance(xp, np.ndarray)


@dataclass(frozen=True)
class DirectLayout:
    """How :func:`correlate_direct` lays a problem out: the one source of its sizes.

    Both the kernel and :func:`direct_work` / :func:`direct_peak_bytes` read
    these numbers, so the cost model cannot drift from the code.
    """

    oh: int
    ow: int
    small: bool  # one im2col copy and one GEMM
    unrolled: bool  # tap order of the blocked path
    lazy: bool  # phase images built per block from a padded-on-read input
    groups: dict  # (rh, rw) phase -> [(qh, qw, m, n) taps]
    reach_h: int  # phase rows a block reads below its own
    pw: int  # phase-image width, wrap-around columns included
    per_pixel: int  # scratch values per phase-image pixel
    block_rows: int
    span_rows: int  # block rows plus reach_h
    scratch_values: int


@functools.lru_cache(maxsize=64)
def _tap_groups(kh, kw, stride, dilation):
    """Group the taps by the phase image they read (shared between calls: read only).

    Tap (m, n) sits at input offset (m*dh, n*dw) = (qh*sh + rh, qw*sw + rw).
    Cached: the work budget prices every rerun's problem, and a 63x63 kernel
    has 3,969 taps to group.
    """
    (sh, sw), (dh, dw) = stride, dilation
    groups: dict[tuple[int, int], list[tuple[int, int, int, int]]] = {}
    for m in range(kh):
        qh, rh = divmod(m * dh, sh)
        for n in range(kw):
            qw, rw = divmod(n * dw, sw)
            groups.setdefault((rh, rw), []).append((qh, qw, m, n))
    return groups


def _small(padded_shape, kernel_shape, oh, ow, lazy) -> bool:
    """Whether the problem takes the one-im2col path (see :data:`SMALL_IM2COL`)."""
    hp, wp, c = padded_shape
    # A padded-on-read input is built whole for im2col only when that is small too.
    return oh * ow * kernel_shape[0] * kernel_shape[1] * c <= SMALL_IM2COL and (
        not lazy or hp * wp * c <= SMALL_IM2COL
    )


def direct_layout(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    itemsize: int,
    *,
    lazy: bool = False,
    block_rows: int | None = None,
    unrolled: bool | None = None,
) -> DirectLayout:
    """Plan :func:`correlate_direct`'s paths, row blocks and scratch for these shapes.

    Examples
    --------
    >>> lay = direct_layout((512, 512, 3), (3, 3, 3, 1), (1, 1), (1, 1), 8)
    >>> lay.unrolled, lay.block_rows, lay.per_pixel
    (True, 17, 15)
    """
    hp, wp, c = padded_shape
    kh, kw, _, f = kernel_shape
    oh = conv_size(hp, kh, stride[0], dilation[0])
    ow = conv_size(wp, kw, stride[1], dilation[1])
    small = (
        unrolled is None and block_rows is None and _small(padded_shape, kernel_shape, oh, ow, lazy)
    )
    if small:  # nothing else to plan: skip the tap grouping (a third of a small call)
        return DirectLayout(oh, ow, True, False, False, {}, 0, ow, 0, oh, oh, 0)
    groups = _tap_groups(kh, kw, stride, dilation)
    # Every phase image gets the same shape so all share one flat output layout.
    reach_h = max(t[0] for g in groups.values() for t in g)
    pw = ow + max(t[1] for g in groups.values() for t in g)
    # Scratch per pixel of the unrolled order: the unrolled input (cols*C),
    # the products (rows*F) and the phase image (C).
    unrolled_pp = c + max(
        len({t[0] for t in g}) * f + len({t[1] for t in g}) * c for g in groups.values()
    )
    # Scratch may grow to this before the unrolled order or long blocks are
    # refused: a few times the problem's own arrays, and never less than 64 MB.
    budget = max(SCRATCH_MIN_BYTES, SCRATCH_GROWTH * (hp * wp * c + oh * ow * f) * itemsize)
    if unrolled is None:
        fits = unrolled_pp * (reach_h + 2) * pw * itemsize <= budget
        unrolled = use_unrolled(c, f) and fits
    per_pixel = unrolled_pp if unrolled else c + f
    if block_rows is None:
        pixels = max(BLOCK_BYTES // (per_pixel * itemsize), MIN_BLOCK_PIXELS)
        # Each block also reads the kernel's reach_h extra rows; at least 4x
        # as many fresh rows keeps that overlap from dominating wide images
        # (2x faster on 4096 columns with a 5x5 kernel), within the budget.
        overlap_rows = min(4 * reach_h, budget // (per_pixel * pw * itemsize) - reach_h - 1)
        block_rows = max(1, pixels // pw, overlap_rows)
    block_rows = max(1, min(block_rows, oh))
    span_rows = block_rows + reach_h
    return DirectLayout(
        oh,
        ow,
        small,
        unrolled,
        lazy and not unrolled,
        groups,
        reach_h,
        pw,
        per_pixel,
        block_rows,
        span_rows,
        per_pixel * (span_rows + 1) * pw,
    )


def direct_work(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    itemsize: int = 8,
    *,
    lazy: bool = False,
) -> dict[str, float]:
    """Count the work of :func:`correlate_direct` by kind (the kinds of ``conv._method.COSTS``).

    Examples
    --------
    >>> direct_work((5, 5, 1), (3, 3, 1, 1), (1, 1), (1, 1))
    {'call': 1, 'gather': 81, 'tap_mac': 81}
    """
    hp, wp, c = padded_shape
    kh, kw, _, f = kernel_shape
    taps = kh * kw
    oh = conv_size(hp, kh, stride[0], dilation[0])
    ow = conv_size(wp, kw, stride[1], dilation[1])
    if _small(padded_shape, kernel_shape, oh, ow, lazy):  # before planning: the hot path
        cells = oh * ow * taps * c
        return {"call": 1, "gather": cells + (hp * wp * c if lazy else 0), "tap_mac": cells * f}
    lay = direct_layout(padded_shape, kernel_shape, stride, dilation, itemsize, lazy=lazy)
    blocks = -(-lay.oh // lay.block_rows)
    rows = [len({t[0] for t in g}) for g in lay.groups.values()]
    cols = [len({t[1] for t in g}) for g in lay.groups.values()]
    if lay.unrolled:
        spans = blocks * lay.span_rows * lay.pw  # unrolled pixels, overlap included
        return {
            "call": 1,
            "numpy_call": blocks * (sum(cols) + len(rows) + sum(rows)),
            "gather": spans * sum(cols) * c,
            "unrolled_mac": spans * taps * c * f,
        }
    pixels = lay.oh * lay.pw  # computed outputs, wrap-around columns included
    phases = len(lay.groups)
    if lay.lazy:  # every block builds its phase images, overlap rows included
        copies = blocks * phases * lay.span_rows * lay.pw * c
    else:
        copies = 0 if stride == (1, 1) else hp * wp * c
    return {
        "call": 1,
        "numpy_call": blocks * (taps * 2 + (phases if lay.lazy else 0)),
        "tap_mac": pixels * taps * c * f,
        "tap_add": pixels * taps * f,
        "phase_copy": copies,
    }


def direct_peak_bytes(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    itemsize: int = 8,
    *,
    lazy: bool = False,
) -> int:
    """Upper bound of the bytes :func:`correlate_direct` allocates, its result included.

    Examples
    --------
    >>> direct_peak_bytes((5, 5, 1), (3, 3, 1, 1), (1, 1), (1, 1))
    720
    """
    lay = direct_layout(padded_shape, kernel_shape, stride, dilation, itemsize, lazy=lazy)
    hp, wp, c = padded_shape
    kh, kw, _, f = kernel_shape
    # A region read from a padded-on-read input is built once as read and, where
    # it is cut or zero-filled to the block's shape, once more: two copies.
    if lay.small:
        values = lay.oh * lay.ow * (kh * kw * c + f) + (2 * hp * wp * c if lazy else 0)
        return values * itemsize
    values = lay.scratch_values + lay.oh * lay.pw * f
    # Adding products into the transposed output goes through numpy's ufunc
    # buffers: np.getbufsize() values for each of the three operands.
    values += 3 * np.getbufsize()
    phase = (lay.span_rows + 1) * lay.pw * c  # one block of one phase image
    if lay.unrolled:
        values += 2 * phase if lazy else 0  # the block as read, before its transpose
        values += kh * kw * c * f  # the weights
    elif lay.lazy:
        values += (len(lay.groups) + 2) * phase  # all phases of a block, one being built
    elif stride != (1, 1):
        values += len(lay.groups) * (lay.oh + lay.reach_h) * lay.pw * c + hp * wp * c
    return values * itemsize


def _im2col(xp, k, stride, dilation, oh, ow):
    """Whole-problem im2col and one GEMM, for small problems."""
    kh, kw, c, f = k.shape
    (sh, sw), (dh, dw) = stride, dilation
    # Windows laid out (m, n, c) like the kernel, so the kernel needs no copy;
    # as_strided directly, because sliding_window_view's checks cost 3x more
    # than this whole small problem's arithmetic.
    r, q, ch = xp.strides
    windows = as_strided(
        xp, (oh, ow, kh, kw, c), (r * sh, q * sw, r * dh, q * dw, ch), writeable=False
    )
    columns = windows.reshape(oh * ow, kh * kw * c)  # copies
    return (columns @ k.reshape(kh * kw * c, f)).reshape(oh, ow, f)


def _phase_image(xp, rh: int, rw: int, sh: int, sw: int, row0: int, ph: int, pw: int):
    """Return rows ``row0:row0 + ph`` of ``xp[rh::sh, rw::sw]`` as a C-contiguous ``(ph*pw, C)``.

    ``xp`` is an array or a padded-on-read :class:`conv._padded_input.PaddedInput`.
    """
    c = xp.shape[2]
    rows = slice(rh + row0 * sh, rh + (row0 + ph) * sh, sh)
    cols = slice(rw, rw + pw * sw, sw)
    if _is_lazy(xp):
        phase = xp[rows, cols]  # a fresh contiguous block
        if phase.shape[:2] == (ph, pw):
            return phase.reshape(ph * pw, c)
        full = np.zeros((ph, pw, c), dtype=xp.dtype)
        full[: phase.shape[0], : phase.shape[1]] = phase
        return full.reshape(ph * pw, c)
    if (sh, sw) == (1, 1) and row0 == 0 and xp.shape[:2] == (ph, pw) and xp.flags.c_contiguous:
        return xp.reshape(ph * pw, c)
    # numpy copies a strided (H, W, C) view one short C-loop at a time; seeing
    # each pixel as one opaque C*itemsize record makes the copy 3x faster.
    xp = np.ascontiguousarray(xp)
    pixels = xp.view(np.dtype((np.void, c * xp.itemsize)))[..., 0]
    phase = pixels[rows, cols]
    # Cells past the input edge are never read by a kept output; zero them so
    # the discarded wrap-around columns hold no garbage.
    full = np.zeros((ph, pw), dtype=pixels.dtype)
    full[: phase.shape[0], : phase.shape[1]] = phase
    return full.view(xp.dtype).reshape(ph * pw, c)


def _per_tap(x_flat, taps, k, base, pw, out, first, scratch):
    """Add ``x_flat[base + offset :][:L] @ k[m, n]`` over the taps into ``out`` (L, F)."""
    length, f = out.shape
    product = scratch[: length * f].reshape(length, f)
    for qh, qw, m, n in taps:
        start = base + qh * pw + qw
        window = x_flat[start : start + length]
        if first:
            np.matmul(window, k[m, n], out=out)
            first = False
        else:
            np.matmul(window, k[m, n], out=product)
            out += product


def _unrolled_weights(taps, k):
    """Lay one phase's taps out for :func:`_unrolled`.

    A phase's taps form a full grid of row offsets ``rows`` by column offsets
    ``cols``; the result is ``(rows, cols, W)`` with ``W[i*F + f, j*C + c] =
    k[m, n, c, f]`` for the tap at ``(rows[i], cols[j])``.
    """
    rows = sorted({qh for qh, _, _, _ in taps})
    cols = sorted({qw for _, qw, _, _ in taps})
    _, _, c, f = k.shape
    weights = np.empty((len(rows), f, len(cols), c), dtype=k.dtype)
    for qh, qw, m, n in taps:
        weights[rows.index(qh), :, cols.index(qw), :] = k[m, n].T
    return rows, cols, weights.reshape(len(rows) * f, len(cols) * c)


def _unrolled(xp, rh, rw, rows, cols, weights, stride, r0, span_rows, pw, out, first, scratch):
    """Add one phase's taps for output rows from ``r0`` into ``out`` (L, F).

    The block of the phase image is gathered once from ``xp``, channels
    first, as ``span_rows`` rows of width ``pw`` (enough for the block and
    every kernel row). Row ``j*C + c`` of ``unrolled`` is then channel ``c``
    of it shifted left by ``cols[j]`` pixels: a contiguous copy of the
    flattened phase. ``weights @ unrolled`` sums each kernel row's taps, and
    the kernel rows are added, shifted by whole image rows, into the
    transposed view of ``out``.

    The layout is the same for every block, so cells no gather writes stay
    as zeroed once: the phase's columns past the input's edge. Shifts past a
    row's end wrap into the next row and rows left from an earlier block
    below the last block's input are stale, but only outputs that are
    discarded or never added read them.
    """
    sh, sw = stride
    length, f = out.shape
    c = xp.shape[2]
    span = span_rows * pw
    n_out, n_in = weights.shape
    unrolled = scratch[: n_in * span].reshape(len(cols), c, span)
    products = scratch[n_in * span : (n_in + n_out) * span].reshape(n_out, span)
    phase_size = c * (span_rows + 1) * pw  # one spare row for the shifts
    offset = (n_in + n_out) * span
    phase = scratch[offset : offset + phase_size].reshape(c, span_rows + 1, pw)
    block_rows = slice(rh + r0 * sh, rh + (r0 + span_rows + 1) * sh, sh)
    src = xp[block_rows, rw : rw + pw * sw : sw]  # padded here if xp pads on reading
    phase[:, : src.shape[0], : src.shape[1]] = src.transpose(2, 0, 1)
    flat = phase.reshape(c, -1)
    for j, qw in enumerate(cols):
        unrolled[j] = flat[:, qw : qw + span]
    np.matmul(weights, unrolled.reshape(n_in, span), out=products)
    acc = out.T
    for i, qh in enumerate(rows):
        term = products[i * f : (i + 1) * f, qh * pw : qh * pw + length]
        if first:
            acc[...] = term
            first = False
        else:
            acc += term
