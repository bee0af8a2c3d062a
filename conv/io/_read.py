"""``read_array``: any supported upload's bytes to a checked numeric array."""

from __future__ import annotations

import os

import numpy as np

from conv.io._detect import EXTENSIONS, describe_content
from conv.io._errors import InputError, quote
from conv.io._images import read_image
from conv.io._numpy_files import read_npy, read_npz
from conv.io._text import read_text
from conv.io.limits import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB

__all__ = ["read_array"]

_KIND_NAMES = {"text": "CSV/TSV/TXT text", "npy": "a .npy file", "npz": "an .npz archive"}


def _first_nonfinite(arr: np.ndarray, name: str) -> None:
    if arr.dtype.kind != "f" or np.isfinite(arr).all():
        return
    index = tuple(int(v) for v in np.argwhere(~np.isfinite(arr))[0])
    labels = ("row", "column", "channel")
    position = ", ".join(f"{label} {v + 1}" for label, v in zip(labels, index, strict=False))
    raise InputError(
        f"{name}: {position} holds {float(arr[index])!r}, not a finite number; "
        "NaN and infinity are refused"
    )


def read_array(
    data: bytes, filename: str, *, key: str | None = None, allow_nonfinite: bool = False
) -> np.ndarray:
    """Read an uploaded file's bytes as a 2-D ``(H, W)`` or 3-D ``(H, W, C)`` array.

    Parameters
    ----------
    data : bytes
        The file's content, at most ``MAX_UPLOAD_MB`` megabytes.
    filename : str
        Its name; the extension picks the reader (``.csv .tsv .txt .npy .npz
        .png .jpg .jpeg .bmp .gif``, any case) and the content must agree.
    key : str, optional
        Which array of an ``.npz`` holding several (see :func:`npz_names`).
    allow_nonfinite : bool
        Accept NaN and infinities; refused by default, with their position.

    Returns
    -------
    numpy.ndarray
        Text and images give float64; ``.npy``/``.npz`` keep their bool,
        integer or float dtype (in native byte order). A 1-D array becomes a
        ``1 x N`` row; a one-column CSV is ``N x 1``.

    Raises
    ------
    InputError
        For anything that is not a clean numeric array; the message names the
        file and, for text, the 1-based row and column and the offending text.

    Examples
    --------
    >>> read_array(b"1;2;3\\n4;5;6\\n", "m.csv")
    array([[1., 2., 3.],
           [4., 5., 6.]])
    >>> read_array(b"1,2\\n3,nan\\n", "m.csv")
    Traceback (most recent call last):
    ...
    conv.io._errors.InputError: m.csv: row 2, column 2: 'nan' is not a finite number; NaN and infinity are refused
    """  # noqa: E501
    if not isinstance(filename, str):
        raise InputError(f"filename must be a str, got {filename!r}")
    name = quote(os.path.basename(filename) or filename, 60)[1:-1]
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"{name}: data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(
            f"{name}: is {len(data) / 2**20:.1f} MB, more than the limit of {MAX_UPLOAD_MB} MB"
        )
    if not data:
        raise InputError(f"{name}: is empty (0 bytes)")
    ext = os.path.splitext(filename)[1].lower()
    kind = EXTENSIONS.get(ext)
    if kind is None:
        raise InputError(
            f"{name}: extension {quote(ext)} is not supported; use one of {' '.join(EXTENSIONS)}"
        )
    content = describe_content(data)
    agrees = content is None or content[0] == kind or (kind, content[0]) == ("text", "utf16")
    if not agrees:
        raise InputError(
            f"{name}: the content is {content[1]}, not {_KIND_NAMES.get(kind, 'an image')} "
            f"as the extension {ext} says; rename the file to match its content"
        )
    if key is not None and kind != "npz":
        raise InputError(f"{name}: key={key!r} only applies to .npz files")

    if kind == "text":
        return read_text(data, name, allow_nonfinite=allow_nonfinite)
    if kind == "image":
        arr = read_image(data, name)
    else:
        arr = read_npy(data, name) if kind == "npy" else read_npz(data, name, key)
        if arr.ndim == 1:
            arr = arr.reshape(1, -1)
    if not allow_nonfinite:
        _first_nonfinite(arr, name)
    return arr
