"""Direct (spatial-domain) cross-correlation of a padded, channels-last array.

The work is phrased as BLAS matrix products on contiguous memory rather than
on a materialised im2col matrix:

* **Flattened rows.** For unit stride, kernel tap ``(m, n)`` reads, for every
  output pixel ``(i, j)``, the input pixel ``(i + m*dh, j + n*dw)``. On the
  input flattened to ``(Hp*Wp, C)`` that is one *contiguous* slice starting at
  ``m*dh*Wp + n*dw``, provided the output is laid out with the input's row
  width ``Wp`` (the ``Wp - OW`` wrap-around columns are computed and dropped).
  Each tap is then a plain ``(L, C) @ (C, F)`` product on a view, no copy.
* **Polyphase strides.** Stride ``s > 1`` is reduced to unit stride by splitting
  the input into ``sh*sw`` phase images ``xp[r::sh, t::sw]``; a tap at offset
  ``p = q*s + r`` reads phase ``r`` at unit-stride offset ``q``. No product is
  computed that the strided output does not need.
* **Two tap orders.** With many channels and filters each tap's product is a
  well-shaped GEMM and is accumulated tap by tap ("per tap"). With few of them
  the per-tap products are too thin for BLAS, so all taps' kernels are
  stacked into one ``(C, T*F)`` matrix, multiplied once, and the ``T`` shifted
  results are added ("contract then shift").
* **Row blocks.** Output rows are processed in blocks of about
  :data:`BLOCK_BYTES` so the temporaries stay in cache and the extra memory is
  bounded whatever the image size.
"""

import numpy as np

#: Target size in bytes of one row block's temporaries (measured sweet spot).
BLOCK_BYTES = 1 << 21

#: Row blocks hold at least this many output pixels so each BLAS call is big
#: enough to amortise its overhead and threading.
MIN_BLOCK_PIXELS = 8192

#: "Contract then shift" pays off only for thin products: at most this many
#: filters and :data:`STACKED_MAX_CHANNELS` channels (measured crossover).
STACKED_MAX_FILTERS = 2
STACKED_MAX_CHANNELS = 16

#: Taps stacked into one product; more would push the product out of cache.
STACKED_TAPS = 16


def correlate_direct(
    xp: np.ndarray,
    k: np.ndarray,
    stride: tuple[int, int],
    dilation: tuple[int, int],
    *,
    block_rows: int | None = None,
    stacked: bool | None = None,
) -> np.ndarray:
    """Cross-correlate ``xp`` (Hp, Wp, C) with ``k`` (KH, KW, C, F).

    Both arrays share one float dtype and ``xp`` is already padded; the
    result is ``(OH, OW, F)`` in that dtype. Arguments are trusted: the
    public :func:`conv.conv2d` validates them. ``block_rows`` (output rows per
    block) and ``stacked`` (tap order) override the heuristics; they exist so
    tests can reach every code path on small arrays.

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
    hp, wp, c = xp.shape
    kh, kw, _, f = k.shape
    (sh, sw), (dh, dw) = stride, dilation
    oh = (hp - dh * (kh - 1) - 1) // sh + 1
    ow = (wp - dw * (kw - 1) - 1) // sw + 1
    if stacked is None:
        stacked = f <= STACKED_MAX_FILTERS and c <= STACKED_MAX_CHANNELS

    # Group the taps by the phase image they read: tap (m, n) sits at input
    # offset (m*dh, n*dw) = (qh*sh + rh, qw*sw + rw).
    groups: dict[tuple[int, int], list[tuple[int, int, int, int]]] = {}
    for m in range(kh):
        qh, rh = divmod(m * dh, sh)
        for n in range(kw):
            qw, rw = divmod(n * dw, sw)
            groups.setdefault((rh, rw), []).append((qh, qw, m, n))
    # Every phase image gets the same shape so all share one flat output layout.
    ph = oh + max(t[0] for g in groups.values() for t in g)
    pw = ow + max(t[1] for g in groups.values() for t in g)
    phases = [(_phase_image(xp, rh, rw, sh, sw, ph, pw), taps) for (rh, rw), taps in groups.items()]
    if stacked:
        # Each work item: (phase image, chunk of taps, their kernels side by side).
        work = [
            (x_flat, chunk, np.concatenate([k[m, n].T for _, _, m, n in chunk], axis=0))
            for x_flat, taps in phases
            for chunk in (taps[i : i + STACKED_TAPS] for i in range(0, len(taps), STACKED_TAPS))
        ]
        accumulate = _stacked
        width = max(len(chunk) for _, chunk, _ in work) * f  # product bytes per pixel
    else:
        work = [(x_flat, taps, k) for x_flat, taps in phases]
        accumulate = _per_tap
        width = c + f
    if block_rows is None:
        pixels = max(BLOCK_BYTES // (width * xp.itemsize), MIN_BLOCK_PIXELS)
        block_rows = max(1, pixels // pw)
    block_rows = min(block_rows, oh)
    # One scratch buffer reused by every block: fresh large allocations cost
    # page faults each time, which on small problems dominate the arithmetic.
    reach = (ph - oh) * pw  # how far past its block a tap may read
    scratch = np.empty(width * (block_rows * pw + reach), dtype=xp.dtype)
    out = np.empty((oh, pw, f), dtype=xp.dtype)
    flat_out = out.reshape(oh * pw, f)
    for r0 in range(0, oh, block_rows):
        r1 = min(oh, r0 + block_rows)
        length = (r1 - r0 - 1) * pw + ow
        block = flat_out[r0 * pw : r0 * pw + length]
        for i, (x_flat, taps, weights) in enumerate(work):
            accumulate(x_flat, taps, weights, r0 * pw, pw, block, i == 0, scratch)
    return out[:, :ow]


def _phase_image(
    xp: np.ndarray, rh: int, rw: int, sh: int, sw: int, ph: int, pw: int
) -> np.ndarray:
    """Return ``xp[rh::sh, rw::sw]`` as a C-contiguous ``(ph*pw, C)`` array."""
    c = xp.shape[2]
    if (sh, sw) == (1, 1) and xp.shape[:2] == (ph, pw) and xp.flags.c_contiguous:
        return xp.reshape(ph * pw, c)
    # numpy copies a strided (H, W, C) view one short C-loop at a time; seeing
    # each pixel as one opaque C*itemsize record makes the copy 3x faster.
    xp = np.ascontiguousarray(xp)
    pixels = xp.view(np.dtype((np.void, c * xp.itemsize)))[..., 0]
    phase = pixels[rh::sh, rw::sw][:ph, :pw]
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


def _stacked(x_flat, taps, weights, base, pw, out, first, scratch):
    """Multiply once by the taps' stacked kernels ``weights`` (T*F, C), add shifted slices.

    The product is ``(T*F, pixels)`` so every shifted slice is a contiguous row,
    added into the transposed view of ``out``.
    """
    length, f = out.shape
    span = length + max(qh * pw + qw for qh, qw, _, _ in taps)
    products = scratch[: weights.shape[0] * span].reshape(-1, span)
    np.matmul(weights, x_flat[base : base + span].T, out=products)
    acc = out.T
    for t, (qh, qw, _, _) in enumerate(taps):
        start = qh * pw + qw
        term = products[t * f : (t + 1) * f, start : start + length]
        if first:
            acc[...] = term
            first = False
        else:
            acc += term
