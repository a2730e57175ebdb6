"""Write the Colab badges into every chapter's first cell from `repository`
in _config.yml: the reader's (notebooks/NN_name.ipynb) and, next to it on
the same line, the student edition's (student/NN_name.ipynb, written by
tools/make_student.py).

The repository's address lives in one place (_config.yml); this script and
the structure tests derive every badge from it.
Usage: python tools/sync_badges.py [--check] [NOTEBOOK ...]
(default: every chapter in notebooks/)
"""

import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
READER_ALT = "Open In Colab"
STUDENT_ALT = "Student edition: open in Colab"
BADGE_RE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")
# said in words too: both badges show the same Colab image
STUDENT_LABEL = "Student edition (exercises to complete):"
STUDENT_RE = re.compile(
    re.escape(STUDENT_LABEL)
    + r"[ \t]*\[!\[Student edition: open in Colab\]\([^)]*\)\]\([^)]*\)"
)
# the reader's badge, with the student edition's after it if it is there
PAIR_RE = re.compile(
    BADGE_RE.pattern + r"(?:[ \t]*" + STUDENT_RE.pattern + r")?"
)


def colab_url(folder: str, notebook: pathlib.Path) -> str:
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    slug = re.sub(r"^https://github\.com/", "", repo["url"].rstrip("/"))
    branch = repo.get("branch", "main")
    colab = f"https://colab.research.google.com/github/{slug}/blob/{branch}"
    return f"{colab}/{folder}/{notebook.name}"


def expected_badge(notebook: pathlib.Path) -> str:
    """The reader's badge: the chapter notebook in Colab."""
    url = colab_url("notebooks", notebook)
    return f"[![{READER_ALT}]({BADGE_IMAGE})]({url})"


def expected_student_badge(notebook: pathlib.Path) -> str:
    """The student edition's badge: student/NN_name.ipynb in Colab."""
    url = colab_url("student", notebook)
    return f"{STUDENT_LABEL} [![{STUDENT_ALT}]({BADGE_IMAGE})]({url})"


def expected_badges(notebook: pathlib.Path) -> str:
    """The badge line: the reader's badge, then the student edition's."""
    return f"{expected_badge(notebook)} {expected_student_badge(notebook)}"


def synced_text(text: str, notebook: pathlib.Path) -> str:
    line = expected_badges(notebook)
    text = STUDENT_RE.sub("", text) if not BADGE_RE.search(text) else text
    if BADGE_RE.search(text):
        return PAIR_RE.sub(lambda m: line, text, count=1)
    lines = text.split("\n")  # insert right under the title line
    return "\n".join(lines[:1] + ["", line] + lines[1:])


def sync(notebook: pathlib.Path, write: bool = True) -> bool:
    """Put the expected badges in the first cell; return True if the file
    changed (or, with write=False, would change)."""
    nb = json.loads(notebook.read_text())
    cell = nb["cells"][0]
    if cell["cell_type"] != "markdown":
        raise ValueError(
            f"{notebook}: the first cell must be markdown (title and badge)"
        )
    text = "".join(cell["source"])
    new = synced_text(text, notebook)
    if new == text:
        return False
    if write:
        cell["source"] = new.splitlines(keepends=True)
        notebook.write_text(
            json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        )
    return True


def main(argv):
    check = "--check" in argv
    paths = [pathlib.Path(a) for a in argv if a != "--check"] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    )
    stale = []
    for nb in paths:
        if check:
            if sync(nb, write=False):
                stale.append(nb.name)
        elif sync(nb):
            print(f"updated badges in {nb.name}")
    if stale:
        sys.exit(f"stale Colab badges (run `make badges`): {', '.join(stale)}")


if __name__ == "__main__":
    main(sys.argv[1:])
