"""convscope's numerics: neural-network-style 2-D convolution in pure numpy.

:func:`conv2d` computes the convolution; :func:`output_shape`,
:func:`resolve_padding`, :func:`unread` and :func:`unreached` answer questions
about its geometry from shapes alone; :func:`pad` shows the padded input and
:func:`explain_cell` takes one output cell apart. The algorithms themselves
live in private modules and are chosen per call.

Examples
--------
>>> import numpy as np
>>> import conv
>>> x = np.arange(25.0).reshape(5, 5)
>>> conv.output_shape(x.shape, (3, 3), stride=2)
(2, 2)
>>> conv.conv2d(x, np.ones((3, 3)) / 9, stride=2)
array([[ 6.,  8.],
       [16., 18.]])
"""

from conv._conv2d import conv2d
from conv._coverage import unreached, unread
from conv._explain import CellExplanation, explain_cell
from conv._geometry import output_shape, resolve_padding
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
    "unread",
]
