"""Prints the text of every label in the window named argv[1] (of any
application on the accessibility bus of $DISPLAY), one line each, and of
every text field that holds some, as "text: <what it holds>", and of every
drop-down list, as "choice: <its chosen entry>": what the user reads there,
taken from the running dialog through AT-SPI.
usage: window_labels.py TITLE
"""
import sys

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402


def children(node):
    return [node.get_child_at_index(i) for i in range(node.get_child_count())]


def labels(node):
    role = node.get_role()
    if role == Atspi.Role.LABEL and node.get_name():
        yield node.get_name()
    if role in (Atspi.Role.TEXT, Atspi.Role.ENTRY):
        # Atspi.Accessible.get_text is another method (the text interface):
        # the interface's own functions, called on the node.
        text = Atspi.Text.get_text(node, 0, Atspi.Text.get_character_count(node))
        if text:
            yield f"text: {text}"
    if role == Atspi.Role.COMBO_BOX and node.get_name():
        yield f"choice: {node.get_name()}"
    for child in children(node):
        if child is not None:
            yield from labels(child)


def main(title):
    desktop = Atspi.get_desktop(0)
    windows = [window for app in children(desktop) if app for window in children(app)
               if window and window.get_name() == title]
    for window in windows[:1]:
        for text in labels(window):
            print(text)
    return 0 if windows else 1


sys.exit(main(sys.argv[1]))
