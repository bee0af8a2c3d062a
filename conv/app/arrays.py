"""The input and filter arrays that a :class:`~conv.app.settings.Settings` describes.

Examples
--------
>>> from conv.app.settings import Settings
>>> s = Settings(source="generate", shape=(2, 3), seed=123, decimals=2)
>>> build_input(s)
array([[-0.99, -0.37,  1.29],
       [ 0.19,  0.92,  0.58]])
>>> build_kernel(Settings(source="generate", distribution="pattern", kernel_source="generate"),
...              np.zeros((4, 4, 3))).shape
(3, 3, 3)
"""

from __future__ import annotations

import numpy as np

from conv import examples, generate, kernels
from conv.app.budget import check_kernel_shape
from conv.app.settings import Settings

__all__ = ["build_input", "build_kernel", "kernel_draw_shape"]

#: How a generated filter is drawn when the input is not random (a pattern,
#: an example or an upload): standard normal values rounded to 2 places.
FILTER_DRAW = {"distribution": "normal", "decimals": 2}


def build_input(s: Settings) -> np.ndarray:
    """The input for an example or generated source (uploads are read elsewhere)."""
    if s.source == "example":
        return np.asarray(examples.example(s.example).x)
    if s.source != "generate":
        raise ValueError(f"source={s.source!r} has no settings to build an input from")
    if s.distribution == "pattern":
        return generate.pattern(s.pattern, s.shape)
    return generate.random_array(s.shape, rng=np.random.default_rng(s.seed), **_draw(s))


def kernel_shape(s: Settings, x_shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape :func:`build_kernel` would give for an input of ``x_shape``, without building it.

    None for an uploaded filter (its shape is known once read).
    """
    if s.kernel_source == "example":
        return examples.example(s.example).kernel.shape
    if s.kernel_source == "preset":
        if not s.presets:
            return None  # build_kernel says what is missing
        kh, kw = kernels.kernel(s.presets[0], size=s.kernel_size, sigma=s.sigma).shape
        f = len(s.presets)
        if len(x_shape) == 3:
            return (kh, kw, x_shape[2]) + ((f,) if f > 1 else ())
        return (kh, kw) if f == 1 else (kh, kw, 1, f)
    if s.kernel_source in ("same-rng", "generate"):
        return _draw_shape(s, x_shape)
    return None


def build_kernel(s: Settings, x: np.ndarray) -> np.ndarray:
    """The filter for every source but uploads, shaped for input ``x``."""
    if s.kernel_source == "example":
        if s.source != "example":
            raise ValueError("filter source 'example' needs an example input (source='example')")
        return np.asarray(examples.example(s.example).kernel)
    channels = x.shape[2] if x.ndim == 3 else 1
    if s.kernel_source == "preset":
        if not s.presets:
            raise ValueError("preset: choose at least one named kernel")
        taps = [kernels.kernel(p, size=s.kernel_size, sigma=s.sigma) for p in s.presets]
        if len({t.shape for t in taps}) > 1:
            sizes = ", ".join(
                f"{p} {t.shape[0]}×{t.shape[1]}" for p, t in zip(s.presets, taps, strict=True)
            )
            raise ValueError(f"preset: the named kernels differ in size ({sizes})")
        check_kernel_shape(kernel_shape(s, x.shape))
        k = np.stack(taps, axis=-1)[:, :, None, :]  # (KH, KW, 1, F)
        if x.ndim == 3:
            # One preset acts on the channel mean, so RGB images give the
            # same picture as their grey version.
            k = np.repeat(k, channels, axis=2) / channels
        if k.shape[3] == 1:
            k = k[:, :, :, 0] if x.ndim == 3 else k[:, :, 0, 0]
        return k
    if s.kernel_source not in ("same-rng", "generate"):
        raise ValueError(f"filter source {s.kernel_source!r} has no settings to build from")
    shape = kernel_draw_shape(s, x)
    check_kernel_shape(shape)
    if s.kernel_source == "same-rng":
        if not s.random_input:
            raise ValueError("filter source 'same-rng' needs a randomly generated input")
        rng = np.random.default_rng(s.seed)
        generate.random_array(s.shape, rng=rng, **_draw(s))
        return generate.random_array(shape, rng=rng, **_draw(s))
    draw = _draw(s) if s.random_input else FILTER_DRAW
    return generate.random_array(shape, rng=np.random.default_rng(s.kernel_seed), **draw)


def kernel_draw_shape(s: Settings, x: np.ndarray) -> tuple[int, ...]:
    """Shape of a generated filter for input ``x``: (KH, KW[, C][, F])."""
    return _draw_shape(s, x.shape)


def _draw_shape(s: Settings, x_shape: tuple[int, ...]) -> tuple[int, ...]:
    shape: tuple[int, ...] = tuple(s.kernel_shape)
    if len(x_shape) == 3 or s.filters > 1:
        shape += (x_shape[2] if len(x_shape) == 3 else 1,)
    if s.filters > 1:
        shape += (s.filters,)
    return shape


def _draw(s: Settings) -> dict:
    draw: dict = {"distribution": s.distribution, "decimals": s.decimals}
    if s.distribution != "normal":
        draw.update(low=s.low, high=s.high)
    return draw
