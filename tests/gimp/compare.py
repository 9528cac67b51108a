"""Pixel checks on the PNG files the GIMP tests write (run with /usr/bin/python3).

usage: compare.py close A.png B.png      same size, every RGB value within 1/255
       compare.py differ A.png B.png     not the same pixels
       compare.py binary MASK.png        every colour value is 0 or 255
       compare.py pasted PHOTO.png RESULT.png
                                         same size; the lower half (below the aligned
                                         face square of the sample photo) bit-identical,
                                         the upper half changed somewhere
       compare.py unchanged DIR TAG      each DIR/TAG-before-<id>.png has the same
                                         pixels as DIR/TAG-after-<id>.png
Prints what it found; exit code 0 when the check holds, 1 when not.
"""
import glob
import os
import sys

import numpy as np
from PIL import Image


def colours(path):
    """The RGB (or grey) values as int array [H,W,C]; a transparent pixel fails."""
    image = Image.open(path)
    bands = image.getbands()
    pixels = np.asarray(image, dtype=np.int32).reshape(image.height, image.width, len(bands))
    if "A" in bands:
        alpha = pixels[..., bands.index("A")]
        if alpha.min() != 255:
            sys.exit(f"{path}: not opaque (alpha down to {alpha.min()})")
        pixels = pixels[..., [i for i, band in enumerate(bands) if band != "A"]]
    return pixels


def max_difference(a_path, b_path):
    a, b = colours(a_path), colours(b_path)
    if a.shape != b.shape:
        print(f"{a_path} is {a.shape}, {b_path} is {b.shape}")
        return None
    return int(np.abs(a - b).max())


def close(a_path, b_path):
    difference = max_difference(a_path, b_path)
    print(f"largest difference {difference}/255")
    return difference is not None and difference <= 1


def differ(a_path, b_path):
    difference = max_difference(a_path, b_path)
    print(f"largest difference {difference}/255")
    return difference is None or difference > 0


def binary(path):
    values = np.unique(colours(path))
    print(f"{path}: values {values[:8].tolist()}{' ...' if len(values) > 8 else ''}")
    return set(values.tolist()) <= {0, 255}


def pasted(photo_path, result_path):
    photo, result = colours(photo_path), colours(result_path)
    if photo.shape != result.shape:
        print(f"{photo_path} is {photo.shape}, {result_path} is {result.shape}")
        return False
    half = photo.shape[0] // 2
    lower = int(np.abs(photo[half:] - result[half:]).max())
    upper = int(np.abs(photo[:half] - result[:half]).max())
    changed = float((photo != result).any(axis=2).mean())
    print(f"lower half differs by {lower}/255, upper half by {upper}/255; {changed:.1%} of the pixels changed")
    return lower == 0 and upper > 0


def unchanged(folder, tag):
    befores = sorted(glob.glob(os.path.join(folder, f"{tag}-before-*.png")))
    ok = len(befores) > 0
    for before in befores:
        after = before.replace(f"{tag}-before-", f"{tag}-after-")
        if not os.path.exists(after):
            print(f"{os.path.basename(before)}: layer gone")
            ok = False
        elif max_difference(before, after) != 0:
            print(f"{os.path.basename(before)}: pixels changed")
            ok = False
    print(f"{len(befores)} layers compared")
    return ok


CHECKS = {"close": close, "differ": differ, "binary": binary, "pasted": pasted, "unchanged": unchanged}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in CHECKS:
        sys.exit(__doc__)
    sys.exit(0 if CHECKS[sys.argv[1]](*sys.argv[2:]) else 1)
