"""Checks the plain ops against direct loops over their definitions (CPU,
any PyTorch): upfirdn2d(x, k, up, down, pad)[i, j] is the sum over the
zero-stuffed, padded input around the down-sampled position, weighted by the
kernel flipped (a convolution); fused_leaky_relu is leaky_relu(x + b) * s."""
import sys

import torch

sys.path.insert(0, __import__("os").path.dirname(__file__))
from fused_act import fused_leaky_relu  # noqa: E402
from upfirdn2d import upfirdn2d  # noqa: E402


def by_definition(x, k, up, down, pad):
    b, c, h, w = x.shape
    stuffed = torch.zeros(b, c, h * up, w * up, dtype=torch.float64)
    stuffed[:, :, ::up, ::up] = x.double()
    p0, p1 = pad
    size_h = h * up + p0 + p1
    size_w = w * up + p0 + p1
    padded = torch.zeros(b, c, size_h, size_w, dtype=torch.float64)
    # place `stuffed` at offset p0 (cropping where p0 or p1 is negative)
    for i in range(size_h):
        for j in range(size_w):
            si, sj = i - p0, j - p0
            if 0 <= si < h * up and 0 <= sj < w * up:
                padded[:, :, i, j] = stuffed[:, :, si, sj]
    kh, kw = k.shape
    out_h = (size_h - kh) // down + 1
    out_w = (size_w - kw) // down + 1
    out = torch.zeros(b, c, out_h, out_w, dtype=torch.float64)
    for i in range(out_h):
        for j in range(out_w):
            for a in range(kh):
                for d in range(kw):
                    out[:, :, i, j] += padded[:, :, i * down + a, j * down + d] * k[kh - 1 - a, kw - 1 - d].double()
    return out


def main():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 6, 6)
    k = torch.randn(4, 4)
    for up, down, pad in [(1, 1, (1, 2)), (2, 1, (2, 1)), (1, 2, (1, 1)), (1, 1, (-1, 2))]:
        got = upfirdn2d(x, k, up, down, pad).double()
        want = by_definition(x, k, up, down, pad)
        assert got.shape == want.shape, (up, down, pad, got.shape, want.shape)
        assert (got - want).abs().max() < 1e-5, (up, down, pad, (got - want).abs().max())
    bias = torch.randn(3)
    got = fused_leaky_relu(x, bias)
    want = torch.where(x + bias.view(1, 3, 1, 1) >= 0, x + bias.view(1, 3, 1, 1), 0.2 * (x + bias.view(1, 3, 1, 1))) * 2 ** 0.5
    assert (got - want).abs().max() < 1e-6
    assert fused_leaky_relu(torch.randn(5, 3), bias).shape == (5, 3)
    print("plain ops match their definitions")


if __name__ == "__main__":
    main()
