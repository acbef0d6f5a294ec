"""Writes ROWS glucose readings as CSV (header device,taken_at,glucose,note), deterministically."""
import datetime as dt
import random
import sys

path, rows = sys.argv[1], int(sys.argv[2])
random.seed(1)
start = dt.datetime(2024, 3, 1)
with open(path, "w") as f:
    f.write("device,taken_at,glucose,note\n")
    for i in range(rows):
        taken = (start + dt.timedelta(seconds=30 * i)).isoformat()
        note = "calibrated" if i % 7 == 0 else ""
        f.write(f"cgm-{i % 50},{taken}Z,{random.randint(40, 400)},{note}\n")
