"""A writer process for the concurrency test; a module of its own so spawned processes can import it."""
from __future__ import annotations

import random
import time

from pyiceberg.exceptions import CommitFailedException

import sales
from lakecat_api import Lakecat

MAX_ATTEMPTS = 50


def append_batches(url: str, branch: str | None, ident: tuple[str, str], writer: int, appends: int, rows_per_append: int) -> int:
    """Appends `appends` batches with ids unique to this writer; returns how often it had to start
    an append over.

    Each append asserts the branch's current snapshot, so when another process committed first the
    catalog answers 409. PyIceberg then refreshes and rebuilds the snapshot itself, up to
    commit.retry.num-retries (4) times; with four writers racing that can run out, and the writer
    reloads the table and appends again."""
    catalog = Lakecat(url).catalog(branch)
    conflicts = 0
    for n in range(appends):
        first_id = (writer * appends + n) * rows_per_append
        batch = sales.rows(*[(first_id + k, f"w{writer}", "2024-01-01T00:00:00", float(n)) for k in range(rows_per_append)])
        for attempt in range(MAX_ATTEMPTS):
            table = catalog.load_table(ident)
            try:
                table.append(batch, snapshot_properties={"writer": str(writer), "batch": str(n)})
                break
            except CommitFailedException:
                conflicts += 1
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        else:
            raise RuntimeError(f"writer {writer}: batch {n} did not commit in {MAX_ATTEMPTS} attempts")
    return conflicts
