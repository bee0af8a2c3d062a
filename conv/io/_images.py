"""PNG, JPEG, BMP and GIF images as float arrays in [0, 1], decoded safely.

Grayscale images give ``(H, W)``, colour ones ``(H, W, 3)``; alpha is
dropped and a GIF gives its first frame (palette images whose colours are
all grays count as grayscale). The pixel count is checked from the header
before any pixel is decoded, and Pillow's decompression-bomb warning is
turned into an error.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from conv.io._errors import InputError, quote
from conv.io.limits import MAX_CELLS

__all__ = ["IMAGE_FORMATS", "read_image"]

IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF")
_GRAY_MODES = ("1", "L", "LA", "I", "I;16", "I;16L", "I;16B", "I;16N", "F")


def _to_array(img: Image.Image) -> np.ndarray:
    mode = img.mode
    if mode == "1":
        return np.asarray(img, dtype=bool).astype(np.float64)
    if mode in ("L", "LA"):
        return np.asarray(img.getchannel("L"), dtype=np.float64) / 255.0
    if mode.startswith("I"):
        values = np.asarray(img).astype(np.float64)
        # 16-bit PNGs decode to "I" or "I;16" depending on the Pillow version.
        if values.min() < 0 or values.max() > 65535:
            raise ValueError(f"32-bit grayscale values outside 0..65535 in mode {mode}")
        return values / 65535.0
    rgb = np.asarray(img.convert("RGB"), dtype=np.float64) / 255.0
    if (
        mode in ("P", "PA")
        and (rgb[..., 0] == rgb[..., 1]).all()
        and (rgb[..., 1] == rgb[..., 2]).all()
    ):
        return rgb[..., 0].copy()
    return rgb


def read_image(data: bytes, name: str) -> np.ndarray:
    """Decode an image's bytes to a float64 array in [0, 1].

    Examples
    --------
    >>> buf = io.BytesIO()
    >>> Image.fromarray(np.array([[0, 255], [51, 102]], dtype=np.uint8)).save(buf, "PNG")
    >>> read_image(buf.getvalue(), "g.png")
    array([[0. , 1. ],
           [0.2, 0.4]])
    """
    try:
        with warnings.catch_warnings():
            # Process-wide while it lasts; acceptable, as it only makes a warning fatal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as img:
                width, height = img.size
                channels = 1 if img.mode in _GRAY_MODES else 3
                if width * height * channels > MAX_CELLS:
                    raise InputError(
                        f"{name}: is {width} x {height} pixels ({width * height * channels} "
                        f"cells), more than the limit of {MAX_CELLS}"
                    )
                if width == 0 or height == 0:
                    raise InputError(f"{name}: has no pixels ({width} x {height})")
                img.seek(0)
                img.load()
                return _to_array(img)
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise InputError(
            f"{name}: declares too many pixels to decode safely (decompression bomb: "
            f"{quote(str(err), 80)})"
        ) from None
    except UnidentifiedImageError:
        raise InputError(
            f"{name}: is not a {', '.join(IMAGE_FORMATS)} image that can be decoded"
        ) from None
    except Exception as err:
        # Pillow's decoders raise many exception types on damaged data.
        raise InputError(
            f"{name}: the image data is damaged or truncated "
            f"({type(err).__name__}: {quote(str(err), 60)})"
        ) from None
