"""Write the Colab badge into every chapter's first cell from `repository`
in _config.yml.

The repository's address lives in one place (_config.yml); this script and
the structure tests derive every badge from it.
Usage: python tools/sync_badges.py [--check]
"""

import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
BADGE_RE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")


def expected_badge(notebook: pathlib.Path) -> str:
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    slug = re.sub(r"^https://github\.com/", "", repo["url"].rstrip("/"))
    rel = notebook.resolve().relative_to(ROOT).as_posix()
    badge = "https://colab.research.google.com/assets/colab-badge.svg"
    branch = repo.get("branch", "main")
    colab = f"https://colab.research.google.com/github/{slug}/blob/{branch}"
    return f"[![Open In Colab]({badge})]({colab}/{rel})"


def sync(notebook: pathlib.Path) -> bool:
    """Put the expected badge in the first cell; return True if the file
    changed."""
    nb = json.loads(notebook.read_text())
    cell = nb["cells"][0]
    if cell["cell_type"] != "markdown":
        raise ValueError(
            f"{notebook}: the first cell must be markdown (title and badge)"
        )
    text = "".join(cell["source"])
    badge = expected_badge(notebook)
    if BADGE_RE.search(text):
        new = BADGE_RE.sub(badge, text, count=1)
    else:  # insert right under the title line
        lines = text.split("\n")
        new = "\n".join(lines[:1] + ["", badge] + lines[1:])
    if new == text:
        return False
    cell["source"] = new.splitlines(keepends=True)
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return True


def main(argv):
    check = "--check" in argv
    stale = []
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if check:
            if expected_badge(nb) not in "".join(
                json.loads(nb.read_text())["cells"][0]["source"]
            ):
                stale.append(nb.name)
        elif sync(nb):
            print(f"updated badge in {nb.name}")
    if stale:
        sys.exit(f"stale Colab badges (run `make badges`): {', '.join(stale)}")


if __name__ == "__main__":
    main(sys.argv[1:])
