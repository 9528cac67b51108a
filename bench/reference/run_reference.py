"""The reference implementation (ZPdesu/Barbershop, exported by prepare.sh
into a git-ignored folder, never committed) on random weights in the official
formats, at the step counts of one of the engine's presets, timed per stage.
Prints one JSON run (variant "reference") in the format of
bench/results/*.json and writes it into --json's list after every stage (a
run cut short leaves the stages it finished, with "complete": false).

The reference runs at 1024 only (its downsamplers divide the size by 512,
and its blending assumes 18 layers: at 512 it fails there). It is
written for CUDA (it calls .cuda() throughout); --device cpu turns those
calls into moves to the CPU here, without editing its code, for CI's
rehearsal of the GPU run (.ci/device-rehearsal). Its target-mask rounds
are fixed at 80 steps, so the `fast` preset's mask=30 cannot be asked of it
(the run's `steps` say what ran); only --steps (a rehearsal's tiny counts)
shortens them. It loads its networks inside each stage; stage_s and total_s
leave that loading out (the engine's runs have their networks loaded),
total_with_loading_s keeps it.

TF32 is off in cuBLAS and cuDNN, as in the engine's baseline (bench.cpp's
use_tf32(false)); the run's "tf32" says so.

usage: run_reference.py --reference DIR --weights DIR [--preset paper|fast]
                        [--steps w=1,fs=1,...] [--device cuda|cpu]
                        [--json OUT.json] [--work DIR]
Exit code 77 (skipped) with the reason when a module it needs is missing or
there is no CUDA device.
"""
import argparse
import atexit
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
MASK_BAR = "Create Target Mask"  # the description of those loops' progress bars
SIZE = 1024
NEEDED = ["torch", "torchvision", "numpy", "PIL", "scipy", "cv2", "skimage"]


def skip(reason):
    print("skipped: reference run: " + reason)
    sys.exit(77)


def parse_steps(text, preset):
    """--steps as the engine writes them (w=2,fs=2,...) over the preset's."""
    steps = dict(PRESETS[preset])
    for entry in filter(None, text.split(",")):
        name, _, count = entry.partition("=")
        if name not in steps or not count.isdigit():
            sys.exit("run_reference.py: bad step count '%s'; write e.g. w=1,fs=1,mask=1,align1=1,align2=1,blend=1"
                     % entry)
        steps[name] = int(count)
    return steps


class QuietBar:
    """Stands in for tqdm: no bars in the log; loops whose description is
    `MASK_BAR` stop after `mask_steps` when that is set."""

    mask_steps = None

    def __init__(self, iterable=None, desc="", **kwargs):
        if QuietBar.mask_steps is not None and str(desc).startswith(MASK_BAR):
            iterable = list(iterable)[:QuietBar.mask_steps]
        self.iterable = iterable

    def __iter__(self):
        return iter(self.iterable)

    def __len__(self):
        return len(self.iterable)

    def set_description(self, *args, **kwargs):
        pass

    set_postfix = update = close = refresh = set_description


def stub_unneeded_modules():
    """main.py imports dlib (face alignment, not used on aligned inputs),
    utils/model_utils gdown (downloads, not used: the weights are given),
    the masked LPIPS IPython's embed (a debugging shell, never called); tqdm
    only draws progress bars."""
    for name in ["dlib", "gdown", "IPython"]:
        if name not in sys.modules:
            try:
                __import__(name)
            except ImportError:
                sys.modules[name] = types.ModuleType(name)
                sys.modules[name].embed = lambda *args, **kwargs: None
    module = types.ModuleType("tqdm")
    module.tqdm = QuietBar
    sys.modules["tqdm"] = module


def trust_own_files(torch, folders, device):
    """torch 2.6+ loads only plain tensors by default (weights_only=True);
    the generator checkpoint holds an argparse.Namespace. Files under
    `folders` (the weights the user gave, the work folder this run made) are
    loaded in full; any other file keeps torch's default. On the CPU, tensors
    saved from a GPU land on the CPU."""
    original = torch.load
    roots = [os.path.realpath(folder) + os.sep for folder in folders]

    def load(f, *args, **kwargs):
        if isinstance(f, (str, os.PathLike)) and os.path.realpath(f).startswith(tuple(roots)):
            kwargs.setdefault("weights_only", False)
        if device.type != "cuda" and not args:
            kwargs.setdefault("map_location", device)
        return original(f, *args, **kwargs)

    torch.load = load


