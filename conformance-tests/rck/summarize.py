"""Summarizes one RCK pass from the JUnit Platform console launcher's XML report.

Usage: summarize.py PASS REPORTS_DIR LAUNCHER_STATUS LOG DEVIATIONS

Prints `rck-PASS: N passed, N failed, N skipped`, then every skipped test with its reason, then
every failed test with the first line of its failure. Skipped are the tests the RCK skips itself
(a failed assumption, with the RCK's reason) and the documented deviations (DEVIATIONS, see
README.md) that failed with exactly the expected message. Exits 1 when a test failed, or when
the launcher failed without any test failing (a class-level set-up error, a bad classpath).
"""

import os
import pathlib
import re
import sys
import xml.etree.ElementTree as ET


def first_line(text: str) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()[:300]
    return "(no message)"


ASSUMPTION = "org.opentest4j.TestAbortedException: assumption was not met due to: "

# Assumptions whose failure message is empty (AssertJ's assumeThat(...).isTrue() on a flag the RCK
# hard-codes), named here so that the report says which of the RCK's own flags skipped the test.
SILENT_ASSUMPTIONS = {
    "testNamespaceWithSlash": "RCK assumption not met: supportsNamesWithSlashes() is false in RESTCompatibilityKitCatalogTests (no switch)",
    "testTableNameWithSlash": "RCK assumption not met: supportsNamesWithSlashes() is false in RESTCompatibilityKitCatalogTests (no switch)",
}


def read_deviations(path: pathlib.Path, scheme: str) -> dict:
    """The deviations that apply to a warehouse with this URI scheme (`s3`, `file`)."""
    deviations = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        test, pattern, reason, *only = line.split("\t")
        if only and only[0] != scheme:
            continue
        deviations[test] = (re.compile(pattern), reason)
    return deviations


def main() -> int:
    name, reports_dir, status, log = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    scheme = os.environ.get("LAKECAT_WAREHOUSE", "").split(":", 1)[0]
    deviations = read_deviations(pathlib.Path(sys.argv[5]), scheme)
    passed, failed, skipped, now_passing = 0, [], [], []
    raw_failures = 0  # deviations included: the launcher's exit status counts them too
    for report in sorted(reports_dir.glob("*.xml")):
        if report.name.startswith("junit-platform-events"):
            continue  # the open-test-reporting format; the legacy report carries the same tests
        for case in ET.parse(report).getroot().iter("testcase"):
            test = f"{case.get('classname', '').rsplit('.', 1)[-1]}.{case.get('name')}"
            deviation = deviations.get(test.split("(", 1)[0])
            problem = case.find("failure")
            if problem is None:
                problem = case.find("error")
            skip = case.find("skipped")
            if problem is not None:
                raw_failures += 1
                message = first_line(problem.get("message") or problem.text)
                if deviation is not None and deviation[0].search(message):
                    skipped.append((test, f"lakecat deviation: {deviation[1]}"))
                else:
                    failed.append((test, message))
            elif skip is not None:
                reason = first_line(skip.get("message") or skip.text)
                method = test.split(".", 1)[-1].split("(", 1)[0]
                if reason.rstrip() == ASSUMPTION.rstrip() and method in SILENT_ASSUMPTIONS:
                    reason = SILENT_ASSUMPTIONS[method]
                reason = reason.replace(ASSUMPTION, "RCK assumption not met: ")
                skipped.append((test, reason))
            else:
                passed += 1
                if deviation is not None:
                    now_passing.append(test)
    print(f"rck-{name}: {passed} passed, {len(failed)} failed, {len(skipped)} skipped")
    for test, reason in sorted(skipped, key=lambda s: (s[1], s[0])):
        print(f"  skipped {test}: {reason}")
    for test, reason in failed:
        print(f"  FAILED  {test}: {reason}")
    for test in now_passing:
        print(f"  note: {test} passes although deviations.tsv lists it; remove its line")
    if failed:
        return 1
    if passed == 0:
        print(f"  no test ran; see {log}")
        return 1
    if status != 0 and raw_failures == 0:
        print(f"  the test launcher exited with {status} although no test failed; see {log}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
