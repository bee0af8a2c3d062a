"""Example layer stacks to start from, as PyTorch code (so they also exercise the parser).

Examples
--------
>>> import conv
>>> from conv.stacks import STACKS
>>> lenet = STACKS["LeNet-5"]
>>> trace = conv.trace_layers(lenet.layers, lenet.input_shape)
>>> trace.output_shape, trace.params
((1, 10), 61706)
"""

from __future__ import annotations

from dataclasses import dataclass

from conv._layers import Layer
from conv._parse_layers import parse_layers


@dataclass(frozen=True)
class ExampleStack:
    """A named stack: its ``nn.Sequential`` code and the (C, H, W) input it was made for."""

    name: str
    description: str
    code: str
    input_shape: tuple[int, int, int]

    @property
    def layers(self) -> list[Layer]:
        return parse_layers(self.code)


_DILATED = "\n".join(
    f"    nn.Conv2d(16, 16, kernel_size=3, padding={d}, dilation={d}),\n    nn.ReLU(),"
    for d in (1, 2, 4, 8)
)

STACKS = {
    stack.name: stack
    for stack in (
        ExampleStack(
            "LeNet-5",
            "LeCun et al. 1998 on 32 x 32 digits: two 5 x 5 convolutions with 2 x 2 average "
            "pooling, then three fully connected layers; the first needs 16 * 5 * 5 = 400 inputs.",
            """nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5),
    nn.Tanh(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5),
    nn.Tanh(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(400, 120),
    nn.Tanh(),
    nn.Linear(120, 84),
    nn.Tanh(),
    nn.Linear(84, 10),
)""",
            (1, 32, 32),
        ),
        ExampleStack(
            "VGG block",
            "VGG-16's first block: two 3 x 3 convolutions with padding 1 keep the size, "
            "a 2 x 2 max pool halves it.",
            """nn.Sequential(
    nn.Conv2d(3, 64, kernel_size=3, padding=1),
    nn.ReLU(inplace=True),
    nn.Conv2d(64, 64, kernel_size=3, padding=1),
    nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=2, stride=2),
)""",
            (3, 224, 224),
        ),
        ExampleStack(
            "Small U-Net",
            "An encoder-decoder in U-Net's shape: two 2 x 2 max pools down, two stride-2 "
            "transposed convolutions up. The skip connections are left out (a Sequential "
            "cannot concatenate), but sizes must still divide by 4 to come back whole.",
            """nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=3, padding=1),
    nn.BatchNorm2d(16),
    nn.ReLU(inplace=True),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, kernel_size=3, padding=1),
    nn.BatchNorm2d(32),
    nn.ReLU(inplace=True),
    nn.MaxPool2d(2),
    nn.Conv2d(32, 64, kernel_size=3, padding=1),
    nn.ReLU(inplace=True),
    nn.ConvTranspose2d(64, 32, kernel_size=2, stride=2),
    nn.Conv2d(32, 32, kernel_size=3, padding=1),
    nn.ReLU(inplace=True),
    nn.ConvTranspose2d(32, 16, kernel_size=2, stride=2),
    nn.Conv2d(16, 16, kernel_size=3, padding=1),
    nn.ReLU(inplace=True),
    nn.Conv2d(16, 2, kernel_size=1),
)""",
            (1, 64, 64),
        ),
        ExampleStack(
            "MobileNet depthwise-separable block",
            "MobileNet v1: a 3 x 3 depthwise convolution (groups = channels) and a 1 x 1 "
            "pointwise one, each with batch norm and ReLU6; the second block strides by 2.",
            """nn.Sequential(
    nn.Conv2d(32, 32, kernel_size=3, padding=1, groups=32, bias=False),
    nn.BatchNorm2d(32),
    nn.ReLU6(inplace=True),
    nn.Conv2d(32, 64, kernel_size=1, bias=False),
    nn.BatchNorm2d(64),
    nn.ReLU6(inplace=True),
    nn.Conv2d(64, 64, kernel_size=3, stride=2, padding=1, groups=64, bias=False),
    nn.BatchNorm2d(64),
    nn.ReLU6(inplace=True),
    nn.Conv2d(64, 128, kernel_size=1, bias=False),
    nn.BatchNorm2d(128),
    nn.ReLU6(inplace=True),
)""",
            (32, 112, 112),
        ),
        ExampleStack(
            "Dilated stack (WaveNet-style)",
            "3 x 3 convolutions with dilation 1, 2, 4, 8 (padding = dilation keeps the size): "
            "the receptive field grows to 33 x 33 with no pooling or stride.",
            f"""nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=3, padding=1),
    nn.ReLU(),
{_DILATED}
    nn.Conv2d(16, 1, kernel_size=1),
)""",
            (1, 64, 64),
        ),
    )
}