def vgg16_features_only(torch, torchvision, path):
    """torchvision's vgg16(pretrained=True) loads strictly, classifier
    included; the reference uses the convolutions alone, and a random-weight
    file has a small stand-in classifier. Load `path`'s features, leave the
    rest as built."""
    original = torchvision.models.vgg16

    def vgg16(*args, pretrained=False, weights=None, **kwargs):
        model = original(weights=None, **kwargs)
        if pretrained or weights is not None:
            state = torch.load(path, map_location="cpu")
            features = {k: v for k, v in state.items() if k.startswith("features.")}
            missing = [k for k in model.state_dict() if k.startswith("features.") and k not in features]
            if missing:
                sys.exit("run_reference.py: %s lacks %s" % (path, ", ".join(missing)))
            model.load_state_dict(features, strict=False)
        return model

    torchvision.models.vgg16 = vgg16
    torchvision.models.vgg.vgg16 = vgg16


def redirect_cuda_to(torch, device):
    """The reference's .cuda() calls and 'torch.cuda.FloatTensor' casts go
    to `device` (the CPU) instead, so it runs unchanged without a GPU."""
    torch.Tensor.cuda = lambda self, *args, **kwargs: self.to(device)
    torch.nn.Module.cuda = lambda self, *args, **kwargs: self.to(device)
    original_type = torch.Tensor.type

    def tensor_type(self, dtype=None, *args, **kwargs):
        if isinstance(dtype, str) and dtype.startswith("torch.cuda."):
            dtype = "torch." + dtype[len("torch.cuda."):]
        return original_type(self) if dtype is None else original_type(self, dtype, *args, **kwargs)

    torch.Tensor.type = tensor_type


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


def prepare_torch_home(torch, torchvision, work, weights):
    """Weights where the reference looks, so nothing is downloaded:
    torchvision's VGG16 in TORCH_HOME's hub cache, and the ResNet-18 that
    BiSeNet's constructor loads before seg.pth replaces every weight (a
    random one: its values never reach a result)."""
    checkpoints = os.path.join(work, "torch-home", "hub", "checkpoints")
    os.makedirs(checkpoints, exist_ok=True)
    vgg = os.path.join(checkpoints, "vgg16-397923af.pth")
    if not os.path.exists(vgg):
        os.symlink(os.path.join(weights, "vgg16-397923af.pth"), vgg)
    resnet = os.path.join(checkpoints, "resnet18-5c106cde.pth")
    if not os.path.exists(resnet):
        torch.save(torchvision.models.resnet18(weights=None).state_dict(), resnet)
    os.environ["TORCH_HOME"] = os.path.join(work, "torch-home")


class RunRecord:
    """The run as bench/results/*.json holds it, written into --json's list
    (replacing an earlier reference run) whenever a stage ends."""

    def __init__(self, torch, options, steps, device):
        self.torch, self.path, self.device = torch, options.json, device
        on_cuda = device.type == "cuda"
        self.run = {
            "gpu": torch.cuda.get_device_name(0) if on_cuda else "cpu", "torch": torch.__version__,
            "cuda": torch.version.cuda, "preset": options.preset, "size": SIZE, "cached": False,
            "variant": "reference", "tf32": False, "steps": steps, "stage_s": {}, "total_s": 0.0,
            "total_with_loading_s": None, "peak_allocated_mb": None, "peak_reserved_mb": None,
            "memory": "cuda reserved" if on_cuda else "not measured",
            "ops": os.environ.get("REFERENCE_OPS", "plain"), "speedup": None, "max_difference_levels": None,
            "complete": False,
        }

    def stage_done(self, stage_s, with_loading=None, complete=False):
        # align_images includes the target mask it makes: the alignment's
        # own time is the difference.
        stage_s = dict(stage_s)
        if "alignment" in stage_s:
            stage_s["alignment"] -= stage_s.get("target mask", 0.0)
        self.run["stage_s"] = stage_s
        self.run["total_s"] = sum(stage_s.values())
        self.run["total_with_loading_s"] = with_loading
        self.run["complete"] = complete
        if self.device.type == "cuda":
            megabyte = 1024.0 * 1024.0
            self.run["peak_allocated_mb"] = self.torch.cuda.max_memory_allocated() / megabyte
            self.run["peak_reserved_mb"] = self.torch.cuda.max_memory_reserved() / megabyte
        self.write()

    def write(self):
        if not self.path:
            return
        runs = []
        if os.path.exists(self.path):
            with open(self.path) as existing:
                runs = json.load(existing)
        runs = [r for r in runs if r.get("variant") != "reference"] + [self.run]
        with open(self.path + ".partial", "w") as out:
            json.dump(runs, out, indent=1)
        os.replace(self.path + ".partial", self.path)  # a cut run never leaves half a file


