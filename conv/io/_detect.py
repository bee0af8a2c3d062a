"""Which kind of file the bytes are, from their magic numbers, not their name.

Used to catch a file whose extension lies (a PNG renamed ``.csv``) and say
so plainly instead of reporting a baffling parse error.
"""

from __future__ import annotations

__all__ = ["EXTENSIONS", "describe_content"]

#: Accepted file extensions and the reader kind each one selects.
EXTENSIONS: dict[str, str] = {
    ".csv": "text",
    ".tsv": "text",
    ".txt": "text",
    ".npy": "npy",
    ".npz": "npz",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".bmp": "image",
    ".gif": "image",
}

_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x93NUMPY", "npy", "a NumPy .npy file"),
    (b"PK\x03\x04", "npz", "a zip archive such as .npz"),
    (b"PK\x05\x06", "npz", "an empty zip archive"),
    (b"\x89PNG\r\n\x1a\n", "image", "a PNG image"),
    (b"\xff\xd8\xff", "image", "a JPEG image"),
    (b"GIF87a", "image", "a GIF image"),
    (b"GIF89a", "image", "a GIF image"),
    (b"%PDF-", "other", "a PDF document"),
    (b"\x1f\x8b", "other", "gzip-compressed data"),
    (b"\xff\xfe", "utf16", "UTF-16 text"),
    (b"\xfe\xff", "utf16", "UTF-16 text"),
)


def describe_content(data: bytes) -> tuple[str, str] | None:
    """``(kind, description)`` for recognised magic bytes, else None.

    Examples
    --------
    >>> describe_content(b"\\x89PNG\\r\\n\\x1a\\n....")
    ('image', 'a PNG image')
    >>> describe_content(b"1,2,3") is None
    True
    """
    for magic, kind, description in _SIGNATURES:
        if data.startswith(magic):
            return kind, description
    # "BM" alone would also match text such as a "BMI" header; a real BMP
    # has four zero reserved bytes at offset 6, which text never has.
    if data.startswith(b"BM") and len(data) >= 14 and data[6:10] == b"\0\0\0\0":
        return "image", "a BMP image"
    return None
