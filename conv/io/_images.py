"""PNG, JPEG, BMP and GIF images as float arrays in [0, 1], decoded safely.

Grayscale images give ``(H, W)``, colour ones ``(H, W, 3)``; alpha is
dropped (and said in the notes) and a GIF gives its first frame (palette
images whose colours are all grays count as grayscale). 16-bit grey,
grey+alpha and 48/64-bit colour PNGs keep all 16 bits (divided by 65535):
Pillow unpacks only the high byte of 16-bit colour, so the low bytes are
decoded in a second pass. A JPEG's EXIF orientation is applied, so a phone
photo reads as it is displayed. The pixel count is checked from the header
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


#: EXIF orientation -> the numpy steps that show the image upright (Pillow's exif_transpose).
_ORIENTATION = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: np.rot90(a, 2).swapaxes(0, 1),
    8: lambda a: np.rot90(a, 1),
}

#: Pillow's raw modes for 16-bit colour PNGs -> (the raw mode giving the low bytes, channels).
_SIXTEEN_BIT_COLOUR = {"RGB;16B": ("RGB;16L", 3), "RGBA;16B": ("RGBA;16L", 4)}


def _raw_mode(img: Image.Image) -> str | None:
    tile = getattr(img, "tile", None)
    if img.format != "PNG" or not tile or len(tile) != 1:
        return None
    args = tile[0].args
    return args if isinstance(args, str) else None


def _with_raw_mode(img: Image.Image, raw_mode: str) -> np.ndarray:
    """Decode ``img`` (not yet loaded) with another unpacker of the same bits per pixel."""
    tile = img.tile[0]
    img.tile = [tile._replace(args=raw_mode)]
    img.load()
    return np.asarray(img)


def _sixteen_bit_png(data: bytes, img: Image.Image, notes: list[str]) -> np.ndarray | None:
    """All 16 bits of a grey+alpha, RGB or RGBA 16-bit PNG in [0, 1]; None for other images."""
    raw = _raw_mode(img)
    if raw == "LA;16B":
        # 4 bytes per pixel, as 8-bit RGBA: the same unfiltering, bytes grey-hi, grey-lo, ...
        packed = _with_raw_mode(img, "RGBA").astype(np.uint16)
        notes.append("the alpha channel was dropped (grey + alpha image read as grey)")
        return (packed[..., 0] * 256 + packed[..., 1]) / 65535.0
    if raw not in _SIXTEEN_BIT_COLOUR:
        return None
    low_mode, channels = _SIXTEEN_BIT_COLOUR[raw]
    img.load()
    high = np.asarray(img).astype(np.uint16)
    with Image.open(io.BytesIO(data), formats=("PNG",)) as again:
        low = _with_raw_mode(again, low_mode)
    if channels == 4:
        notes.append("the alpha channel was dropped")
    return (high[..., :3] * 256 + low[..., :3]) / 65535.0


def _to_array(img: Image.Image, notes: list[str]) -> np.ndarray:
    mode = img.mode
    if mode == "1":
        return np.asarray(img, dtype=bool).astype(np.float64)
    if mode in ("L", "LA"):
        if mode == "LA":
            notes.append("the alpha channel was dropped")
        return np.asarray(img.getchannel("L"), dtype=np.float64) / 255.0
    if mode.startswith("I"):
        values = np.asarray(img).astype(np.float64)
        # 16-bit PNGs decode to "I" or "I;16" depending on the Pillow version.
        if values.min() < 0 or values.max() > 65535:
            raise ValueError(f"32-bit grayscale values outside 0..65535 in mode {mode}")
        return values / 65535.0
    if mode == "CMYK":
        notes.append("CMYK colours were converted to RGB")
    elif "A" in mode or (mode == "P" and "transparency" in img.info):
        notes.append("the alpha channel (transparency) was dropped")
    rgb = np.asarray(img.convert("RGB"), dtype=np.float64) / 255.0
    if (
        mode in ("P", "PA")
        and (rgb[..., 0] == rgb[..., 1]).all()
        and (rgb[..., 1] == rgb[..., 2]).all()
    ):
        notes.append("a palette image of greys, read as greyscale")
        return rgb[..., 0].copy()
    return rgb


def _orient(arr: np.ndarray, img: Image.Image, notes: list[str]) -> np.ndarray:
    try:
        orientation = img.getexif().get(0x0112, 1)
    except Exception:  # a damaged EXIF block must not stop the pixels from being read
        return arr
    turn = _ORIENTATION.get(orientation)
    if turn is None:
        return arr
    notes.append(f"EXIF orientation {orientation} applied, so the image reads as displayed")
    return np.ascontiguousarray(turn(arr))


def read_image(data: bytes, name: str, notes: list[str] | None = None) -> np.ndarray:
    """Decode an image's bytes to a float64 array in [0, 1].

    What was changed on the way (alpha dropped, EXIF orientation applied,
    colours converted) is appended to ``notes`` as short sentences.

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
                notes = [] if notes is None else notes
                img.seek(0)
                arr = _sixteen_bit_png(data, img, notes)
                if arr is None:
                    img.load()
                    arr = _to_array(img, notes)
                if getattr(img, "n_frames", 1) > 1:
                    notes.append(f"the first of {img.n_frames} frames was read")
                return _orient(arr, img, notes)
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