class StageTimer:
    """Wraps the reference's stage methods to time them, waiting for the
    device, and records the run after each."""

    def __init__(self, torch, device, record):
        self.torch, self.device, self.record = torch, device, record
        self.seconds = {}

    def sync(self):
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()

    def wrap(self, cls, method, stage):
        original = getattr(cls, method)
        timer = self

        def timed(*args, **kwargs):
            timer.sync()
            start = time.perf_counter()
            result = original(*args, **kwargs)
            timer.sync()
            timer.seconds[stage] = timer.seconds.get(stage, 0.0) + time.perf_counter() - start
            timer.record.stage_done(timer.seconds)
            return result

        setattr(cls, method, timed)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference", required=True)
    parser.add_argument("--weights", required=True, help="ffhq.pt, seg.pth, vgg16-397923af.pth (official formats)")
    parser.add_argument("--preset", default="paper", choices=sorted(PRESETS))
    parser.add_argument("--steps", default="", help="step counts over the preset's, as the engine writes them")
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--json")
    parser.add_argument("--work")
    options = parser.parse_args()

    for name in NEEDED:
        try:
            __import__(name)
        except ImportError:
            skip("python module %s is missing (the reference needs it)" % name)
    import torch
    import torchvision

    if options.device == "cuda" and not torch.cuda.is_available():
        skip("no CUDA device (the reference calls .cuda() throughout; --device cpu runs it on the CPU)")
    device = torch.device(options.device)
    reference = os.path.abspath(options.reference)
    weights = os.path.abspath(options.weights)
    work = os.path.abspath(options.work or tempfile.mkdtemp(prefix="barbershop-reference-"))
    if not options.work:  # its inputs, outputs and links: about 70 MB a run
        atexit.register(shutil.rmtree, work, True)
    steps = parse_steps(options.steps, options.preset)
    if options.steps:
        QuietBar.mask_steps = steps["mask"]
    else:
        steps["mask"] = REFERENCE_MASK_STEPS

    # The engine's float32 baseline allows no TF32 (bench.cpp, use_tf32).
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    trust_own_files(torch, [weights, work], device)
    vgg16_features_only(torch, torchvision, os.path.join(weights, "vgg16-397923af.pth"))
    if device.type != "cuda":
        redirect_cuda_to(torch, device)
    prepare_torch_home(torch, torchvision, work, weights)
    # The checkpoint beside its PCA file (ffhq_PCA.npz, from the reference's
    # own folder: time does not depend on its values).
    checkpoint = os.path.join(work, "ffhq.pt")
    if not os.path.exists(checkpoint):
        os.symlink(os.path.join(weights, "ffhq.pt"), checkpoint)
    shutil.copyfile(os.path.join(reference, "pretrained_models", "ffhq_PCA.npz"), os.path.join(work, "ffhq_PCA.npz"))
    names = input_images(os.path.join(work, "input"), SIZE)

    stub_unneeded_modules()
    os.chdir(reference)
    sys.path.insert(0, reference)
    from models.Alignment import Alignment
    from models.Blending import Blending
    from models.Embedding import Embedding

    record = RunRecord(torch, options, steps, device)
    timer = StageTimer(torch, device, record)
    timer.wrap(Embedding, "invert_images_in_W", "embedding W+")
    timer.wrap(Embedding, "invert_images_in_FS", "embedding FS")
    timer.wrap(Alignment, "create_target_segmentation_mask", "target mask")
    timer.wrap(Alignment, "align_images", "alignment")
    timer.wrap(Blending, "blend_images", "blending")

    argv = ["main.py", "--input_dir", os.path.join(work, "input"), "--output_dir", os.path.join(work, "output"),
            "--im_path1", names[0], "--im_path2", names[1], "--im_path3", names[2],
            "--ckpt", checkpoint, "--seg_ckpt", os.path.join(weights, "seg.pth"),
            "--device", options.device,
            "--W_steps", str(steps["w"]), "--FS_steps", str(steps["fs"]),
            "--align_steps1", str(steps["align1"]), "--align_steps2", str(steps["align2"]),
            "--blend_steps", str(steps["blend"])]
    if device.type == "cuda":
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
    timer.sync()
    record.stage_done(timer.seconds, with_loading=time.perf_counter() - start, complete=True)
    print(json.dumps(record.run))


if __name__ == "__main__":
    main()
