"""Display math ($$ ... $$) must stand in its own paragraph for MyST (the web
book).

Jupyter and Colab render `text\n$$x$$\ntext` fine, but MyST parses it as
stray dollars and inline math, which the browser check catches as broken
TeX. `check(text)` lists the offending lines; `fix(text)` adds the blank
lines. Usage: python tools/math_blocks.py [--fix] NOTEBOOK...
"""

import json
import pathlib
import sys


def _blocks(lines):
    """Yield (start, end) line indices of $$ display blocks outside code
    fences."""
    fenced, i = False, 0
    while i < len(lines):
        s = lines[i].strip()
        if s.startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and s.startswith("$$"):
            j = i
            if not (len(s) > 2 and s.endswith("$$")):
                j = i + 1
                while j < len(lines) and not lines[j].strip().endswith("$$"):
                    j += 1
            yield i, min(j, len(lines) - 1)
            i = j
        i += 1


def check(text):
    lines = text.split("\n")
    bad = []
    for a, b in _blocks(lines):
        if a > 0 and lines[a - 1].strip():
            bad.append(f"no blank line before: {lines[a].strip()[:60]}")
        if b + 1 < len(lines) and lines[b + 1].strip():
            bad.append(f"no blank line after: {lines[b].strip()[:60]}")
    return bad


def fix(text):
    lines = text.split("\n")
    blocks = list(_blocks(lines))
    for a, b in reversed(blocks):
        if b + 1 < len(lines) and lines[b + 1].strip():
            lines.insert(b + 1, "")
        if a > 0 and lines[a - 1].strip():
            lines.insert(a, "")
    return "\n".join(lines)


def main(argv):
    do_fix = "--fix" in argv
    status = 0
    for path in (pathlib.Path(a) for a in argv if a != "--fix"):
        nb = json.loads(path.read_text())
        changed = False
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "markdown":
                continue
            text = "".join(cell["source"])
            problems = check(text)
            if problems and do_fix:
                cell["source"] = fix(text).splitlines(keepends=True)
                changed = True
            elif problems:
                status = 1
                for p in problems:
                    print(f"{path.name} cell {i}: {p}")
        if changed:
            path.write_text(
                json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
            )
            print(f"fixed display math in {path.name}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
