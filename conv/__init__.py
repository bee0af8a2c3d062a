"""convscope's numerics: neural-network-style 2-D convolution in pure numpy.

:func:`conv2d` computes the convolution (with ``groups``),
:func:`conv_transpose2d` its adjoint and :func:`pool2d` max/avg pooling;
:func:`output_shape`, :func:`resolve_padding`, :func:`layer_counts`,
:func:`unread`, :func:`unreached` and :func:`estimate` (work, memory and time) answer
questions from shapes alone; :func:`pad` shows the padded input and
:func:`explain_cell`, :func:`explain_transpose_cell` and
:func:`explain_pool_cell` take one output cell apart; :func:`check_answer` marks a hand-computed
result and names the mistake behind it; :func:`framework_padding` and
:func:`to_layout` port a layer between frameworks. The algorithms
themselves live in private modules and are chosen per call.

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

from conv._answer_text import parse_answer
from conv._check import AnswerReport, check_answer
from conv._conv2d import conv2d
from conv._coverage import unreached, unread
from conv._diagnosis import Diagnosis
from conv._estimate import Work, estimate
from conv._explain import CellExplanation, explain_cell
from conv._frameworks import FRAMEWORKS, FrameworkPadding, framework_padding
from conv._layouts import to_layout
from conv._mistakes import MISTAKES
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
    "FRAMEWORKS",
    "MISTAKES",
    "PAD_MODES",
    "POOL_MODES",
    "AnswerReport",
    "CellExplanation",
    "Diagnosis",
    "FrameworkPadding",
    "LayerCounts",
    "PoolCellExplanation",
    "TransposeCellExplanation",
    "Work",
    "check_answer",
    "conv2d",
    "conv_transpose2d",
    "estimate",
    "explain_cell",
    "explain_pool_cell",
    "explain_transpose_cell",
    "framework_padding",
    "layer_counts",
    "output_shape",
    "pad",
    "parse_answer",
    "pool2d",
    "resolve_padding",
    "to_layout",
    "transpose_overlap",
    "unreached",
    "unread",
]
