"""Nessie's own clients with authentication on: Iceberg's NessieCatalog and Nessie's Spark SQL
extensions (CREATE BRANCH, USE REFERENCE, MERGE BRANCH), both through Nessie's Java client, get
tokens by OAuth2 client credentials at the token endpoint with-auth.sh names (lakecat's own, or
the OIDC provider's) and send them to lakecat's Nessie API v2. Tokens live 5 seconds: the client
refreshes them. Grants and main's protection hold for the Nessie API as for Iceberg REST."""
from __future__ import annotations

import os
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "lib", "python"))
from lakecat_auth import SECRETS, TOKEN_URI, TWO_LIFETIMES, URL, api, grant, head  # noqa: E402
from lakecat_spark import ICEBERG_EXTENSIONS, NESSIE_EXTENSIONS, start_session  # noqa: E402

RUN = uuid.uuid4().hex[:8]
DEV = f"dev_{RUN}"
NS = f"nessie_{RUN}"


def nessie_catalog_conf(name: str, client: str) -> dict:
    p = f"spark.sql.catalog.{name}"
    return {
        p: "org.apache.iceberg.spark.SparkCatalog",
        f"{p}.catalog-impl": "org.apache.iceberg.nessie.NessieCatalog",
        f"{p}.uri": f"{URL}/api/v2",
        f"{p}.ref": "main",
        f"{p}.client-api-version": "2",
        f"{p}.warehouse": os.environ["LAKECAT_WAREHOUSE"],
        f"{p}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        f"{p}.s3.endpoint": os.environ["LAKECAT_TEST_S3_ENDPOINT"],
        f"{p}.s3.path-style-access": "true",
        f"{p}.s3.access-key-id": os.environ["LAKECAT_TEST_S3_ACCESS_KEY"],
        f"{p}.s3.secret-access-key": os.environ["LAKECAT_TEST_S3_SECRET_KEY"],
        f"{p}.client.region": os.environ["LAKECAT_TEST_S3_REGION"],
        f"{p}.cache-enabled": "false",
        # Nessie's client settings, without their `nessie.` prefix (NessieCatalog and the SQL
        # extensions both read them from the catalog's options).
        f"{p}.authentication.type": "OAUTH2",
        f"{p}.authentication.oauth2.token-endpoint": TOKEN_URI,
        f"{p}.authentication.oauth2.client-id": client,
        f"{p}.authentication.oauth2.client-secret": SECRETS[client],
        f"{p}.authentication.oauth2.client-scopes": "catalog",
    }


@pytest.fixture(scope="session")
def spark():
    for subject, privilege, on in [
        ("role:engineer", "ref.read", "*"),
        ("role:engineer", "ref.create", "dev*"),
        ("role:engineer", "content.write", "dev*"),
        ("role:promoter", "ref.read", "*"),
        ("role:promoter", "ref.merge", "main"),
        ("role:promoter", "content.write", "main"),
        ("role:analyst", "ref.read", "main"),
        ("role:analyst", "content.read", "main"),
    ]:
        grant(subject, privilege, on)
    r = api("admin", "POST", "/v1/main/namespaces", {"namespace": [NS]})
    assert r.status_code == 200, r.text
    r = api("admin", "PUT", "/api/lakecat/v1/protections/main", {"mergeFrom": ["dev*"]})
    assert r.status_code == 200, r.text

    confs = {
        **nessie_catalog_conf("eng", "engineer"),
        **nessie_catalog_conf("eng_main", "engineer"),
        **nessie_catalog_conf("pro", "promoter"),
        **nessie_catalog_conf("ana", "analyst"),
    }
    session = start_session("lakecat-auth-nessie", [ICEBERG_EXTENSIONS, NESSIE_EXTENSIONS], confs)
    yield session
    session.stop()


def test_the_engineer_branches_and_writes_dev_while_tokens_expire(spark) -> None:
    spark.sql(f"CREATE BRANCH {DEV} IN eng FROM main").collect()
    spark.sql(f"USE REFERENCE {DEV} IN eng").collect()
    table = f"eng.{NS}.orders"
    spark.sql(f"CREATE TABLE {table} (id BIGINT, amount DOUBLE) USING iceberg")
    spark.sql(f"INSERT INTO {table} VALUES (1, 10.0)")
    # Longer than two token lifetimes: without a refresh the next statement would be a 401.
    time.sleep(TWO_LIFETIMES)
    spark.sql(f"INSERT INTO {table} VALUES (2, 20.5)")
    assert spark.sql(f"SELECT count(*) AS n FROM {table}").collect()[0]["n"] == 2
    assert head(DEV) != head("main")


def test_a_commit_to_protected_main_is_forbidden(spark) -> None:
    before = head("main")
    with pytest.raises(Exception) as refused:
        spark.sql(f"CREATE TABLE eng_main.{NS}.direct (id BIGINT) USING iceberg")
    assert "Forbidden" in str(refused.value), str(refused.value)[:500]
    assert head("main") == before


def test_only_the_promoter_merges_dev_into_main(spark) -> None:
    before = head("main")
    with pytest.raises(Exception) as refused:
        spark.sql(f"MERGE BRANCH {DEV} INTO main IN eng").collect()
    assert "Forbidden" in str(refused.value), str(refused.value)[:500]
    assert head("main") == before
    spark.sql(f"MERGE BRANCH {DEV} INTO main IN pro").collect()
    assert head("main") != before


def test_the_analyst_reads_main_and_may_not_branch(spark) -> None:
    assert spark.sql(f"SELECT count(*) AS n FROM ana.{NS}.orders").collect()[0]["n"] == 2
    with pytest.raises(Exception) as refused:
        spark.sql(f"CREATE BRANCH dev_ana_{RUN} IN ana FROM main").collect()
    assert "Forbidden" in str(refused.value), str(refused.value)[:500]
