"""The internal direct and FFT kernels against an independent naive loop.

Every code path is forced on small arrays: per-tap and unrolled tap orders,
row blocks of one or a few rows, overlap-save tiles and filter groups, all
strides and dilations, odd and even sizes, float32 and float64.
"""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conv._direct import correlate_direct
from conv._fft import correlate_fft, fast_length
from conv._method import choose_method


def naive_correlate(xp, k, stride, dilation):
    """Cross-correlation by the definition, one output cell and tap at a time."""
    hp, wp = xp.shape[:2]
    kh, kw, _, f = k.shape
    (sh, sw), (dh, dw) = stride, dilation
    oh = (hp - dh * (kh - 1) - 1) // sh + 1
    ow = (wp - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            for m in range(kh):
                for n in range(kw):
                    pixel = xp[i * sh + m * dh, j * sw + n * dw].astype(np.float64)
                    out[i, j] += pixel @ k[m, n].astype(np.float64)
    return out


def direct_paths():
    yield "direct-default-small-im2col", {}
    for unrolled in (False, True):
        for block_rows in (None, 1, 2):
            yield (
                f"direct-unrolled={unrolled}-rows={block_rows}",
                {
                    "unrolled": unrolled,
                    "block_rows": block_rows,
                },
            )


def fft_paths():
    for tile_rows in (None, 1, 3):
        for filter_block in (None, 1, 2):
            yield (
                f"fft-tile={tile_rows}-filters={filter_block}",
                {
                    "tile_rows": tile_rows,
                    "filter_block": filter_block,
                },
            )


PATHS = [(name, correlate_direct, kw) for name, kw in direct_paths()] + [
    (name, correlate_fft, kw) for name, kw in fft_paths()
]


@st.composite
def problems(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    hp = dilation[0] * (kh - 1) + 1 + draw(st.integers(0, 9))
    wp = dilation[1] * (kw - 1) + 1 + draw(st.integers(0, 9))
    c, f = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return rng.normal(size=(hp, wp, c)), rng.normal(size=(kh, kw, c, f)), stride, dilation


def assert_matches_reference(out, xp, k, stride, dilation, rtol):
    expected = naive_correlate(xp, k, stride, dilation)
    assert out.shape == expected.shape
    assert out.dtype == xp.dtype
    scale = np.abs(xp).max() * np.abs(k).sum(axis=(0, 1, 2)).max()
    np.testing.assert_allclose(out, expected, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize(("name", "correlate", "options"), PATHS, ids=[p[0] for p in PATHS])
@settings(max_examples=25, deadline=None)
@given(problem=problems())
def test_every_path_matches_naive_loop_float64(name, correlate, options, problem):
    xp, k, stride, dilation = problem
    out = correlate(xp, k, stride, dilation, **options)
    assert_matches_reference(out, xp, k, stride, dilation, rtol=1e-9)


@pytest.mark.parametrize(("name", "correlate", "options"), PATHS, ids=[p[0] for p in PATHS])
@settings(max_examples=10, deadline=None)
@given(problem=problems())
def test_every_path_keeps_float32(name, correlate, options, problem):
    xp, k, stride, dilation = problem
    xp, k = xp.astype(np.float32), k.astype(np.float32)
    out = correlate(xp, k, stride, dilation, **options)
    assert_matches_reference(out, xp, k, stride, dilation, rtol=2e-5)


@pytest.mark.parametrize("stride", [(1, 1), (2, 2), (3, 1), (1, 2), (4, 3)])
@pytest.mark.parametrize("dilation", [(1, 1), (2, 2), (1, 3), (3, 2)])
@pytest.mark.parametrize(("c", "f"), [(1, 1), (5, 1), (1, 5), (4, 3), (5, 4)])
def test_stride_dilation_grid_direct_and_fft_agree_with_reference(stride, dilation, c, f):
    rng = np.random.default_rng(hash((stride, dilation, c, f)) % 2**32)
    xp = rng.normal(size=(17, 14, c))
    k = rng.normal(size=(3, 2, c, f))
    expected = naive_correlate(xp, k, stride, dilation)
    for out in (
        correlate_direct(xp, k, stride, dilation),
        correlate_direct(xp, k, stride, dilation, unrolled=True, block_rows=1),
        correlate_direct(xp, k, stride, dilation, unrolled=False, block_rows=3),
        correlate_fft(xp, k, stride, dilation),
        correlate_fft(xp, k, stride, dilation, tile_rows=2, filter_block=1),
    ):
        np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("c", "f", "stride"), [(2, 3, (1, 1)), (3, 1, (2, 2)), (1, 2, (1, 3))])
def test_default_blocks_and_tiles_match_reference(c, f, stride):
    # Big enough that the default heuristics themselves split rows and FFT
    # tiles and skip the small-problem path (the small cases above reach
    # those only by force); per-tap for F = 3, unrolled otherwise.
    rng = np.random.default_rng(7)
    xp = rng.normal(size=(700, 300, c))
    k = rng.normal(size=(4, 3, c, f))
    expected = naive_correlate(xp[: 60 * stride[0]], k, stride, (2, 1))
    direct = correlate_direct(xp, k, stride, (2, 1))
    fft = correlate_fft(xp, k, stride, (2, 1))
    np.testing.assert_allclose(direct[: expected.shape[0]], expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fft, direct, rtol=1e-9, atol=1e-9)


def test_exercise_2d_published_numbers(exercise_2d):
    arr, filt, published = exercise_2d
    for correlate in (correlate_direct, correlate_fft):
        out = correlate(arr[..., None], filt[..., None, None], (1, 1), (1, 1))
        np.testing.assert_array_equal(out[..., 0].round(2), published)


def test_exercise_3d_published_first_row(exercise_3d):
    arr, filt, first_row = exercise_3d
    for correlate in (correlate_direct, correlate_fft):
        out = correlate(arr, filt[..., None], (2, 2), (1, 1))[..., 0]
        assert out.shape == (15, 15)
        np.testing.assert_array_equal(out[0, :4].round(2), first_row)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("unrolled", [False, True])
@pytest.mark.parametrize("stride", [(1, 1), (2, 2), (3, 2)])
def test_direct_keeps_non_finite_values_inside_their_windows(unrolled, stride):
    # Polyphase splitting must not multiply a cell by a tap that does not
    # reach it: inf * 0 would turn cells outside the inf's windows into NaN.
    rng = np.random.default_rng(3)
    xp = rng.normal(size=(13, 12, 2))
    xp[6, 5, 1] = np.inf
    k = rng.normal(size=(3, 3, 2, 2))
    out = correlate_direct(xp, k, stride, (1, 1), unrolled=unrolled, block_rows=2)
    expected = naive_correlate(xp, k, stride, (1, 1))
    np.testing.assert_array_equal(np.isfinite(out), np.isfinite(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(out[finite], expected[finite], rtol=1e-9)


def test_direct_accepts_non_contiguous_input():
    rng = np.random.default_rng(5)
    base = rng.normal(size=(20, 18, 3))
    xp = base[::-1, ::2]  # negative and doubled strides
    k = rng.normal(size=(3, 2, 3, 2))
    for stride in ((1, 1), (2, 1)):
        expected = naive_correlate(xp, k, stride, (1, 1))
        np.testing.assert_allclose(correlate_direct(xp, k, stride, (1, 1)), expected, rtol=1e-9)
        np.testing.assert_allclose(correlate_fft(xp, k, stride, (1, 1)), expected, rtol=1e-9)


def peak_extra_bytes(fn):
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def test_row_blocks_bound_direct_memory():
    # An unblocked per-tap product would be a full (H*W, F) temporary on top
    # of the output; blocking keeps the extra near the output itself.
    xp = np.ones((1024, 512, 1))
    k = np.ones((5, 5, 1, 1))
    output_bytes = 1020 * 512 * 8
    extra = peak_extra_bytes(lambda: correlate_direct(xp, k, (1, 1), (1, 1)))
    assert extra < output_bytes + (4 << 20)


def test_tiles_bound_fft_memory():
    xp = np.ones((2048, 512, 1))
    k = np.ones((9, 9, 1, 1))
    output_bytes = 2040 * 504 * 8
    one_full_spectrum = 2048 * 257 * 16
    extra = peak_extra_bytes(lambda: correlate_fft(xp, k, (1, 1), (1, 1), tile_rows=200))
    assert extra < output_bytes + one_full_spectrum


def test_fast_length_is_smallest_5_smooth_at_least_n():
    def smooth(m):
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        return m == 1

    smooth_numbers = [m for m in range(1, 5000) if smooth(m)]
    for n in range(1, 4000):
        assert fast_length(n) == next(m for m in smooth_numbers if m >= n)


def test_cost_model_picks_what_the_benchmarks_found_faster():
    # Large kernels on a single channel: the FFT is ~25x faster.
    assert choose_method((2048, 2048, 1), (31, 31, 1, 1), (1, 1), (1, 1)) == "fft"
    # Small kernels: direct, whatever the size or channel count.
    assert choose_method((512, 512, 3), (3, 3, 3, 1), (1, 1), (1, 1)) == "direct"
    assert choose_method((4096, 4096, 3), (5, 5, 3, 1), (1, 1), (1, 1)) == "direct"
    assert choose_method((33, 33, 3), (5, 5, 3, 1), (2, 2), (1, 1)) == "direct"
    # Many channels and filters: C*F kernel spectra make the FFT hopeless.
    assert choose_method((256, 256, 64), (3, 3, 64, 64), (1, 1), (1, 1)) == "direct"
    assert choose_method((256, 256, 64), (15, 15, 64, 64), (1, 1), (1, 1)) == "direct"
    # Tiny problems: the FFT's fixed cost alone exceeds the whole direct call.
    assert choose_method((13, 15, 1), (3, 5, 1, 1), (1, 1), (1, 1)) == "direct"
    # Stride throws away most of the FFT's outputs but none of its cost.
    assert choose_method((1024, 1024, 3), (7, 7, 3, 1), (2, 2), (1, 1)) == "direct"


def test_cost_model_favours_direct_more_in_float32():
    # float32 speeds the direct kernel up more than the FFT (measured), so the
    # kernel size from which the FFT wins can only grow, and here it does.
    def crossover(itemsize):
        sizes = range(3, 41, 2)
        return next(
            k
            for k in sizes
            if choose_method((512, 512, 1), (k, k, 1, 1), (1, 1), (1, 1), itemsize=itemsize)
            == "fft"
        )

    assert crossover(4) > crossover(8)
