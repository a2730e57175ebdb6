"""Compare a notebook cell's new text output with its committed one.

Text, structure and integers must match exactly. Decimal numbers (``0.91``,
``3.2e-05``) must match exactly too, unless the cell declares a tolerance in
its metadata (documented in CONTRIBUTING.md, "Outputs, determinism and
tolerances")::

    "tolerance": {
        "why": "trained detector: 0.85-0.92 across CPU kernels",
        "abs": 0.005,                        # default for the whole cell
        "lines": {"mAP": {"abs": 0.08}},     # regex on a line -> its rule
    }

A rule has ``abs`` and/or ``rel`` (a number passes when
``|new - old| <= abs + rel * |old|``) and may let integers on the lines it
covers vary too: ``"ints": true`` (with the same tolerance) or
``"ints": {"rel": 0.15}`` (with their own). ``"any": true`` lets every
number (integers too) on the lines it covers take any value, for measured
times and speeds that vary run to run (their text is still compared); use
it for a line, not for a cell, and prefer an ignored cell that holds only
timings. The first ``lines`` pattern that matches a line (``re.search`` on
the committed line) decides that line; lines no pattern matches take the
cell-wide rule, if there is one.
"""

import difflib
import re

# A decimal number as text: optional sign, digits with a point and/or an
# exponent. Not part of a word ("fp16", "B0"), not a version ("2.13.0").
_DECIMAL = (
    r"(?<![\w.])-?(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?!\d|\.\d)"
)
# An integer with optional thousands separators ("3,488"), not in a word.
_INTEGER = r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?![\w]|\.\d)"
_VERSION = r"(?<![\w.])\d+(?:\.\d+){2,}"
_TOKEN = re.compile(f"(?P<v>{_VERSION})|(?P<d>{_DECIMAL})|(?P<i>{_INTEGER})")

RULE_KEYS = {"abs", "rel", "ints", "any"}
TOLERANCE_KEYS = RULE_KEYS | {"why", "lines"}


def check_tolerance(spec):
    """Raise ValueError unless `spec` is a well-formed tolerance spec."""
    if not isinstance(spec, dict):
        raise ValueError(
            f"tolerance must be a dict, got {type(spec).__name__}"
        )
    unknown = set(spec) - TOLERANCE_KEYS
    if unknown:
        raise ValueError(
            f"unknown tolerance keys {sorted(unknown)}; "
            f"allowed: {sorted(TOLERANCE_KEYS)}"
        )
    if not str(spec.get("why", "")).strip():
        raise ValueError("a tolerance must say why the numbers vary ('why')")
    rules = [spec] + list(spec.get("lines", {}).values())
    for pattern in spec.get("lines", {}):
        re.compile(pattern)
    for rule in rules[1:]:
        if not isinstance(rule, dict) or set(rule) - RULE_KEYS:
            raise ValueError(
                f"a line rule is a dict with keys from "
                f"{sorted(RULE_KEYS)}, got {rule!r}"
            )
    for rule in list(rules):
        ints = rule.get("ints", False)
        if isinstance(ints, dict):
            if set(ints) - {"abs", "rel"}:
                raise ValueError(f"'ints' takes 'abs' and 'rel', got {ints}")
            rules.append(ints)
        elif not isinstance(ints, bool):
            raise ValueError(f"'ints' is true, false or a rule, got {ints!r}")
    for rule in rules:
        for key in ("abs", "rel"):
            v = rule.get(key, 0)
            if not isinstance(v, (int, float)) or v < 0:
                raise ValueError(
                    f"tolerance {key!r} must be a number >= 0, got {v!r}"
                )
    if spec.get("any"):
        raise ValueError(
            "'any' is for line rules (a timing line), not a "
            "whole cell: tag the cell nbval-ignore-output"
        )
    if not any(r.get("abs") or r.get("rel") or r.get("any") for r in rules):
        raise ValueError(
            "a tolerance must allow some difference (abs or rel > 0)"
        )


def _rule_for(line, spec):
    """The rule (abs, rel, ints) that governs one committed line, or None."""
    if not spec:
        return None
    for pattern, rule in spec.get("lines", {}).items():
        if re.search(pattern, line):
            return rule
    if spec.get("abs") or spec.get("rel"):
        return spec
    return None


def _split(line, ints):
    """Split a line into text pieces and numbers: (texts, numbers, raws).

    Each raw number is a (text, is_integer) pair. Integers stay in the text
    (compared exactly) unless `ints`.
    """
    texts, numbers, raws, last = [], [], [], 0
    for m in _TOKEN.finditer(line):
        if m.group("v") or (m.group("i") and not ints):
            continue  # stays in the text, compared exactly
        texts.append(line[last : m.start()])
        raws.append((m.group(), bool(m.group("i"))))
        numbers.append(float(m.group().replace(",", "")))
        last = m.end()
    texts.append(line[last:])
    return texts, numbers, raws


def _squeeze(texts):
    """Text pieces with runs of spaces as one: a right-aligned column's
    padding changes when a number gains or loses a digit."""
    return [re.sub(" +", " ", t) for t in texts]


def compare_text(committed, new, spec=None):
    """Differences between two outputs, as human-readable strings.

    An empty list means the outputs agree: same lines, same text, and every
    number within the tolerance `spec` declares for its line (exactly equal
    where it declares none). `within` collects numbers that differed but
    stayed within tolerance, as (line, committed, new, used) where `used` is
    the fraction of the allowed difference that the change took.
    """
    problems, within = [], []
    old_lines, new_lines = committed.splitlines(), new.splitlines()
    if len(old_lines) != len(new_lines):
        diff = difflib.unified_diff(
            old_lines, new_lines, "committed", "new", n=1, lineterm=""
        )
        problems.append(
            f"{len(new_lines)} lines where {len(old_lines)} "
            "were committed:\n" + "\n".join(diff)
        )
        return problems, within
    for k, (a, b) in enumerate(zip(old_lines, new_lines), 1):
        if a == b:
            continue
        rule = _rule_for(a, spec)
        if rule is None:
            problems.append(
                f"line {k} changed (no tolerance declared): {a!r} -> {b!r}"
            )
            continue
        ints = rule.get("ints", False) or rule.get("any", False)
        ta, na, ra = _split(a, bool(ints))
        tb, nb, rb = _split(b, bool(ints))
        # Where integers may vary, a number may also change form: the
        # RESULTS footer prints a float 1280.3 as "1280", 248.7 as "248.7".
        # The committed form picks the rule (`ints` for an integer).
        if _squeeze(ta) != _squeeze(tb):
            problems.append(
                f"line {k}: text changed (integers are text "
                f"unless the rule says ints): {a!r} -> {b!r}"
            )
            continue
        if rule.get("any"):
            continue  # a timing line: its text matched, its numbers are free
        for x, y, (rx, is_int), (ry, _) in zip(na, nb, ra, rb):
            r = ints if is_int and isinstance(ints, dict) else rule
            allowed = r.get("abs", 0) + r.get("rel", 0) * abs(x)
            diff = abs(x - y)
            if diff > allowed * (1 + 1e-9):
                problems.append(
                    f"line {k}: {ry} where {rx} was committed; difference "
                    f"{diff:.3g} exceeds the tolerance {allowed:.3g} "
                    f"(abs {r.get('abs', 0)}, rel {r.get('rel', 0)}): {a!r}"
                )
            elif diff:
                within.append((a, rx, ry, diff / allowed))
    return problems, within
