"""The GIMP 3 tests' scenarios, run by GIMP 3's Python-Fu (python-fu-eval,
fed on stdin by tests/gimp3/common.sh). BB_SCENARIO names the function;
BB_FACES, BB_SIZE, BB_DIR (and BB_PHOTO) are its inputs. Every outcome is a
line "TAG KEY VALUE" in BB_DIR/report.txt, and every layer's pixels before and
after each call are written as BB_DIR/TAG-before-<id>.png and -after-<id>.png,
for tests/gimp/compare.py and the shell scripts to judge.
"""
import os
import time

import gi

gi.require_version("Gimp", "3.0")
from gi.repository import Gimp, Gio  # noqa: E402

NONINTERACTIVE = Gimp.RunMode.NONINTERACTIVE
FACES = os.environ.get("BB_FACES", "")
SIZE = int(os.environ.get("BB_SIZE", "64"))
DIR = os.environ["BB_DIR"]


def say(tag, key, value):
    with open(os.path.join(DIR, "report.txt"), "a") as report:
        report.write(f"{tag} {key} {value}\n")


def export_layer(layer, path):
    """The layer's own pixels (no offsets, no other layer) as a PNG file."""
    image = Gimp.Image.new(layer.get_width(), layer.get_height(), Gimp.ImageBaseType.RGB)
    copy = Gimp.Layer.new_from_drawable(layer, image)
    image.insert_layer(copy, None, 0)
    copy.set_offsets(0, 0)
    Gimp.file_save(NONINTERACTIVE, image, Gio.File.new_for_path(path), None)
    image.delete()


def export_layers(image, tag):
    for layer in image.get_layers():
        export_layer(layer, os.path.join(DIR, f"{tag}-{layer.get_id()}.png"))


def add_face(image, name, size=SIZE):
    """FACES/NAME.* as a layer named NAME, SIZE x SIZE, on top of the stack."""
    path = next(os.path.join(FACES, f) for f in sorted(os.listdir(FACES)) if f.rsplit(".", 1)[0] == name)
    layer = Gimp.file_load_layer(NONINTERACTIVE, image, Gio.File.new_for_path(path))
    image.insert_layer(layer, None, 0)
    layer.scale(size, size, False)
    layer.set_name(name)
    return layer


def face_image():
    """The sample faces as one image; top to bottom 117 (appearance), 16
    (identity), 15 (structure), built without undo steps."""
    image = Gimp.Image.new(SIZE, SIZE, Gimp.ImageBaseType.RGB)
    image.undo_disable()
    for name in ("15", "16", "117"):
        add_face(image, name)
    image.undo_enable()
    return image


def layer(image, name):
    return image.get_layer_by_name(name)


def call(name, image, drawable, **arguments):
    """Runs procedure NAME non-interactively; the new layer, or the error."""
    procedure = Gimp.get_pdb().lookup_procedure(name)
    config = procedure.create_config()
    config.set_property("run-mode", NONINTERACTIVE)
    config.set_property("image", image)
    config.set_core_object_array("drawables", [drawable])
    for key, value in arguments.items():
        config.set_property(key.replace("_", "-"), value)
    result = procedure.run(config)
    if result.index(0) != Gimp.PDBStatusType.SUCCESS:
        message = result.index(1) if result.length() > 1 else str(result.index(0))
        return None, str(message).replace("\n", " ")
    return result.index(1), None


def transfer(image, structure, identity=None, **masks):
    return call("plug-in-barbershop", image, identity or layer(image, "16"), structure=structure,
                appearance=layer(image, "117"), preset="paper", mode="realistic", smooth=5, seed=0, **masks)


def call_and_report(tag, image, run):
    """RUN (one plug-in call on IMAGE) with the layer counts and pixels
    before and after, the error or the new layer's name, size and place."""
    say(tag, "layers-before", len(image.get_layers()))
    export_layers(image, f"{tag}-before")
    new, error = run()
    if error is not None:
        say(tag, "error", error)
    else:
        say(tag, "name", new.get_name())
        say(tag, "size", f"{new.get_width()}x{new.get_height()}")
        below = layer(image, "16") or layer(image, "photo")
        say(tag, "position", f"{image.get_item_position(new)} identity-position {image.get_item_position(below)}")
        export_layer(new, os.path.join(DIR, f"{tag}.png"))
    say(tag, "layers-after", len(image.get_layers()))
    export_layers(image, f"{tag}-after")
    return new


