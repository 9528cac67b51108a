"""The reference implementation (ZPdesu/Barbershop, exported by prepare.sh
into a git-ignored folder, never committed) on random weights in the official
formats, at the step counts of one of the engine's presets, timed per stage.
Prints one JSON run (variant "reference") in the format of
bench/results/*.json and appends it to --json's list when given.

The reference runs on CUDA only (it calls .cuda() throughout) and at 1024 only
(its layer count and downsamplers assume it); its target-mask rounds are fixed
at 80 steps, so the `fast` preset's mask=30 cannot be asked of it (the run's
`steps` say what ran). It loads its networks inside each stage; stage_s and
total_s leave that loading out (the engine's runs have their networks loaded),
total_with_loading_s keeps it.

usage: run_reference.py --reference DIR --weights DIR [--preset paper|fast]
                        [--json OUT.json] [--work DIR]
Exit code 77 (skipped) with the reason when a module it needs is missing or
there is no CUDA device.
"""
import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
import types

PRESETS = {  # the engine's presets (engine/pipeline/settings.cpp)
    "paper": {"w": 1100, "fs": 250, "mask": 80, "align1": 140, "align2": 100, "blend": 400},
    "fast": {"w": 250, "fs": 80, "mask": 30, "align1": 40, "align2": 30, "blend": 100},
}
REFERENCE_MASK_STEPS = 80  # hard-coded in the reference's Alignment
NEEDED = ["torch", "torchvision", "numpy", "PIL", "scipy", "cv2"]


def skip(reason):
    print("skipped: reference run: " + reason)
    sys.exit(77)


def stub_unneeded_modules():
    """main.py imports dlib (face alignment, not used on aligned inputs) and
    utils/model_utils imports gdown (downloads, not used: the weights are
    given); tqdm only draws progress bars."""
    for name in ["dlib", "gdown"]:
        if name not in sys.modules:
            try:
                __import__(name)
            except ImportError:
                sys.modules[name] = types.ModuleType(name)
    try:
        import tqdm  # noqa: F401
    except ImportError:
        class Bar:
            def __init__(self, iterable=None, **kwargs):
                self.iterable = iterable

            def __iter__(self):
                return iter(self.iterable)

            def set_description(self, *args, **kwargs):
                pass

        module = types.ModuleType("tqdm")
        module.tqdm = Bar
        sys.modules["tqdm"] = module


def input_images(folder, size, count=3):
    """`count` smooth random RGB images (time does not depend on content)."""
    import torch
    import torch.nn.functional as F
    from PIL import Image

    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    names = []
    for index in range(count):
        coarse = torch.rand(1, 3, 16, 16)
        image = F.interpolate(coarse, size=(size, size), mode="bicubic", align_corners=False).clamp(0, 1)
        pixels = (image[0].permute(1, 2, 0) * 255).round().byte().numpy()
        name = "%d.png" % index
        Image.fromarray(pixels).save(os.path.join(folder, name))
        names.append(name)
    return names


