"""convscope's numerics: neural-network-style 2-D convolution in pure numpy.

:func:`conv2d` computes the convolution (with ``groups``),
:func:`conv_transpose2d` its adjoint and :func:`pool2d` max/avg pooling;
:func:`output_shape`, :func:`resolve_padding`, :func:`layer_counts`,
:func:`unread`, :func:`unreached` and :func:`estimate` (work, memory and time) answer
questions from shapes alone (``conv2d``'s ``max_direct_macs`` bounds what the data adds,
raising :class:`DirectWorkError`); :func:`pad` shows the padded input and
:func:`explain_cell`, :func:`explain_transpose_cell` and
:func:`explain_pool_cell` take one output cell apart; :func:`check_answer` marks a hand-computed
result and names the mistake behind it; :func:`framework_padding` and
:func:`to_layout` port a layer between frameworks. For layer stacks,
:func:`parse_layers` reads PyTorch-style text, :func:`trace_layers` gives
every layer's shape and the first failure, :func:`receptive_field` traces a
cell back and :func:`input_sizes` says which input sizes work. The algorithms
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
from conv._exactness import DirectWorkError
from conv._explain import CellExplanation, explain_cell
from conv._frameworks import FRAMEWORKS, FrameworkPadding, framework_padding
from conv._input_sizes import AxisSizes, InputSizes, input_sizes
from conv._layouts import to_layout
from conv._mistakes import MISTAKES
from conv._padding import PAD_MODES, pad
from conv._parse_layers import parse_layers
from conv._pool import POOL_MODES, pool2d
from conv._pool_explain import PoolCellExplanation, explain_pool_cell
from conv._receptive import FieldAtMap, ReceptiveField, receptive_field
from conv._shapes import LayerCounts, layer_counts, output_shape, resolve_padding
from conv._trace import LayerFailure, Trace, TraceRow, trace_layers
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
    "AxisSizes",
    "CellExplanation",
    "Diagnosis",
    "DirectWorkError",
    "FieldAtMap",
    "FrameworkPadding",
    "InputSizes",
    "LayerCounts",
    "LayerFailure",
    "PoolCellExplanation",
    "ReceptiveField",
    "Trace",
    "TraceRow",
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
    "input_sizes",
    "layer_counts",
    "output_shape",
    "pad",
    "parse_answer",
    "parse_layers",
    "pool2d",
    "receptive_field",
    "resolve_padding",
    "to_layout",
    "trace_layers",
    "transpose_overlap",
    "unreached",
    "unread",
]
