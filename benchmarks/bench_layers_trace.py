"""Time tracing a 50-layer stack plus one receptive field, against torch's own shape pass.

Run from the repository root::

    python benchmarks/bench_layers_trace.py

The stack is VGG-like (conv / batch norm / ReLU, a max pool every few
layers) on a 3 x 224 x 224 input; the receptive field is that of the centre
cell of the last layer's output, traced back through all 50 layers. The
issue's target is a median of at most 20 ms for both together. The peer, when
torch is installed, runs the same modules on a tensor on the ``meta`` device
(shapes only, no arithmetic) in the same process.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import conv
from conv import layers as L


def stack_50() -> list:
    """Five VGG-style blocks of (conv, batch norm, ReLU) x 3 and a max pool: 50 layers."""
    layers, c = [], 3
    for out in (32, 64, 128, 256, 256):
        for _ in range(3):
            layers += [L.Conv2d(c, out, 3, padding=1), L.BatchNorm2d(out), L.Pointwise("ReLU")]
            c = out
        layers.append(L.MaxPool2d(2))
    return layers


def to_torch(layer, nn):
    if isinstance(layer, L.Conv2d):
        return nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size, padding=1)
    if isinstance(layer, L.BatchNorm2d):
        return nn.BatchNorm2d(layer.num_features)
    if isinstance(layer, L.MaxPool2d):
        return nn.MaxPool2d(2)
    return nn.ReLU()


def median_ms(fn, repeats: int = 200) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    layers = stack_50()
    shape = (3, 224, 224)

    def ours():
        trace = conv.trace_layers(layers, shape)
        _, _, h, w = trace.output_shape
        return conv.receptive_field(trace, -1, h // 2, w // 2)

    rf = ours()
    trace_ms = median_ms(lambda: conv.trace_layers(layers, shape))
    both_ms = median_ms(ours)
    print(
        f"50 layers, output {conv.trace_layers(layers, shape).output_shape}, "
        f"receptive field {rf.unbounded_size}"
    )
    print(f"trace_layers: {trace_ms:.2f} ms median")
    print(f"trace_layers + receptive_field: {both_ms:.2f} ms median (target <= 20 ms)")
    try:
        import torch
    except ImportError:
        print("torch not installed: no peer")
        return
    model = torch.nn.Sequential(*(to_torch(x, torch.nn) for x in layers)).to("meta").eval()
    x = torch.zeros((1, *shape), device="meta")

    def peer():
        with torch.no_grad():
            return model(x).shape

    peer_ms = median_ms(peer)
    print(f"torch on the meta device (shapes only): {peer_ms:.2f} ms median")
    print(f"ratio trace+rf / torch meta: {both_ms / peer_ms:.2f}")


if __name__ == "__main__":
    main()
