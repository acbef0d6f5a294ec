"""Fixtures of the Trino suite: a Trino client on $TRINO_URL (set by with-trino.sh) whose Iceberg
REST catalogs sit on one lakecat, `lakecat_main` pinned to branch main and `lakecat_dev` pinned
to branch dev (the warehouse names the branch; lakecat answers it as the prefix), and lakecat's
own REST and Nessie answers read over HTTP as a third path next to Trino's catalogs.

Runs under run.sh, inside conformance-tests/with-stack.sh and conformance-tests/trino/with-trino.sh."""

from __future__ import annotations

import os
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib", "python"))

import lakecat_client  # noqa: E402
from support import DEV, MAIN, Trino, schema_location  # noqa: E402


@pytest.fixture(scope="session")
def db():
    url = os.environ.get("TRINO_URL")
    if not url:
        pytest.fail("TRINO_URL is not set: run through conformance-tests/trino/run.sh", pytrace=False)
    client = Trino(url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def lakecat():
    return lakecat_client


@pytest.fixture(scope="session")
def run_id() -> str:
    """A suffix that makes every schema of this run new, so re-runs on one stack do not collide."""
    return f"{time.strftime('%H%M%S')}_{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="session")
def main_schema(db, run_id) -> str:
    """A schema on main shared by the tests of this run (each uses its own table names). It
    carries a `location`: Trino 476 needs one to create tables cleanly (see README)."""
    name = f"trino_{run_id}"
    db.sql(f"CREATE SCHEMA {MAIN}.{name} WITH (location = '{schema_location(name)}')")
    return name


@pytest.fixture(scope="session")
def dev_schema(db, run_id) -> str:
    """A schema made on branch dev only."""
    name = f"trino_dev_{run_id}"
    db.sql(f"CREATE SCHEMA {DEV}.{name} WITH (location = '{schema_location(name)}')")
    return name


@pytest.fixture
def pinned_catalog(db):
    """Makes a Trino catalog on lakecat whose warehouse is a reference (a branch, tag or
    `main@<hash>`); drops it afterwards."""
    made = []

    def make(warehouse: str) -> str:
        name = f"lakecat_ref_{uuid.uuid4().hex[:8]}"
        props = {
            "iceberg.catalog.type": "rest",
            "iceberg.rest-catalog.uri": os.environ["LAKECAT_URL"],
            "iceberg.rest-catalog.warehouse": warehouse,
            "fs.native-s3.enabled": "true",
            "s3.endpoint": os.environ["LAKECAT_TEST_S3_ENDPOINT"],
            "s3.region": os.environ["LAKECAT_TEST_S3_REGION"],
            "s3.path-style-access": "true",
            "s3.aws-access-key": os.environ["LAKECAT_TEST_S3_ACCESS_KEY"],
            "s3.aws-secret-key": os.environ["LAKECAT_TEST_S3_SECRET_KEY"],
        }
        with_clause = ", ".join(f"\"{k}\" = '{v}'" for k, v in props.items())
        db.sql(f"CREATE CATALOG {name} USING iceberg WITH ({with_clause})")
        made.append(name)
        return name

    yield make
    for name in made:
        db.sql(f"DROP CATALOG IF EXISTS {name}")
