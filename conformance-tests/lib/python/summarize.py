"""Prints `<suite>: N passed, N failed, N skipped` from a pytest JUnit XML report, the plain line
every conformance suite ends with. Errors count as failures. Exits 1 when the report is missing
or holds no test, because an empty run is not a passing one."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def counts(path: str) -> tuple[int, int, int]:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return total - failed - skipped, failed, skipped


def main(suite: str, path: str) -> int:
    try:
        passed, failed, skipped = counts(path)
    except (OSError, ET.ParseError) as err:
        print(f"{suite}: 0 passed, 0 failed, 0 skipped (no report: {err})")
        return 1
    print(f"{suite}: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if passed + failed + skipped > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
