"""After the chaos run: scans every table of namespace `chaos` with PyIceberg (every data and
manifest file must be readable) and compares the rows of `chaos.events` with what the
appenders were told. Prints one JSON object.

Usage: check_data.py URL APPENDER.json [APPENDER.json...]
"""
import collections
import json
import os
import sys

from pyiceberg.catalog.rest import RestCatalog

url, outputs = sys.argv[1], sys.argv[2:]
env = os.environ
catalog = RestCatalog(
    "chaos",
    uri=url,
    **{
        "s3.endpoint": env["LAKECAT_TEST_S3_ENDPOINT"],
        "s3.access-key-id": env["LAKECAT_TEST_S3_ACCESS_KEY"],
        "s3.secret-access-key": env["LAKECAT_TEST_S3_SECRET_KEY"],
        "s3.region": env["LAKECAT_TEST_S3_REGION"],
        "s3.path-style-access": "true",
    },
)
problems = []
scanned = 0
for identifier in catalog.list_tables("chaos"):
    try:
        catalog.load_table(identifier).scan().to_arrow()
        scanned += 1
    except Exception as e:
        problems.append(f"{'.'.join(identifier)} cannot be scanned: {type(e).__name__}: {str(e)[:200]}")

rows = catalog.load_table("chaos.events").scan().to_arrow()
per_batch = collections.Counter(rows.column("batch").to_pylist())
counts = collections.Counter()
for path in outputs:
    for b in json.load(open(path)):
        outcome = b["outcome"]
        counts[outcome] += 1
        n = per_batch.get(b["batch"], 0)
        if n not in (0, 10) and n % 10 != 0:
            problems.append(f"batch {b['batch']} has {n} rows, not a multiple of 10")
        landed = n // 10
        if landed > 1:
            counts["duplicated"] += 1
            problems.append(f"batch {b['batch']} ({outcome}) landed {landed} times")
        if outcome == "acknowledged" and landed == 0:
            counts["lost"] += 1
            problems.append(f"acknowledged batch {b['batch']} is not in the table")
        if outcome in ("refused", "not-sent") and landed > 0:
            counts[f"{outcome}-but-landed"] += 1
            problems.append(f"batch {b['batch']} was {outcome} ({b.get('error', '')[:120]}) but landed")
        if outcome == "unknown":
            counts["unknown-landed" if landed else "unknown-not-landed"] += 1
print(json.dumps({"scanned": scanned, "rows": rows.num_rows, "counts": counts, "problems": problems[:30]}))
