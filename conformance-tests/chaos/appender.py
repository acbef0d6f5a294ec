"""A PyIceberg writer for the chaos run: appends batches of rows to one table until a deadline,
through a lakecat process picked in turn, and records what PyIceberg was told about each batch.

Usage: appender.py NAME SECONDS OUT.json URL [URL...]
Each batch is 10 rows whose `batch` column is NAME-SEQ. Outcomes: "acknowledged" (append
returned), "refused" (CommitFailedException: a definite no), "unknown" (the commit's outcome
was not known: CommitStateUnknownException, a 5xx, a dropped connection during the commit),
"not-sent" (failed before the commit was sent: loading the table or writing files).
The S3 settings come from LAKECAT_TEST_S3_* (the real MinIO, not the faulty link).
"""
import json
import os
import sys
import time

import pyarrow as pa
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import CommitFailedException, CommitStateUnknownException

name, seconds, out, urls = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]
env = os.environ
s3 = {
    "s3.endpoint": env["LAKECAT_TEST_S3_ENDPOINT"],
    "s3.access-key-id": env["LAKECAT_TEST_S3_ACCESS_KEY"],
    "s3.secret-access-key": env["LAKECAT_TEST_S3_SECRET_KEY"],
    "s3.region": env["LAKECAT_TEST_S3_REGION"],
    "s3.path-style-access": "true",
    "s3.connect-timeout": "5",
    "s3.request-timeout": "20",
}
batches = []
deadline = time.time() + seconds
seq = 0
while time.time() < deadline:
    batch = f"{name}-{seq}"
    seq += 1
    url = urls[seq % len(urls)]
    record = {"batch": batch, "outcome": "not-sent"}
    batches.append(record)
    try:
        catalog = RestCatalog("chaos", uri=url, **s3)
        table = catalog.load_table("chaos.events")
        rows = pa.table({"id": pa.array(range(10), pa.int64()), "batch": pa.array([batch] * 10, pa.string())})
        # Writing the files may fail first (MinIO paused): then nothing was committed.
        record["outcome"] = "sending"
        table.append(rows)
        record["outcome"] = "acknowledged"
    except CommitFailedException as e:
        record["outcome"] = "refused"
        record["error"] = str(e)[:300]
    except CommitStateUnknownException as e:
        record["outcome"] = "unknown"
        record["error"] = str(e)[:300]
    except Exception as e:  # connection errors, timeouts, 503s while loading
        # Before the commit request nothing can have landed; during it the outcome is unknown.
        record["outcome"] = "unknown" if record["outcome"] == "sending" else "not-sent"
        record["error"] = f"{type(e).__name__}: {str(e)[:300]}"
        time.sleep(0.5)
json.dump(batches, open(out, "w"))
