"""convscope's numerics: neural-network-style 2-D convolution in pure numpy.

The public API is :func:`conv2d` and the shape helpers around it; the
algorithms themselves live in private modules and are chosen per call.
"""

from conv._conv2d import conv2d
from conv._explain import CellExplanation, explain_cell
from conv._geometry import output_shape, resolve_padding, unreached
from conv._padding import PAD_MODES, pad

__all__ = [
    "PAD_MODES",
    "CellExplanation",
    "conv2d",
    "explain_cell",
    "output_shape",
    "pad",
    "resolve_padding",
    "unreached",
]
