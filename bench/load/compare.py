"""Runs both loaders as child processes, one after the other, and prints their wall time and peak
RSS (each loader in its own wrapper process, so ru_maxrss of its children is that loader's)."""
import json
import subprocess
import sys
import time

url, csv, rows, lakecat_bin, python = sys.argv[1:6]

PYICEBERG = r"""
import sys
import pyarrow.csv as pc
import pyarrow as pa
from pyiceberg.catalog import load_catalog
catalog = load_catalog("bench", type="rest", uri=sys.argv[1], warehouse="main")
table = catalog.load_table(("bench", "pyiceberg"))
data = pc.read_csv(sys.argv[2], convert_options=pc.ConvertOptions(column_types={
    "device": pa.string(), "taken_at": pa.timestamp("us", tz="UTC"), "glucose": pa.int64(), "note": pa.string()}))
table.append(data.cast(table.schema().as_arrow()))
print(table.refresh().current_snapshot().summary["added-records"])
"""

WRAP = r"""
import resource, subprocess, sys, time
t = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{done.returncode} {wall:.2f} {rss}")
if done.returncode:
    print(done.stdout[-2000:], done.stderr[-4000:], file=sys.stderr)
"""


def measure(cmd):
    out = subprocess.run([sys.executable, "-c", WRAP, *cmd], capture_output=True, text=True)
    if out.returncode or not out.stdout.strip():
        raise SystemExit(f"wrapper failed: {out.stderr}")
    code, wall, rss_kb = out.stdout.split()
    if code != "0":
        raise SystemExit(f"{cmd[:3]} exited {code}:\n{out.stderr}")
    return float(wall), int(rss_kb) / 1024


def rest(method, path, body=None):
    import urllib.request

    req = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode(), headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.read()


schema = {"type": "struct", "schema-id": 0, "fields": [
    {"id": 1, "name": "device", "required": False, "type": "string"},
    {"id": 2, "name": "taken_at", "required": False, "type": "timestamptz"},
    {"id": 3, "name": "glucose", "required": False, "type": "long"},
    {"id": 4, "name": "note", "required": False, "type": "string"},
]}  # fmt: skip
rest("POST", "/v1/namespaces", {"namespace": ["bench"]})
for name in ("lakecat", "pyiceberg"):
    rest("POST", "/v1/namespaces/bench/tables", {"name": name, "schema": schema})

lake_wall, lake_rss = measure(["node", lakecat_bin, "load", "bench.lakecat", csv, "--server", url])
py_wall, py_rss = measure([python, "-c", PYICEBERG, url, csv])

print(f"rows: {int(rows):,} (CSV {csv})")
print("| loader | wall time | peak RSS |")
print("|---|---|---|")
print(f"| lakecat load | {lake_wall:.1f} s | {lake_rss:.0f} MiB |")
print(f"| PyIceberg append (pyarrow CSV) | {py_wall:.1f} s | {py_rss:.0f} MiB |")
print(f"| ratio lakecat / PyIceberg | {lake_wall / py_wall:.2f}x | {lake_rss / py_rss:.2f}x |")
