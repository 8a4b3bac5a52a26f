"""Fails a test run that skipped anything not on the allow-list.

A skip is how a missing tool or a broken import hides: `pytest.importorskip("tensorflow")` turns a
TensorFlow that is installed but fails to import into skips, and pytest still exits 0. CI reads
the JUnit XML pytest wrote and fails on every skip whose test id and reason do not match a line of
tests/skips-allowed.txt.

    python .ci/check_skips.py build/pytest.xml [more.xml ...]
"""

from __future__ import annotations

import fnmatch
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ALLOW_LIST = Path(__file__).resolve().parent.parent / "tests" / "skips-allowed.txt"


def allowed_patterns(path: Path = ALLOW_LIST) -> list[tuple[str, str]]:
    """(test id pattern, reason pattern) pairs; lines are `ID_GLOB | REASON_GLOB  # why`."""
    patterns = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        test, _, reason = (part.strip() for part in line.partition("|"))
        patterns.append((test, reason or "*"))
    return patterns


def skipped_cases(report: Path) -> list[tuple[str, str]]:
    """(test id, reason) of every skipped case in a JUnit XML report."""
    cases = []
    for case in ET.parse(report).getroot().iter("testcase"):
        skipped = case.find("skipped")
        if skipped is None:
            continue
        classname, name = case.get("classname", ""), case.get("name", "")
        test = f"{classname}::{name}" if classname else name  # a whole module: its dotted name
        # A skipped module says "collection skipped" and puts the reason in the text.
        reason = (skipped.text or "").strip() or skipped.get("message", "")
        cases.append((test, reason))
    return cases


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    patterns = allowed_patterns()
    unexpected = []
    total = 0
    for name in argv:
        report = Path(name)
        if not report.is_file():
            print(f"check_skips: no pytest report at {report}", file=sys.stderr)
            return 1
        for test, reason in skipped_cases(report):
            total += 1
            if not any(
                fnmatch.fnmatchcase(test, t) and fnmatch.fnmatchcase(reason, r) for t, r in patterns
            ):
                unexpected.append((test, reason))
    for test, reason in unexpected:
        print(f"UNEXPECTED SKIP: {test}: {reason}", file=sys.stderr)
    if unexpected:
        print(
            f"check_skips: {len(unexpected)} of {total} skips are not on {ALLOW_LIST.name}: a "
            "missing tool or a failing import is a failure here",
            file=sys.stderr,
        )
        return 1
    print(f"check_skips: {total} skips, all on the allow-list")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