def headless():
    image = face_image()
    for role, name in (("identity", "16"), ("structure", "15"), ("appearance", "117")):
        export_layer(layer(image, name), os.path.join(DIR, f"{role}.png"))
    call_and_report("no-structure", image, lambda: transfer(image, None))
    call_and_report("transfer", image, lambda: transfer(image, layer(image, "15")))
    call_and_report("hair-mask", image, lambda: call("plug-in-barbershop-hair-mask", image, layer(image, "16")))
    image.delete()


def missing_weights():
    image = face_image()
    call_and_report("missing-weights", image, lambda: transfer(image, layer(image, "15")))
    image.delete()


def add_mask(image, name, x, y, width, height):
    """A black layer of the image's size with a white rectangle (the
    context's default colours: black foreground, white background)."""
    mask = Gimp.Layer.new(image, name, image.get_width(), image.get_height(), Gimp.ImageType.RGB_IMAGE, 100,
                          Gimp.LayerMode.NORMAL)
    image.insert_layer(mask, None, 0)
    mask.fill(Gimp.FillType.FOREGROUND)
    image.select_rectangle(Gimp.ChannelOps.REPLACE, x, y, width, height)
    mask.edit_fill(Gimp.FillType.BACKGROUND)
    Gimp.Selection.none(image)
    return mask


