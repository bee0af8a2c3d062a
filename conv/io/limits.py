"""Size limits for anything a user can hand the app, in one place.

The app is a public demo on a small machine, so every size a user controls
is capped. ``MAX_UPLOAD_MB`` must equal ``server.maxUploadSize`` in
``.streamlit/config.toml`` (a test compares them).
"""

__all__ = [
    "MAX_CELLS",
    "MAX_DRAWN_CELLS",
    "MAX_OUTPUT_CELLS",
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

#: Most output cells (OH * OW * F) the app will compute in one go.
MAX_OUTPUT_CELLS = 4 * 2**20

#: Most cells drawn in one plotly heatmap; beyond this the browser slows to a crawl.
MAX_DRAWN_CELLS = 250_000

#: Longest text accepted for one CSV cell; real numbers need far fewer characters.
MAX_TEXT_CELL_CHARS = 100
