"""The README's performance table from bench/results/*.json (files written by
bench/gpu.sh on a real device): per file (GPU and preset) the engine's
default run, its fastest variant, the cached run, the reference code's run of
the same device call, the ratio reference / ours and the peak memory. Rows
come only from the files given; with none it says so.
usage: python3 bench/results_table.py bench/results/*.json [--readme README.md]
--readme replaces the lines between `<!-- performance table -->` and
`<!-- end performance table -->` in that file."""
import datetime
import json
import os
import sys

START, END = "<!-- performance table -->", "<!-- end performance table -->"


def seconds(run):
    return "%.1f s" % run["total_s"] if run else "-"


def memory(run):
    if not run or run.get("peak_reserved_mb") is None:
        return "-"
    return "%.1f GB" % (run["peak_reserved_mb"] / 1024)


def rows_of(path):
    runs = json.load(open(path))
    by_name = {run["variant"]: run for run in runs}
    ours = [run for run in runs if run["variant"] != "reference" and not run.get("cached")]
    if not ours:
        return []
    default = by_name.get("defaults") or ours[0]
    fastest = min(ours, key=lambda run: run["total_s"])
    cached = [run for run in runs if run.get("cached")]
    cached_best = min(cached, key=lambda run: run["total_s"]) if cached else None
    reference = by_name.get("reference")
    ratio = "%.1fx" % (reference["total_s"] / fastest["total_s"]) if reference else "-"
    date = datetime.datetime.utcfromtimestamp(os.path.getmtime(path)).strftime("%Y-%m-%d")
    return ["| %s | %s | %s | %s (%s) | %s | %s | %s | %s | %s |" % (
        default["gpu"], default["preset"], seconds(default), seconds(fastest), fastest["variant"],
        seconds(cached_best), seconds(reference), ratio, memory(default), date)]


def table(paths):
    rows = [row for path in sorted(paths) for row in rows_of(path)]
    if not rows:
        return "No GPU results yet (bench/results/*.json): bench/gpu.sh writes them on a device.\n"
    head = ["| GPU | preset | ours (defaults) | ours (fastest variant) | cached | reference | ratio | "
            "peak reserved (defaults) | date |",
            "|---|---|---|---|---|---|---|---|---|"]
    return "\n".join(head + rows) + "\n"


def main(argv):
    readme = None
    if "--readme" in argv:
        index = argv.index("--readme")
        readme = argv[index + 1]
        argv = argv[:index] + argv[index + 2:]
    paths = [path for path in argv if os.path.isfile(path)]
    text = table(paths)
    print(text, end="")
    if readme:
        lines = open(readme).read()
        if START not in lines or END not in lines:
            sys.exit("%s has no %s ... %s markers" % (readme, START, END))
        before, rest = lines.split(START, 1)
        after = rest.split(END, 1)[1]
        open(readme, "w").write(before + START + "\n" + text + END + after)


if __name__ == "__main__":
    main(sys.argv[1:])