def photo():
    """An ordinary photo, scaled to 648 pixels wide, as the identity layer,
    with faces 15 and 117 and a painted hair mask over the top of the head."""
    path = os.environ["BB_PHOTO"]
    image = Gimp.file_load(NONINTERACTIVE, Gio.File.new_for_path(path))
    face = image.get_layers()[0]
    width = 648  # a quarter of the sample photo's width, as in the GIMP 2.10 test
    height = width * image.get_height() // image.get_width()
    image.undo_disable()
    image.scale(width, height)
    face.set_name("photo")
    add_face(image, "15")
    add_face(image, "117")
    Gimp.context_push()
    Gimp.context_set_default_colors()
    mask = add_mask(image, "photo hair", width // 3, height // 40, width // 3, height // 8)
    Gimp.context_pop()
    image.undo_enable()
    export_layer(face, os.path.join(DIR, "original.png"))
    call_and_report("photo", image, lambda: call(
        "plug-in-barbershop", image, face, structure=layer(image, "15"), appearance=layer(image, "117"),
        identity_mask=mask, preset="paper", mode="realistic", smooth=5, seed=0))
    image.delete()


def layer_types():
    """The hair mask in a grey image and of an RGBA layer off the origin;
    a 1x1 structure layer from another image is refused."""
    grey = face_image()
    grey.convert_grayscale()
    new = call_and_report("grey", grey, lambda: call("plug-in-barbershop-hair-mask", grey, layer(grey, "16")))
    if new is not None:
        say("grey", "is-gray", int(new.is_gray()))
    rgba = face_image()
    moved = layer(rgba, "16")
    moved.add_alpha()
    moved.set_offsets(7, 5)
    new = call_and_report("rgba", rgba, lambda: call("plug-in-barbershop-hair-mask", rgba, moved))
    if new is not None:
        _, x, y = new.get_offsets()
        say("rgba", "offsets", f"{x},{y}")
    tiny = Gimp.Image.new(1, 1, Gimp.ImageBaseType.RGB)
    dot = Gimp.Layer.new(tiny, "dot", 1, 1, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
    tiny.insert_layer(dot, None, 0)
    call_and_report("tiny", rgba, lambda: transfer(rgba, dot, identity=moved))
    for image in (grey, rgba, tiny):
        image.delete()


def generator():
    """plug-in-barbershop's optional last argument, the generator: a file
    the weights folder lacks (refused by name), G128.pt (a 128x128 generator
    in BARBERSHOP_WEIGHTS) and none (ffhq.pt), with the roles exported for
    the CLI."""
    image = face_image()
    for role, name in (("identity", "16"), ("structure", "15"), ("appearance", "117")):
        export_layer(layer(image, name), os.path.join(DIR, f"{role}.png"))
    call_and_report("missing-generator", image,
                    lambda: transfer(image, layer(image, "15"), generator="missing.pt"))
    call_and_report("G128", image, lambda: transfer(image, layer(image, "15"), generator="G128.pt"))
    call_and_report("default-generator", image, lambda: transfer(image, layer(image, "15")))
    image.delete()


def wait_for(name, seconds=60):
    path = os.path.join(DIR, name)
    for _ in range(seconds * 10):
        if os.path.exists(path):
            return True
        time.sleep(0.1)
    return False


def undo():
    """In GIMP with its UI: the faces in a display, one transfer, then the
    layer count after each key press the shell sends (files DIR/pressed-N)."""
    image = face_image()
    Gimp.Display.new(image)
    Gimp.displays_flush()
    say("undo", "layers-before", len(image.get_layers()))
    new, error = transfer(image, layer(image, "15"))
    say("undo", "error", error or "")
    Gimp.displays_flush()
    say("undo", "layers-after-transfer", len(image.get_layers()))
    for press in ("1", "2"):
        say("undo", "ready", press)
        if not wait_for(f"pressed-{press}"):
            break
        time.sleep(1.0)
        say("undo", f"layers-after-key-{press}", len(image.get_layers()))
    say("undo", "done", "yes")


def add_group(image, name, copies=()):
    """A layer group NAME on top of the stack, holding copies of the layers
    COPIES (top to bottom) named "shape-<name>"."""
    group = Gimp.GroupLayer.new(image, name)
    image.insert_layer(group, None, 0)
    for position, source in enumerate(copies):
        copy = Gimp.Layer.new_from_drawable(layer(image, source), image)
        image.insert_layer(copy, group, position)
        copy.set_name(f"shape-{source}")
    return group


def add_mirrored_group(image):
    """A group "mirrored" on top: the faces 15, 117 and 16 flipped left to
    right, images unlike any other layer, so a run over it embeds each of
    them (the cancel). Made with undo off, which also empties the stack."""
    image.undo_disable()
    group = add_group(image, "mirrored", ("15", "117", "16"))
    for child in group.get_children():
        child.transform_flip_simple(Gimp.OrientationType.HORIZONTAL, True, 0.0)
    image.undo_enable()
    Gimp.displays_flush()
    return group


def styles(image, structure, appearance):
    return call("plug-in-barbershop", image, layer(image, "16"), structure=structure, appearance=appearance,
                preset="paper", mode="realistic", smooth=5, seed=0)


def group():
    """In GIMP with its UI: the faces and a layer group "shapes" of three
    shapes (copies of 15, 117, 16) in a display. Groups of 3 and 2 layers and
    an empty group are refused; the group run adds one result group, its
    layers exported as DIR/style-<k>.png; then the layer count after the
    Ctrl+Z the shell sends (file DIR/pressed-1). Then the cancel (cancel())."""
    image = face_image()
    image.undo_disable()
    shapes = add_group(image, "shapes", ("15", "117", "16"))
    two = add_group(image, "two", ("15", "117"))
    empty = add_group(image, "empty")
    image.undo_enable()
    Gimp.Display.new(image)
    Gimp.displays_flush()
    for name in ("16", "117", "shape-15", "shape-117", "shape-16"):
        export_layer(layer(image, name), os.path.join(DIR, f"{name}.png"))
    colour = layer(image, "117")
    say("group", "layers-before", len(image.get_layers()))
    say("group", "mismatch-error", styles(image, shapes, two)[1] or "")
    say("group", "empty-error", styles(image, empty, colour)[1] or "")
    say("group", "layers-after-refused", len(image.get_layers()))
    new, error = styles(image, shapes, colour)
    say("group", "error", error or "")
    if new is not None:
        say("group", "is-group", int(new.is_group()))
        say("group", "name", new.get_name())
        say("group", "position", f"{image.get_item_position(new)} identity-position "
            f"{image.get_item_position(layer(image, '16'))}")
        children = new.get_children()
        say("group", "names", "|".join(child.get_name() for child in children))
        for k, child in enumerate(children, 1):
            export_layer(child, os.path.join(DIR, f"style-{k}.png"))
    Gimp.displays_flush()
    say("group", "layers-after", len(image.get_layers()))
    say("group", "ready", "1")
    if wait_for("pressed-1"):
        time.sleep(1.0)
        say("group", "layers-after-key-1", len(image.get_layers()))
        say("group", "result-valid", int(new is not None and new.is_valid()))
        cancel(image, colour)
    say("group", "done", "yes")


def cancel(image, colour):
    """A run over the mirrored group that the shell ends during its second
    style as GIMP's Cancel does (SIGKILL; GIMP then closes the undo group
    the plug-in left open): the call's error, what it kept, and the layer
    count after the Ctrl+Z the shell sends (file DIR/pressed-2). The shell
    counts the embedding cache's entries before this starts the run (file
    DIR/counted), and kills the plug-in once it holds two more."""
    mirrored = add_mirrored_group(image)
    say("group", "layers-before-cancel", len(image.get_layers()))
    say("group", "ready", "cancel")
    if not wait_for("counted"):
        return
    _, error = styles(image, mirrored, colour)
    say("group", "cancel-error", error or "")
    kept = layer(image, "Barbershop: 16 - 3 styles")
    say("group", "cancel-kept-group", int(kept is not None and kept.is_group()))
    say("group", "cancel-kept", len(kept.get_children()) if kept is not None and kept.is_group() else 0)
    Gimp.displays_flush()
    say("group", "layers-after-cancel", len(image.get_layers()))
    say("group", "ready", "2")
    if wait_for("pressed-2"):
        time.sleep(1.0)
        say("group", "layers-after-key-2", len(image.get_layers()))
        say("group", "cancel-group-valid", int(kept is not None and kept.is_valid()))


def show():
    """In GIMP with its UI: the faces in a display while the shell opens the
    transfer dialog from the menu three times, cancelling it, pressing OK,
    cancelling it again (files DIR/closed-cancel, -ok, -again); the layer
    count after each, waiting for the transfer after OK, and the top layer's
    name; the faces and the top layer as DIR/<name>.png and DIR/top.png."""
    image = face_image()
    Gimp.Display.new(image)
    Gimp.displays_flush()
    for name in ("15", "16", "117"):
        export_layer(layer(image, name), os.path.join(DIR, f"{name}.png"))
    before = len(image.get_layers())
    say("show", "layers-before", before)
    for step, seconds in (("cancel", 1), ("ok", 300), ("again", 1)):
        say("show", "ready", step)
        if not wait_for(f"closed-{step}", 240):
            break
        deadline = time.time() + seconds
        while len(image.get_layers()) == before and time.time() < deadline:
            time.sleep(0.5)
        say("show", f"layers-after-{step}", len(image.get_layers()))
        before = len(image.get_layers())
    say("show", "top-layer", image.get_layers()[0].get_name())
    export_layer(image.get_layers()[0], os.path.join(DIR, "top.png"))


def progress_window():
    """In GIMP with its UI. A script's call with time-limit 1 (on an image of
    its own): kept where it stopped, its name saying where. Then the faces
    in a display while the shell runs the dialog from the menu twice,
    pressing the progress window's "Stop and keep" (then Ctrl+Z) and
    "Cancel" (files DIR/closed-stop, pressed-undo, closed-cancel); the
    layer count after each and the kept layer's name."""
    limited = face_image()
    new, error = transfer(limited, layer(limited, "15"), time_limit=1.0)
    say("progress_window", "time-limit-error", error or "")
    say("progress_window", "time-limit-name", new.get_name() if new else "")
    limited.delete()
    image = face_image()
    Gimp.Display.new(image)
    Gimp.displays_flush()
    before = len(image.get_layers())
    say("progress_window", "layers-before", before)
    say("progress_window", "ready", "stop")
    if not wait_for("closed-stop", 900):
        return
    deadline = time.time() + 60
    while len(image.get_layers()) == before and time.time() < deadline:
        time.sleep(0.5)
    say("progress_window", "layers-after-stop", len(image.get_layers()))
    say("progress_window", "kept-name", image.get_layers()[0].get_name())
    Gimp.displays_flush()
    say("progress_window", "ready", "undo")
    if not wait_for("pressed-undo", 120):
        return
    time.sleep(1.0)
    say("progress_window", "layers-after-undo", len(image.get_layers()))
    say("progress_window", "ready", "cancel")
    if not wait_for("closed-cancel", 900):
        return
    time.sleep(3.0)  # what a late layer would need to arrive
    say("progress_window", "layers-after-cancel", len(image.get_layers()))


globals()[os.environ["BB_SCENARIO"]]()
say(os.environ["BB_SCENARIO"], "done", "yes")
