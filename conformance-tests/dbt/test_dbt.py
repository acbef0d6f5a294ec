"""dbt on Trino on lakecat: the seeds' bronze/silver/gold project (project/) built on `dev`, an
incremental model merged with a later batch, data tests, a snapshot of a changing dimension,
then everything promoted to `main` by one merge through the Nessie API. The steps run in order
and share one schema on `dev`."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
import trino

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib", "python"))

import lakecat_client  # noqa: E402

HERE = Path(__file__).parent
SCHEMA = f"dbt_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the dbt project (a step edits a seed), with its own target folder."""
    lakecat_client.ensure_branch("dev", "main")
    dest = tmp_path_factory.mktemp("dbt") / "project"
    shutil.copytree(HERE / "project", dest)
    return dest


def dbt(project: Path, *args: str) -> str:
    trino_url = urlparse(os.environ["TRINO_URL"])
    env = {
        **os.environ,
        "DBT_TRINO_HOST": trino_url.hostname or "127.0.0.1",
        "DBT_TRINO_PORT": str(trino_url.port),
        "DBT_SCHEMA": SCHEMA,
        "DBT_TARGET_PATH": str(project / "target"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    cmd = [os.environ.get("DBT_EXECUTABLE", "dbt"), *args, "--project-dir", str(project), "--profiles-dir", str(project)]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"{' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def all_tests_passed(out: str) -> int:
    """The number of dbt tests in `dbt test`'s summary line, after checking every one passed."""
    m = re.search(r"PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)(?: NO-OP=\d+)? TOTAL=(\d+)", out)
    assert m, out
    passed, warned, errors, skipped, total = map(int, m.groups())
    assert (warned, errors, skipped) == (0, 0, 0) and passed == total, out
    return total


def query(catalog: str, sql: str) -> list[list]:
    url = urlparse(os.environ["TRINO_URL"])
    with trino.dbapi.connect(host=url.hostname, port=url.port, user="dbt-suite", catalog=catalog, schema=SCHEMA) as conn:
        cur = conn.cursor()
        cur.execute(sql)
        return cur.fetchall()


GOLD_AFTER_BATCH_1 = [["p-17", dt.date(2024, 3, 1), 2, 137.5], ["p-42", dt.date(2024, 3, 1), 1, 70.0]]
GOLD_AFTER_BATCH_2 = [["p-17", dt.date(2024, 3, 1), 2, 138.5], ["p-42", dt.date(2024, 3, 1), 1, 70.0], ["p-42", dt.date(2024, 3, 2), 1, 110.0]]


def gold(catalog: str) -> list[list]:
    return query(catalog, "SELECT patient, day, readings, mean_mg_dl FROM gold_daily ORDER BY patient, day")


def test_1_builds_and_tests_the_project_on_dev(project: Path) -> None:
    dbt(project, "seed")
    dbt(project, "run", "--vars", "{batch: 1}")
    # unique + not_null on the key, not_null on the value, the relationship, the singular range test.
    assert all_tests_passed(dbt(project, "test")) == 6
    assert gold("lakecat_dev") == GOLD_AFTER_BATCH_1
    assert query("lakecat_dev", "SELECT count(*) FROM silver_readings") == [[3]]
    # Nothing of it on main yet.
    assert [SCHEMA] not in query("lakecat_main", "SHOW SCHEMAS")


def test_2_incremental_model_merges_a_later_batch(project: Path) -> None:
    before = query("lakecat_dev", 'SELECT count(*) FROM "silver_readings$snapshots"')[0][0]
    dbt(project, "run", "--vars", "{batch: 2}")
    assert all_tests_passed(dbt(project, "test")) == 6
    # The late correction (180 -> 182) replaced the row, the new reading was added.
    assert query("lakecat_dev", "SELECT reading_id, glucose_mg_dl, batch FROM silver_readings ORDER BY reading_id") == [
        ["cgm-1@2024-03-01 08:00:00.000000", 95, 1],
        ["cgm-1@2024-03-01 08:10:00.000000", 182, 2],
        ["cgm-2@2024-03-01 08:00:00.000000", 70, 1],
        ["cgm-2@2024-03-02 09:05:00.000000", 110, 2],
    ]
    # An Iceberg commit through lakecat, not a rebuild of the table.
    assert query("lakecat_dev", 'SELECT count(*) FROM "silver_readings$snapshots"')[0][0] > before
    assert gold("lakecat_dev") == GOLD_AFTER_BATCH_2


def test_3_snapshot_keeps_the_history_of_a_changing_dimension(project: Path) -> None:
    dbt(project, "snapshot")
    seed = project / "seeds" / "devices.csv"
    seed.write_text(seed.read_text().replace("cgm-1,p-17,1.0", "cgm-1,p-17,1.1"))
    dbt(project, "seed", "--select", "devices", "--full-refresh")
    dbt(project, "snapshot")
    history = query("lakecat_dev", "SELECT device, firmware, dbt_valid_to IS NULL FROM devices_history ORDER BY device, dbt_valid_from")
    assert history == [["cgm-1", "1.0", False], ["cgm-1", "1.1", True], ["cgm-2", "1.0", True]]


def test_4_one_merge_publishes_the_project_on_main(project: Path) -> None:
    lakecat_client.merge("dev", "main", message=f"publish dbt project {SCHEMA}")
    assert gold("lakecat_main") == GOLD_AFTER_BATCH_2
    assert query("lakecat_main", "SELECT count(*) FROM devices_history") == [[3]]
    assert query("lakecat_main", "SELECT count(*) FROM silver_readings") == [[4]]
