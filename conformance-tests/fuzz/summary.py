"""Prints the suite's summary line from Schemathesis's JUnit report: one test per API operation,
passed when no check failed for any of its generated requests.

Usage: summary.py JUNIT [LABEL]   (LABEL, default "fuzz", starts the summary line)
"""
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
cases = root.iter("testcase")
passed = failed = skipped = 0
for case in cases:
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
        print(f"  failed: {case.get('name')}")
    elif case.find("skipped") is not None:
        skipped += 1
    else:
        passed += 1
label = sys.argv[2] if len(sys.argv) > 2 else "fuzz"
print(f"{label}: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