class StageTimer:
    """Wraps the reference's stage methods to time them, waiting for CUDA."""

    def __init__(self):
        self.seconds = {}

    def wrap(self, cls, method, stage):
        original = getattr(cls, method)
        timer = self

        def timed(*args, **kwargs):
            import torch
            torch.cuda.synchronize()
            start = time.perf_counter()
            result = original(*args, **kwargs)
            torch.cuda.synchronize()
            timer.seconds[stage] = timer.seconds.get(stage, 0.0) + time.perf_counter() - start
            return result

        setattr(cls, method, timed)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference", required=True)
    parser.add_argument("--weights", required=True, help="ffhq.pt, seg.pth, vgg16-397923af.pth (official formats)")
    parser.add_argument("--preset", default="paper", choices=sorted(PRESETS))
    parser.add_argument("--json")
    parser.add_argument("--work")
    options = parser.parse_args()

    for name in NEEDED:
        try:
            __import__(name)
        except ImportError:
            skip("python module %s is missing (the reference needs it)" % name)
    import torch

    if not torch.cuda.is_available():
        skip("no CUDA device (the reference calls .cuda() throughout)")
    reference = os.path.abspath(options.reference)
    weights = os.path.abspath(options.weights)
    work = os.path.abspath(options.work or tempfile.mkdtemp(prefix="barbershop-reference-"))
    steps = dict(PRESETS[options.preset])
    steps["mask"] = REFERENCE_MASK_STEPS

    # Weights where the reference looks: the checkpoint beside its PCA file
    # (ffhq_PCA.npz, from the reference's own folder: time does not depend on
    # its values), torchvision's VGG16 in TORCH_HOME's hub cache (no network).
    os.makedirs(os.path.join(work, "torch-home", "hub", "checkpoints"), exist_ok=True)
    vgg = os.path.join(work, "torch-home", "hub", "checkpoints", "vgg16-397923af.pth")
    if not os.path.exists(vgg):
        os.symlink(os.path.join(weights, "vgg16-397923af.pth"), vgg)
    os.environ["TORCH_HOME"] = os.path.join(work, "torch-home")
    checkpoint = os.path.join(work, "ffhq.pt")
    if not os.path.exists(checkpoint):
        os.symlink(os.path.join(weights, "ffhq.pt"), checkpoint)
    shutil.copyfile(os.path.join(reference, "pretrained_models", "ffhq_PCA.npz"), os.path.join(work, "ffhq_PCA.npz"))
    names = input_images(os.path.join(work, "input"), 1024)

    stub_unneeded_modules()
    os.chdir(reference)
    sys.path.insert(0, reference)
    from models.Alignment import Alignment
    from models.Blending import Blending
    from models.Embedding import Embedding

    timer = StageTimer()
    timer.wrap(Embedding, "invert_images_in_W", "embedding W+")
    timer.wrap(Embedding, "invert_images_in_FS", "embedding FS")
    timer.wrap(Alignment, "create_target_segmentation_mask", "target mask")
    timer.wrap(Alignment, "align_images", "alignment")
    timer.wrap(Blending, "blend_images", "blending")

    argv = ["main.py", "--input_dir", os.path.join(work, "input"), "--output_dir", os.path.join(work, "output"),
            "--im_path1", names[0], "--im_path2", names[1], "--im_path3", names[2],
            "--ckpt", checkpoint, "--seg_ckpt", os.path.join(weights, "seg.pth"),
            "--W_steps", str(steps["w"]), "--FS_steps", str(steps["fs"]),
            "--align_steps1", str(steps["align1"]), "--align_steps2", str(steps["align2"]),
            "--blend_steps", str(steps["blend"])]
    torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    import runpy
    saved_argv = sys.argv
    sys.argv = argv
    try:
        with contextlib.redirect_stdout(sys.stderr):
            runpy.run_path(os.path.join(reference, "main.py"), run_name="__main__")
    finally:
        sys.argv = saved_argv
    torch.cuda.synchronize()
    with_loading = time.perf_counter() - start

    # align_images includes the target mask it makes: the alignment's own
    # time is the difference.
    stage_s = dict(timer.seconds)
    stage_s["alignment"] = stage_s.get("alignment", 0.0) - stage_s.get("target mask", 0.0)
    megabyte = 1024.0 * 1024.0
    run = {
        "gpu": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda,
        "preset": options.preset, "size": 1024, "cached": False, "variant": "reference",
        "steps": steps, "stage_s": stage_s, "total_s": sum(stage_s.values()),
        "total_with_loading_s": with_loading,
        "peak_allocated_mb": torch.cuda.max_memory_allocated() / megabyte,
        "peak_reserved_mb": torch.cuda.max_memory_reserved() / megabyte,
        "ops": os.environ.get("REFERENCE_OPS", "plain"),
        "speedup": None, "max_difference_levels": None,
    }
    print(json.dumps(run))
    if options.json:
        runs = json.load(open(options.json)) if os.path.exists(options.json) else []
        runs = [r for r in runs if r.get("variant") != "reference"] + [run]
        with open(options.json, "w") as out:
            json.dump(runs, out, indent=1)


if __name__ == "__main__":
    main()
