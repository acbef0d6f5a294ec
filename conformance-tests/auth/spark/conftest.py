"""The plain summary line run.sh prints after pytest's own (as in the Spark suite)."""
import os


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = terminalreporter.stats
    passed = len(stats.get("passed", []))
    failed = len(stats.get("failed", [])) + len(stats.get("error", []))
    skipped = len(stats.get("skipped", [])) + len(stats.get("xfailed", []))
    out = os.environ.get("LAKECAT_SPARK_SUMMARY")
    if out:
        with open(out, "w") as f:
            f.write(f"{passed} {failed} {skipped}\n")
