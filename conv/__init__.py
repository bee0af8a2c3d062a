"""convscope's numerics: neural-network-style 2-D convolution in pure numpy.

:func:`conv2d` computes the convolution; :func:`output_shape`,
:func:`resolve_padding` and :func:`unreached` answer questions about its
geometry from shapes alone; :func:`pad` shows the padded input and
:func:`explain_cell` takes one output cell apart. For layer stacks,
:func:`parse_layers` reads PyTorch-style text, :func:`trace_layers` gives
every layer's shape and the first failure, :func:`receptive_field` traces a
cell back and :func:`input_sizes` says which input sizes work. The algorithms themselves
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
from conv._geometry import output_shape, resolve_padding, unreached
from conv._input_sizes import AxisSizes, InputSizes, input_sizes
from conv._padding import PAD_MODES, pad
from conv._parse_layers import parse_layers
from conv._receptive import FieldAtMap, ReceptiveField, receptive_field
from conv._trace import LayerFailure, Trace, TraceRow, trace_layers

__all__ = [
    "PAD_MODES",
    "AxisSizes",
    "CellExplanation",
    "FieldAtMap",
    "InputSizes",
    "LayerFailure",
    "ReceptiveField",
    "Trace",
    "TraceRow",
    "conv2d",
    "explain_cell",
    "input_sizes",
    "output_shape",
    "pad",
    "parse_layers",
    "receptive_field",
    "resolve_padding",
    "trace_layers",
    "unreached",
]
