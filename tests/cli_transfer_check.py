"""Checks what `barbershop transfer --generator G --smooth N` with hair masks
for the identity, the structure and the target wrote (OUT.png and --dump),
against values computed here from the mask files alone (docs/method.md, "Target mask" and "Alignment"):
  - OUT.png has the identity image's size (the identity is an aligned crop,
    resampled from the generator's resolution), result.npy the generator's
    resolution, the W+ codes its 2 log2(R) - 2 rows;
  - the hair (label 10) of target_labels.npy is exactly the target mask's
    pixels >= 128;
  - labels_identity/structure.npy hold the hair masks' pixels >= 128 as hair;
    initial_target.npy is, outside the uncovered (OB) region computed here
    from those labels in the reference's order, the identity's labels with
    the hair cleared and the structure's hair painted, and inside it only
    background or hair; target_round1.npy differs from it only where the
    identity had hair and the structure has none;
  - F mixing: fmix equals the structure's own F (F_structure.npy) exactly
    where bicubic_32(E_N(H2 and Ht)) is 1, E_N = N erosions by a 3x3 cross,
    and nowhere else; the N given must make a different region from the
    default 5, so an ignored --smooth fails.

usage: /usr/bin/python3 cli_transfer_check.py OUT.png DUMPDIR MASKDIR SIZE SMOOTH IDENTITY
Prints one line per failed check; exit status 1 if any failed.
"""
import os
import sys

import numpy as np
from PIL import Image

HAIR = 10
DEFAULT_SMOOTH = 5


def hair_mask(path):
    return np.asarray(Image.open(path).convert("L")) >= 128


def erode(mask, n):
    """Pixels whose Manhattan ball of radius n lies in `mask`, outside the
    image counting as not in it: what n erosions by a 3x3 cross leave."""
    h, w = mask.shape
    padded = np.pad(mask, n, constant_values=False)
    out = np.ones_like(mask)
    for dy in range(-n, n + 1):
        for dx in range(-(n - abs(dy)), n - abs(dy) + 1):
            out &= padded[n + dy:n + dy + h, n + dx:n + dx + w]
    return out


def bicubic_256_to_32(mask):
    """PyTorch's bicubic resize (a = -0.75, half-pixel centres) from 256 to
    32: output i samples at 8i + 3.5, so its taps are 8i + 2 .. 8i + 5 with
    weights (-3, 19, 19, -3) / 32."""
    k = np.array([-3.0, 19.0, 19.0, -3.0]) / 32
    taps = np.arange(32)[:, None] * 8 + 2 + np.arange(4)[None, :]  # [32, 4]
    rows = np.einsum("a,iac->ic", k, mask.astype(float)[taps, :])  # [32, 256]
    return np.einsum("b,ijb->ij", k, rows[:, taps])


def check_target_stages(load, masks, check):
    """The target mask before its GAN rounds and after the first, from the
    dumped parser labels (docs/method.md, "Target mask")."""
    identity, structure = load("labels_identity"), load("labels_structure")
    check(np.array_equal(identity == HAIR, hair_mask(os.path.join(masks, "identity.png"))),
          "labels_identity's hair is not the --identity-mask's pixels >= 128")
    check(np.array_equal(structure == HAIR, hair_mask(os.path.join(masks, "structure.png"))),
          "labels_structure's hair is not the --structure-mask's pixels >= 128")
    cleared = np.where(identity == HAIR, 0, identity)
    uncovered = (structure != HAIR) & (structure != 0) & (structure != 15) & (cleared == 0)
    painted = np.where(structure == HAIR, HAIR, cleared)
    initial = load("initial_target")
    known = ~uncovered
    check(np.array_equal(initial[known], painted[known]),
          f"initial_target differs from the cleared identity labels with the structure's hair at "
          f"{(initial[known] != painted[known]).sum()} pixels outside OB")
    check(np.isin(initial[uncovered], (0, HAIR)).all(), "initial_target holds labels other than 0 and 10 in OB")
    round1 = load("target_round1")
    kept = ~((identity == HAIR) & (structure != HAIR))
    check(np.array_equal(round1[kept], initial[kept]),
          f"target_round1 differs from initial_target at {(round1[kept] != initial[kept]).sum()} pixels "
          "outside the freed hair region")


def main():
    out_png, dump, masks, size, smooth = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    identity = sys.argv[6]
    failures = []

    def check(ok, message):
        if not ok:
            failures.append(message)

    def load(name):
        return np.load(os.path.join(dump, name + ".npy"))

    png = Image.open(out_png)
    identity_size = Image.open(identity).size
    check(png.size == identity_size, f"OUT.png is {png.size}, expected the identity image's {identity_size}")
    check(load("result").shape == (3, size, size), f"result.npy is {load('result').shape}")
    n_codes = 2 * int(np.log2(size)) - 2
    for role in ("identity", "structure", "appearance"):
        check(load("wplus_" + role).shape == (n_codes, 512), f"wplus_{role}.npy is {load('wplus_' + role).shape}")

    target = hair_mask(os.path.join(masks, "target.png"))
    labels = load("target_labels")
    check(labels.shape == (512, 512) and np.array_equal(labels == HAIR, target),
          "the target labels' hair is not the --target-mask's pixels >= 128")

    check_target_stages(load, masks, check)

    # The masks are 2x2 blocks at 512, so [::2, ::2] is any nearest resize to 256.
    structure_and_target = (hair_mask(os.path.join(masks, "structure.png")) & target)[::2, ::2]

    def own_F_region(n):
        return bicubic_256_to_32(erode(structure_and_target, n)) == 1

    expected = own_F_region(smooth)
    check(not np.array_equal(expected, own_F_region(DEFAULT_SMOOTH)),
          f"test set-up: --smooth {smooth} and {DEFAULT_SMOOTH} give the same region; change the masks")
    check(expected.sum() > 0, "test set-up: the structure's own region is empty")
    fmix, own_F = load("fmix"), load("F_structure")
    found = (fmix == own_F).all(axis=0)
    check(np.array_equal(found, expected),
          f"fmix is the structure's F at {found.sum()} cells, expected {expected.sum()} "
          f"({(found != expected).sum()} differ) for --smooth {smooth}")

    for failure in failures:
        print("FAILED:", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
