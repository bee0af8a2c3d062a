"""``.npy`` and ``.npz`` files, checked from their headers before any data is read.

Pickle is never allowed. A header that declares objects, structured or
complex data, more dimensions than the caller allows (3 by default), no
cells or more than ``MAX_CELLS`` cells is refused before the data is
touched; an ``.npz`` member's uncompressed size is checked before it is
decompressed, so a zip bomb costs nothing.
"""

from __future__ import annotations

import io
import math
import struct
import zipfile
import zlib
from typing import BinaryIO

import numpy as np
from numpy.lib import format as npformat

from conv.io._errors import InputError, axes, quote
from conv.io.limits import MAX_CELLS

__all__ = ["npz_names", "read_npy", "read_npz"]

_MAX_HEADER_BYTES = 10_000
_MAX_MEMBERS = 1_000
# numpy writes only these; bzip2 / lzma would decompress a whole huge block in one call.
_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# Whatever zipfile may raise on a damaged archive.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    ValueError,
    struct.error,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    KeyError,
    IndexError,
    UnicodeDecodeError,
    zlib.error,
)


def _read_header(fp: BinaryIO, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    try:
        version = npformat.read_magic(fp)
        if version == (1, 0):
            header = npformat.read_array_header_1_0(fp, max_header_size=_MAX_HEADER_BYTES)
        elif version == (2, 0):
            header = npformat.read_array_header_2_0(fp, max_header_size=_MAX_HEADER_BYTES)
        else:
            raise InputError(f"{name}: .npy format version {version} is not supported")
    except InputError:
        raise
    except Exception as err:  # numpy's header parser (ast-based) raises assorted types
        raise InputError(f"{name}: the .npy header is damaged ({quote(str(err), 80)})") from None
    return header


def _check_declared(shape: tuple[int, ...], dtype: np.dtype, name: str, max_ndim: int) -> int:
    """Refuse what the header declares; return the number of cells."""
    if dtype.hasobject:
        raise InputError(
            f"{name}: holds Python objects (dtype {dtype}), which could only be read by "
            "unpickling; refused for safety"
        )
    if dtype.names is not None or dtype.subdtype is not None:
        raise InputError(f"{name}: has a structured dtype {dtype}; need a plain numeric array")
    if dtype.kind == "c":
        raise InputError(f"{name}: holds complex numbers (dtype {dtype}); need real numbers")
    if dtype.kind not in "biuf":
        raise InputError(f"{name}: has dtype {dtype}; need bool, integer or float numbers")
    if len(shape) == 0:
        raise InputError(f"{name}: holds a single number (shape ()), not an array")
    if len(shape) > max_ndim:
        raise InputError(
            f"{name}: has {len(shape)} dimensions (shape {shape}); at most {max_ndim}, "
            f"{axes(max_ndim)}, are supported"
        )
    cells = math.prod(shape)
    if cells == 0:
        raise InputError(f"{name}: is empty (shape {shape})")
    if cells > MAX_CELLS:
        raise InputError(
            f"{name}: declares shape {shape}, {cells} cells, more than the limit of {MAX_CELLS}"
        )
    return cells


def _array_from(raw: bytes, shape, fortran: bool, dtype: np.dtype) -> np.ndarray:
    arr = np.frombuffer(raw, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    if dtype.kind == "b":
        # Bytes other than 0/1 would make odd numpy bools; normalise them.
        return np.ascontiguousarray(arr.view(np.uint8) != 0)
    # A copy: frombuffer views the read-only upload bytes.
    return np.array(arr, dtype=dtype.newbyteorder("="), order="C", copy=True)


def read_npy(data: bytes, name: str, max_ndim: int = 3) -> np.ndarray:
    """Read a ``.npy`` file's bytes after checking its header; no pickle.

    Examples
    --------
    >>> buf = io.BytesIO()
    >>> np.save(buf, np.arange(6.0).reshape(2, 3))
    >>> read_npy(buf.getvalue(), "a.npy")
    array([[0., 1., 2.],
           [3., 4., 5.]])
    """
    if not data.startswith(npformat.MAGIC_PREFIX):
        raise InputError(f"{name}: is not a .npy file (it lacks the NumPy magic bytes)")
    fp = io.BytesIO(data)
    shape, fortran, dtype = _read_header(fp, name)
    cells = _check_declared(shape, dtype, name, max_ndim)
    need = cells * dtype.itemsize
    have = len(data) - fp.tell()
    if have < need:
        raise InputError(
            f"{name}: is truncated: the header declares {need} bytes of data but only "
            f"{have} follow it"
        )
    return _array_from(data[fp.tell() : fp.tell() + need], shape, fortran, dtype)


def _open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as err:
        reason = quote(str(err), 60)
        raise InputError(f"{name}: is not a readable .npz (zip) archive ({reason})") from None


def _members(zf: zipfile.ZipFile, name: str) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > _MAX_MEMBERS:
        raise InputError(f"{name}: holds {len(infos)} files, more than the limit of {_MAX_MEMBERS}")
    return {i.filename[:-4]: i for i in infos if i.filename.endswith(".npy")}


def npz_names(data: bytes) -> list[str]:
    """Names of the arrays in an ``.npz`` file, in stored order, without reading them.

    Examples
    --------
    >>> buf = io.BytesIO()
    >>> np.savez(buf, image=np.zeros((2, 2)), kernel=np.ones((3, 3)))
    >>> npz_names(buf.getvalue())
    ['image', 'kernel']
    """
    with _open_zip(bytes(data), "the .npz file") as zf:
        return list(_members(zf, "the .npz file"))


def read_npz(data: bytes, name: str, key: str | None = None, max_ndim: int = 3) -> np.ndarray:
    """Read one array of an ``.npz`` file, checking sizes before decompressing.

    ``key`` names the array; it may be omitted when the file holds only one.

    Examples
    --------
    >>> buf = io.BytesIO()
    >>> np.savez_compressed(buf, a=np.eye(2), b=np.ones(3))
    >>> read_npz(buf.getvalue(), "two.npz", key="a")
    array([[1., 0.],
           [0., 1.]])
    >>> read_npz(buf.getvalue(), "two.npz")
    Traceback (most recent call last):
    ...
    conv.io._errors.InputError: two.npz: holds 2 arrays (a, b); choose one with key=
    """
    with _open_zip(data, name) as zf:
        members = _members(zf, name)
        if not members:
            raise InputError(f"{name}: holds no .npy arrays")
        listing = ", ".join(quote(n, 30)[1:-1] for n in list(members)[:20])
        if key is None:
            if len(members) > 1:
                raise InputError(
                    f"{name}: holds {len(members)} arrays ({listing}); choose one with key="
                )
            key = next(iter(members))
        if key not in members:
            raise InputError(f"{name}: has no array {quote(key)}; it holds {listing}")
        info = members[key]
        where = f"{name}[{quote(key, 30)}]"
        if info.compress_type not in _COMPRESSIONS:
            raise InputError(
                f"{where}: uses zip compression method {info.compress_type}; "
                "only stored or deflated members (as numpy writes) are read"
            )
        if info.flag_bits & 0x1:
            raise InputError(f"{where}: is encrypted")
        # The declared size bounds what zipfile will ever decompress for this member.
        if info.file_size > MAX_CELLS * 16 + _MAX_HEADER_BYTES:
            raise InputError(
                f"{where}: would decompress to {info.file_size} bytes, more than any "
                f"array of at most {MAX_CELLS} cells needs"
            )
        try:
            with zf.open(info) as fp:
                shape, fortran, dtype = _read_header(fp, where)
                cells = _check_declared(shape, dtype, where, max_ndim)
                need = cells * dtype.itemsize
                raw = fp.read(need)
                if len(raw) < need:
                    raise InputError(
                        f"{where}: is truncated: the header declares {need} bytes of data "
                        f"but only {len(raw)} follow it"
                    )
        except InputError:
            raise
        except _ZIP_ERRORS as err:
            reason = quote(str(err), 60)
            raise InputError(f"{where}: could not be decompressed ({reason})") from None
    return _array_from(raw, shape, fortran, dtype)
