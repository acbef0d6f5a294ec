"""Spark (Iceberg 1.10's REST catalog) authenticating with OAuth2 client credentials at lakecat's
own token endpoint, with tokens that live 5 seconds (2 s of clock skew allowed): Iceberg refreshes
them ahead of expiry, by token exchange (its default) and by a new client-credentials grant
(`token-exchange-enabled=false`, what the README recommends with an IdP). Grants and main's
protection hold for Spark as for any client."""
from __future__ import annotations

import json
import os
import tempfile
import time
import urllib.parse
import urllib.request
import uuid

import pytest

URL = os.environ["LAKECAT_URL"].rstrip("/")
SECRETS: dict[str, str] = json.loads(os.environ["LAKECAT_AUTH_SECRETS"])
RUN = uuid.uuid4().hex[:8]
DEV = f"dev_{RUN}"
NS = f"spark_{RUN}"


def token(client: str) -> str:
    body = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": client, "client_secret": SECRETS[client]}).encode()
    with urllib.request.urlopen(urllib.request.Request(f"{URL}/v1/oauth/tokens", data=body, method="POST"), timeout=30) as r:
        return json.load(r)["access_token"]


def api(client: str, method: str, path: str, body: object | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{URL}{path}", data=data, method=method, headers={"Authorization": f"Bearer {token(client)}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read()
            return r.status, (json.loads(text) if text else {})
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def catalog_conf(name: str, client: str, warehouse: str, exchange: bool) -> dict:
    p = f"spark.sql.catalog.{name}"
    return {
        p: "org.apache.iceberg.spark.SparkCatalog",
        f"{p}.type": "rest",
        f"{p}.uri": URL,
        f"{p}.warehouse": warehouse,
        f"{p}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        f"{p}.cache-enabled": "false",
        f"{p}.credential": f"{client}:{SECRETS[client]}",
        f"{p}.oauth2-server-uri": f"{URL}/v1/oauth/tokens",
        f"{p}.scope": "catalog",
        f"{p}.token-exchange-enabled": "true" if exchange else "false",
    }


@pytest.fixture(scope="session")
def spark():
    for subject, privilege, on in [
        ("role:engineer", "ref.read", "*"),
        ("role:engineer", "ref.create", "dev*"),
        ("role:engineer", "content.write", "dev*"),
        ("role:analyst", "ref.read", "main"),
        ("role:analyst", "content.read", "main"),
    ]:
        status, body = api("admin", "POST", "/api/lakecat/v1/grants", {"subject": subject, "privilege": privilege, "on": on})
        assert status in (200, 201), body
    status, body = api("admin", "POST", "/v1/main/namespaces", {"namespace": [NS]})
    assert status == 200, body
    status, body = api("admin", "PUT", "/api/lakecat/v1/protections/main", {})
    assert status == 200, body
    status, head = api("admin", "GET", "/api/v2/trees/main")
    status, body = api("engineer", "POST", f"/api/v2/trees?name={DEV}&type=BRANCH", {"type": "BRANCH", "name": "main", "hash": head["reference"]["hash"]})
    assert status == 200, body

    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName("lakecat-auth-spark")
        .config("spark.jars", os.environ["LAKECAT_SPARK_JARS"])
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="lakecat-auth-spark-"))
    )
    confs = {
        **catalog_conf("eng_x", "engineer", DEV, exchange=True),
        **catalog_conf("eng_cc", "engineer", DEV, exchange=False),
        **catalog_conf("eng_main", "engineer", "main", exchange=False),
        **catalog_conf("ana", "analyst", "main", exchange=False),
    }
    for k, v in confs.items():
        builder = builder.config(k, v)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    yield session
    session.stop()


@pytest.mark.parametrize("catalog", ["eng_x", "eng_cc"])
def test_writes_on_dev_keep_working_while_tokens_expire(spark, catalog) -> None:
    table = f"{catalog}.{NS}.orders_{catalog}"
    spark.sql(f"CREATE TABLE {table} (id BIGINT, amount DOUBLE) USING iceberg")
    spark.sql(f"INSERT INTO {table} VALUES (1, 10.0)")
    # Longer than two token lifetimes: without a refresh the next statement would be a 401.
    time.sleep(12)
    spark.sql(f"INSERT INTO {table} VALUES (2, 20.5)")
    assert spark.sql(f"SELECT count(*) AS n FROM {table}").collect()[0]["n"] == 2


def test_a_write_to_protected_main_is_forbidden(spark) -> None:
    status, before = api("admin", "GET", "/api/v2/trees/main")
    with pytest.raises(Exception) as refused:
        spark.sql(f"CREATE TABLE eng_main.{NS}.direct (id BIGINT) USING iceberg")
    assert "Forbidden" in str(refused.value), str(refused.value)[:500]
    status, after = api("admin", "GET", "/api/v2/trees/main")
    assert after["reference"]["hash"] == before["reference"]["hash"]


def test_the_analyst_reads_main_and_may_not_write(spark) -> None:
    assert NS in [r[0] for r in spark.sql("SHOW NAMESPACES IN ana").collect()]
    with pytest.raises(Exception) as refused:
        spark.sql(f"CREATE TABLE ana.{NS}.nope (id BIGINT) USING iceberg")
    assert "Forbidden" in str(refused.value), str(refused.value)[:500]
