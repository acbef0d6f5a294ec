"""Prints `<suite>: N passed, N failed, N skipped` from a pytest JUnit XML report; exits 1 when
the report is missing or holds no tests (an empty run is not a passing run)."""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def main(suite: str, path: str) -> int:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as err:
        print(f"{suite}: 0 passed, 0 failed, 0 skipped (no report: {err})")
        return 1
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = failed = skipped = 0
    for s in suites:
        total += int(s.get("tests", 0))
        failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0))
    passed = total - failed - skipped
    print(f"{suite}: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if total == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
