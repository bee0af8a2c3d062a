"""What one visitor may ask the app for: sizes and work, in one place.

The hosted demo is public, so every size a visitor controls is capped before
any work starts. Upload sizes and cells per array are the library's reading
limits (:mod:`conv.io.limits`); what is computed and drawn is app policy, here.
"""

from conv.io.limits import MAX_CELLS, MAX_UPLOAD_MB

__all__ = [
    "EDITABLE_CELLS",
    "MAX_CELLS",
    "MAX_DRAWN_CELLS",
    "MAX_MACS",
    "MAX_OUTPUT_CELLS",
    "MAX_UPLOAD_MB",
]

#: Most output cells (OH * OW * F) the app computes in one go.
MAX_OUTPUT_CELLS = 4 * 2**20

#: Most cells drawn in one plotly heatmap; beyond this the browser slows to a crawl.
MAX_DRAWN_CELLS = 250_000

#: Arrays up to this many cells per channel (and at most 8 channels) can be edited in place.
EDITABLE_CELLS = 20 * 20

#: Most multiply-adds one request may ask for (about 1 s of direct work here).
MAX_MACS = 2 * 10**9
