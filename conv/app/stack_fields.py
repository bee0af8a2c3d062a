"""The Layer stack page's settings as text: the example names and the layer text's field row.

The layer text is kept as typed (PyTorch code, a ``print(model)`` printout or
one layer per line) and parsed by the page, which shows the parser's message
and keeps the last good trace; so this row accepts any text and the page
checks its length (:data:`conv.app.limits.MAX_STACK_CHARS`) before parsing.

Examples
--------
>>> row = layer_text("layers", "layers")
>>> row.read("nn.ReLU()"), row.text("nn.ReLU()")
('nn.ReLU()', 'nn.ReLU()')
>>> stack_code("VGG block").splitlines()[1].strip()
'nn.Conv2d(3, 64, kernel_size=3, padding=1),'
"""

from __future__ import annotations

from conv.app.fields import Field
from conv.stacks import STACKS

__all__ = ["LAYOUTS", "STACK_FIELDS", "STACK_NAMES", "layer_text", "stack_code"]

STACK_NAMES = tuple(STACKS)
#: How the page reads the three input sizes: channels first (PyTorch) or last (images).
LAYOUTS = ("CHW", "HWC")
#: The settings only the Layer stack page uses (and writes into its link).
STACK_FIELDS = frozenset(
    {"stack", "layers", "stack_input", "stack_layout", "stack_layer", "stack_cell"}
)


def stack_code(name: str) -> str:
    """The ``nn.Sequential`` code of example stack ``name``."""
    return STACKS[name].code


def layer_text(name: str, url: str) -> Field:
    """Free text: layers are parsed (never run) by the page, which names any problem."""
    return Field(name, url, str, str, "PyTorch layer text (nn.Sequential code or a printout)")
