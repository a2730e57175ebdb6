"""Shared helpers for the structure and browser tests: the chapters and their
cells."""

import json
import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
SECTIONS = [
    "Setup",
    "Derive",
    "Check",
    "Build",
    "Reproduce",
    "Explore",
    "At scale",
    "Exercises",
    "References",
]


def chapter_notebooks():
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def toc_files():
    """Every `file:` entry of _toc.yml, in order (root included)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(toc.get("parts", toc.get("chapters", [])))
    return files


def load(path):
    return json.loads(pathlib.Path(path).read_text())


def source(cell):
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def code_cells(nb):
    return [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code" and source(c).strip()
    ]


def headings(nb, level):
    """Markdown headings of one level, outside code fences, in order."""
    out, mark = [], "#" * level + " "
    for c in nb["cells"]:
        if c["cell_type"] != "markdown":
            continue
        fenced = False
        for line in source(c).splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            elif not fenced and line.startswith(mark):
                out.append(line[len(mark) :].strip())
    return out


def cells_of_section(nb, name):
    """The cells from the `## name` heading to the next level-2 heading."""
    out, inside = [], False
    for c in nb["cells"]:
        if c["cell_type"] == "markdown":
            h2 = [
                l[3:].strip()
                for l in source(c).splitlines()
                if l.startswith("## ")
            ]
            if h2:
                inside = any(
                    re.split(r"[:(]", h)[0].strip() == name for h in h2
                )
        if inside:
            out.append(c)
    return out
