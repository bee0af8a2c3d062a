"""What one visitor may ask the app for: sizes and work, in one place.

The hosted demo is public, so every size a visitor controls is capped before
any work starts. Upload sizes and cells per array are the library's reading
limits (:mod:`conv.io.limits`); what is computed and drawn is app policy, here.
"""

from conv.io.limits import MAX_CELLS, MAX_UPLOAD_MB

__all__ = [
    "EDITABLE_CELLS",
    "MAX_ANSWER_CELLS",
    "MAX_ANSWER_CHARS",
    "MAX_CELLS",
    "MAX_CHECK_CELLS",
    "MAX_CHECK_MACS",
    "MAX_CHECK_STRIDE",
    "MAX_DIRECT_MACS",
    "MAX_DRAWN_CELLS",
    "MAX_KERNEL_CELLS",
    "MAX_OUTPUT_CELLS",
    "MAX_PEAK_BYTES",
    "MAX_SECONDS",
    "MAX_UPLOAD_MB",
    "NS_PER_MAC",
    "PEAK_MARGIN",
]

#: Most output cells (OH * OW * F) the app computes in one go.
MAX_OUTPUT_CELLS = 4 * 2**20

#: Most cells drawn in one plotly heatmap; beyond this the browser slows to a crawl.
MAX_DRAWN_CELLS = 250_000

#: Arrays up to this many cells per channel (and at most 8 channels) can be edited in place.
EDITABLE_CELLS = 20 * 20

#: Longest predicted time of one convolution, in seconds (see conv.app.budget).
MAX_SECONDS = 2.0

#: Most working memory of one convolution: padded copies, scratch, spectra, output.
MAX_PEAK_BYTES = 2**30

#: Slowest nanoseconds per multiply-add measured on admitted problems with one
#: BLAS thread (benchmarks/bench_budget.py: 1.9 at worst), rounded up.
NS_PER_MAC = 2.0

#: conv.estimate's peak bytes undercounted a measured peak by up to 1.31x.
PEAK_MARGIN = 1.5

#: Most values in one filter (KH * KW * C * F), checked before it is built.
MAX_KERNEL_CELLS = 4 * 2**20
#: Most multiply-adds one request may sum directly where the data decides: method
#: "auto" sums the cells its FFT cannot prove exact directly (values far apart in
#: scale), which shapes alone cannot price. MAX_SECONDS at NS_PER_MAC.
MAX_DIRECT_MACS = int(MAX_SECONDS / NS_PER_MAC * 1e9)

#: Most output cells (one filter's OH * OW) an answer is checked against: a check
#: computes the output of about 30 to 60 mistakes, not one.
MAX_CHECK_CELLS = 10_000

#: Most multiply-adds of one convolution of a checked problem (OH * OW * KH * KW * C);
#: at this size a wrong answer takes about 1.5 s to diagnose here.
MAX_CHECK_MACS = 10_000_000

#: Largest stride (per axis) of a checked problem: the search for a stride
#: started at an offset tries every offset, so its work grows with the stride
#: squared (6.9 s at stride 64 on a 640x640 input here; 0.6 s at 8 on 800x800).
MAX_CHECK_STRIDE = 16

#: Most cells in a pasted or uploaded answer (a stride-1 answer to a stride-2
#: problem has about 4 times the output's cells).
MAX_ANSWER_CELLS = 40_000

#: Longest pasted answer, and largest uploaded answer file, in characters (bytes).
MAX_ANSWER_CHARS = 500_000

# -- the Layer stack page -------------------------------------------------------

#: Longest layer text read (the library reads up to 100 000 characters).
MAX_STACK_CHARS = 20_000

#: Longest layer text written into a link; longer stacks stay out of the URL.
MAX_LINK_CHARS = 1_500

#: Most layers traced on the page (the library allows 1 000).
MAX_STACK_LAYERS = 200

#: Largest input height, width or channel count the page traces.
MAX_STACK_SIDE = 4096

#: Most input sizes x spatial layers the input-size solver tries per axis (about 0.25 s).
MAX_SOLVER_STEPS = 60_000

#: Largest input size the solver tries.
MAX_SOLVER_SIZE = 1024

#: Most maps drawn as receptive-field panels; a map drawn cell by cell has at most this many cells.
MAX_FIELD_PANELS = 24
MAX_FIELD_GRID_CELLS = 128 * 128

#: Most bytes of inputs, filters, outputs and their images kept for reuse across reruns and
#: visitors (conv.app.result.ARRAYS), on top of what each page holds.
MAX_CACHED_BYTES = 512 * 2**20
