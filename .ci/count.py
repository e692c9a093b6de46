"""Adds up the JUnit reports in a folder and prints `N passed, N failed` (exit 1 when none ran or any failed)."""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

folder = Path(sys.argv[1] if len(sys.argv) > 1 else "test-reports")
passed = failed = skipped = 0
for report in sorted(folder.glob("*.xml")):
    root = ET.parse(report).getroot()
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
if passed + failed == 0:
    failed = 1
    print("no test report was written", file=sys.stderr)
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)
