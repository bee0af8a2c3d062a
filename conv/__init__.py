"""convscope's numerics: neural-network-style 2-D convolution in pure numpy.

:func:`conv2d` computes the convolution (grouped and depthwise too),
:func:`conv_transpose2d` its adjoint and :func:`pool2d` max and average
pooling; :func:`output_shape`, :func:`resolve_padding` and
:func:`layer_counts` answer questions about each of them from shapes alone
(``op="conv" | "transpose" | "pool"``), :func:`unreached` and
:func:`transpose_overlap` about coverage; :func:`pad` shows the padded input
and :func:`explain_cell`, :func:`explain_transpose_cell` and
:func:`explain_pool_cell` take one output cell apart. The algorithms themselves
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
from conv._explain import CellExplanation, explain_cell
from conv._geometry import unreached
from conv._padding import PAD_MODES, pad
from conv._pool import POOL_MODES, pool2d
from conv._pool_explain import PoolCellExplanation, explain_pool_cell
from conv._shapes import LayerCounts, layer_counts, output_shape, resolve_padding
from conv._transpose import conv_transpose2d
from conv._transpose_explain import (
    TransposeCellExplanation,
    explain_transpose_cell,
    transpose_overlap,
)

__all__ = [
    "PAD_MODES",
    "POOL_MODES",
    "CellExplanation",
    "LayerCounts",
    "PoolCellExplanation",
    "TransposeCellExplanation",
    "conv2d",
    "conv_transpose2d",
    "explain_cell",
    "explain_pool_cell",
    "explain_transpose_cell",
    "layer_counts",
    "output_shape",
    "pad",
    "pool2d",
    "resolve_padding",
    "transpose_overlap",
    "unreached",
]
