"""Reading and writing arrays safely: uploads in, CSV and ``.npy`` out.

Everything a user uploads goes through :func:`read_array`, which returns a
clean numeric array or raises :class:`InputError` (a ``ValueError``) whose
message names the file and, for text, the row, column and offending text.
Size limits live in :mod:`conv.io.limits`. :func:`read_array_with_notes` also
returns what reading decided or changed (an alpha channel or index column
dropped, an EXIF orientation applied), as sentences the app can show.
"""

from conv.io import limits
from conv.io._detect import EXTENSIONS
from conv.io._errors import InputError
from conv.io._numpy_files import npz_names
from conv.io._read import read_array, read_array_with_notes
from conv.io._write import to_csv, to_npy

#: Extensions read_array accepts, without the dot (for an upload widget's ``type=``).
UPLOAD_TYPES = tuple(ext[1:] for ext in EXTENSIONS)

__all__ = [
    "UPLOAD_TYPES",
    "InputError",
    "limits",
    "npz_names",
    "read_array",
    "read_array_with_notes",
    "to_csv",
    "to_npy",
]
