"""Choosing between the direct and FFT algorithms from the problem's sizes."""


def choose_method(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> str:
    """Return ``"direct"`` or ``"fft"``, whichever the cost model expects to be faster.

    ``padded_shape`` is (Hp, Wp, C) and ``kernel_shape`` (KH, KW, C, F).
    """
    kh, kw = kernel_shape[:2]
    # Provisional rule until the benchmarked cost model lands: FFT only pays
    # off for large kernels at stride 1.
    return "fft" if kh * kw >= 121 and stride == (1, 1) else "direct"
