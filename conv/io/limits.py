"""Size limits for anything a user can hand the app, in one place.

Reading is capped so no file can take the host's memory; what the app
computes and draws is capped in :mod:`conv.app.limits`. ``MAX_UPLOAD_MB``
must equal ``server.maxUploadSize`` in ``.streamlit/config.toml`` (a test
compares them).
"""

__all__ = [
    "MAX_CELLS",
    "MAX_TEXT_CELL_CHARS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_MB",
]

#: Largest upload, in megabytes (Streamlit counts 1 MB as 2**20 bytes).
MAX_UPLOAD_MB = 20
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 2**20

#: Most cells (H * W * C) in one array read, generated or accepted as input:
#: 16 Mi float64 cells are 128 MiB, which a 2-core, few-GB host can hold a few of.
MAX_CELLS = 16 * 2**20

#: Longest text accepted for one CSV cell; real numbers need far fewer characters.
MAX_TEXT_CELL_CHARS = 100
