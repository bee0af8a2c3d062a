"""Named worked examples: an input, a kernel and the parameters to use.

``seed-2d`` and ``seed-3d`` are the exercise's two published cases; their
``published`` field holds the published output numbers, so anyone can check
an implementation against them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from conv.generate import pattern, random_array
from conv.kernels import kernel

__all__ = ["EXAMPLES", "Example", "example"]


@dataclass(frozen=True, eq=False)
class Example:
    """One worked example; its arrays are read-only so the shared copies stay intact.

    Attributes
    ----------
    name, description : str
        Key in :data:`EXAMPLES` and a one-line summary for the app.
    x : numpy.ndarray
        Input, ``(H, W)`` or ``(H, W, C)``.
    kernel : numpy.ndarray
        ``(KH, KW)``, ``(KH, KW, C)`` or ``(KH, KW, C, F)``.
    stride, padding, dilation, pad_mode, flip
        Arguments for :func:`conv.conv2d`.
    published : numpy.ndarray or None
        The published output numbers, rounded to ``decimals`` places, as the
        top-left block of the output (the whole output for ``seed-2d``, the
        first four values of row 0 for ``seed-3d``); None when there are none.
    decimals : int
        Rounding of the published numbers.
    """

    name: str
    description: str
    x: np.ndarray
    kernel: np.ndarray
    stride: int | tuple[int, int] = 1
    padding: str | int | tuple = "valid"
    dilation: int | tuple[int, int] = 1
    pad_mode: str = "zeros"
    flip: bool = False
    published: np.ndarray | None = None
    decimals: int = 2

    def __post_init__(self) -> None:
        for field in ("x", "kernel", "published"):
            value = getattr(self, field)
            if value is not None:
                value = np.array(value, dtype=np.float64)
                value.setflags(write=False)
                object.__setattr__(self, field, value)


def _seed_3d() -> Example:
    rng = np.random.default_rng(123)
    x = random_array((33, 33, 3), rng=rng, decimals=2)
    k = random_array((5, 5, 3), rng=rng, decimals=2)
    return Example(
        name="seed-3d",
        description="33x33x3 input and one 5x5x3 filter from default_rng(123), "
        "rounded to 2 places, stride 2: a 15x15 output.",
        x=x,
        kernel=k,
        stride=2,
        published=np.array([[1.64, -3.22, -2.44, 5.48]]),
    )


def _build() -> dict[str, Example]:
    seed_2d = Example(
        name="seed-2d",
        description="The exercise's literal 5x5 input and 3x3 filter, stride 1: a 3x3 output.",
        x=np.array(
            [
                [0.15, 0.71, 0.26, -0.11, -2.03],
                [0.13, 0.44, -0.11, -0.23, 0.19],
                [-1.44, 0.51, 0.42, 2.58, -0.88],
                [-1.18, 2.73, 2.35, 0.21, -0.29],
                [-1.64, -0.37, 0.27, 0.57, 1.82],
            ]
        ),
        kernel=np.array([[0.08, 0.27, -0.24], [-0.25, -0.11, -0.18], [0.44, 1.87, 1.18]]),
        stride=1,
        published=np.array([[0.9, 4.15, 4.47], [7.74, 5.27, 0.74], [-1.6, -0.43, 3.72]]),
    )
    test_image = Example(
        name="test-image",
        description="A 64x64 procedural test image through a Sobel-x edge filter, 'same' padding.",
        x=pattern("test-image", (64, 64)),
        kernel=kernel("sobel-x"),
        stride=1,
        padding="same",
        pad_mode="replicate",
    )
    return {e.name: e for e in (seed_2d, _seed_3d(), test_image)}


EXAMPLES: dict[str, Example] = _build()


def example(name: str) -> Example:
    """The example called ``name``.

    Examples
    --------
    >>> ex = example("seed-3d")
    >>> ex.x.shape, ex.kernel.shape, ex.stride
    ((33, 33, 3), (5, 5, 3), 2)
    >>> example("seed-2d").published[0]
    array([0.9 , 4.15, 4.47])
    """
    if name not in EXAMPLES:
        raise ValueError(f"name must be one of {tuple(EXAMPLES)}, got {name!r}")
    return EXAMPLES[name]
