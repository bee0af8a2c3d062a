"""``read_array``: any supported upload's bytes to a checked numeric array."""

from __future__ import annotations

import os

import numpy as np

from conv.io._detect import EXTENSIONS, describe_content
from conv.io._errors import InputError, axes, quote
from conv.io._images import read_image
from conv.io._numpy_files import read_npy, read_npz
from conv.io._text import read_text
from conv.io.limits import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB

__all__ = ["read_array", "read_array_with_notes"]

_KIND_NAMES = {"text": "CSV/TSV/TXT text", "npy": "a .npy file", "npz": "an .npz archive"}


def _first_nonfinite(arr: np.ndarray, name: str) -> None:
    if arr.dtype.kind != "f" or np.isfinite(arr).all():
        return
    index = tuple(int(v) for v in np.argwhere(~np.isfinite(arr))[0])
    labels = ("row", "column", "channel", "filter")
    position = ", ".join(f"{label} {v + 1}" for label, v in zip(labels, index, strict=False))
    raise InputError(
        f"{name}: {position} holds {float(arr[index])!r}, not a finite number; "
        "NaN and infinity are refused"
    )


def read_array(
    data: bytes,
    filename: str,
    *,
    key: str | None = None,
    allow_nonfinite: bool = False,
    max_ndim: int = 3,
) -> np.ndarray:
    """Read an uploaded file's bytes as a 2-D ``(H, W)`` or 3-D ``(H, W, C)`` array.

    With ``max_ndim=4`` a ``(KH, KW, C, F)`` filter bank is read too.

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
    max_ndim : {3, 2, 4}
        Most dimensions accepted; a deeper array is refused, for ``.npy`` and
        ``.npz`` before its data is read. 4 admits ``(KH, KW, C, F)`` filter
        banks: 4-D ``.npy``/``.npz`` and the CSV long form
        ``row,col,channel,filter,value``.

    Returns
    -------
    numpy.ndarray
        Text and images give float64; ``.npy``/``.npz`` keep their bool,
        integer or float dtype (in native byte order). A 1-D array becomes a
        ``1 x N`` row; a one-column CSV is ``N x 1``; a single CSV row is
        ``1 x N`` too.

    Raises
    ------
    InputError
        For anything that is not a clean numeric array; the message names the
        file and, for text, the 1-based row and column and the offending text.
    ValueError
        If ``max_ndim`` is not 2, 3 or 4.

    Examples
    --------
    >>> read_array(b"1;2;3\\n4;5;6\\n", "m.csv")
    array([[1., 2., 3.],
           [4., 5., 6.]])
    >>> bank = b"row,col,channel,filter,value\\n0,0,0,0,1\\n0,0,0,1,-1\\n"
    >>> read_array(bank, "bank.csv", max_ndim=4).shape
    (1, 1, 1, 2)
    >>> read_array(b"1,2\\n3,nan\\n", "m.csv")
    Traceback (most recent call last):
    ...
    conv.io._errors.InputError: m.csv: row 2, column 2: 'nan' is not a finite number; NaN and infinity are refused
    """  # noqa: E501
    return _read(data, filename, key, allow_nonfinite, max_ndim, [])


def read_array_with_notes(
    data: bytes,
    filename: str,
    *,
    key: str | None = None,
    allow_nonfinite: bool = False,
    max_ndim: int = 3,
) -> tuple[np.ndarray, list[str]]:
    """:func:`read_array`, plus what reading had to decide or change, for the user to see.

    The notes are short sentences, such as that an alpha channel was dropped,
    an EXIF orientation applied, a header row or an index column skipped, or
    that a named first column was read as data although it may be an index.
    An empty list means the file was read exactly as it is.

    Returns
    -------
    (array, notes) : (numpy.ndarray, list of str)

    Examples
    --------
    >>> arr, notes = read_array_with_notes(b"row,a,b\\n0,1.5,2\\n1,3,4\\n", "df.csv")
    >>> arr
    array([[1.5, 2. ],
           [3. , 4. ]])
    >>> notes
    ["row 1 is a header: 'row,a,b'", "column 1 ('row', holding 0, 1, 2, ...) is an index: dropped"]
    """
    notes: list[str] = []
    return _read(data, filename, key, allow_nonfinite, max_ndim, notes), notes


def _read(data, filename, key, allow_nonfinite, max_ndim, notes: list[str]) -> np.ndarray:
    if max_ndim not in (2, 3, 4):
        raise ValueError(f"max_ndim must be 2, 3 or 4, got {max_ndim!r}")
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
        return read_text(
            data, name, allow_nonfinite=allow_nonfinite, max_ndim=max_ndim, notes=notes
        )
    if kind == "image":
        arr = read_image(data, name, notes)
        if arr.ndim > max_ndim:
            raise InputError(
                f"{name}: is a colour image of shape {arr.shape}; at most {max_ndim} "
                f"dimensions, {axes(max_ndim)}, are accepted here (save it as greyscale)"
            )
    else:
        if kind == "npy":
            arr = read_npy(data, name, max_ndim)
        else:
            arr = read_npz(data, name, key, max_ndim)
        if arr.ndim == 1:
            arr = arr.reshape(1, -1)
    if not allow_nonfinite:
        _first_nonfinite(arr, name)
    return arr
