"""Bias + leaky ReLU + gain in plain PyTorch: a drop-in for the reference
code's compiled `fused_act` op (same names and arguments), written for this
project. Autograd differentiates it; nothing is compiled."""
import torch
from torch import nn
from torch.nn import functional as F


def fused_leaky_relu(input, bias, negative_slope=0.2, scale=2 ** 0.5):
    # bias [C] broadcast over every dimension after the channel one
    shape = [1, -1] + [1] * (input.dim() - 2)
    return F.leaky_relu(input + bias.view(shape).to(input.dtype), negative_slope) * scale


class FusedLeakyReLU(nn.Module):
    def __init__(self, channel, negative_slope=0.2, scale=2 ** 0.5):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channel))
        self.negative_slope = negative_slope
        self.scale = scale

    def forward(self, input):
        return fused_leaky_relu(input, self.bias, self.negative_slope, self.scale)
