"""Upsample (zero insertion), pad, FIR-filter and downsample in plain
PyTorch: a drop-in for the reference code's compiled `upfirdn2d` op (same
name and arguments), written for this project."""
import torch
from torch.nn import functional as F


def upfirdn2d(input, kernel, up=1, down=1, pad=(0, 0)):
    # pad = (before, after), the same on both axes, as the reference calls it
    before, after = pad
    batch, channels, height, width = input.shape
    x = input.reshape(batch * channels, 1, height, width)
    if up > 1:
        # each pixel followed by up-1 zeros along both axes
        x = x.reshape(-1, 1, height, 1, width, 1)
        x = F.pad(x, [0, up - 1, 0, 0, 0, up - 1])
        x = x.reshape(-1, 1, height * up, width * up)
    # negative padding crops
    x = F.pad(x, [max(before, 0), max(after, 0), max(before, 0), max(after, 0)])
    x = x[:, :, max(-before, 0): x.shape[2] - max(-after, 0), max(-before, 0): x.shape[3] - max(-after, 0)]
    # a true convolution with the kernel: cross-correlation with it flipped
    weight = torch.flip(kernel, [0, 1]).reshape(1, 1, kernel.shape[0], kernel.shape[1]).to(x.dtype)
    x = F.conv2d(x, weight)
    x = x[:, :, ::down, ::down]
    return x.reshape(batch, channels, x.shape[2], x.shape[3])
