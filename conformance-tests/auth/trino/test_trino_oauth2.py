"""Trino 476's Iceberg REST catalog with OAuth2 client credentials
(`iceberg.rest-catalog.security=OAUTH2`) at the token endpoint with-auth.sh names (lakecat's own,
or the OIDC provider's). One Trino catalog per service client and branch, made with CREATE
CATALOG. Tokens live 5 seconds: Trino's catalog refreshes them
(`iceberg.rest-catalog.oauth2.token-refresh-enabled`, on by default). Grants and main's protection
hold for Trino as for any client."""
from __future__ import annotations

import os
import sys
import time
import urllib.parse
import uuid

import pytest
import trino

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "lib", "python"))
from lakecat_auth import SECRETS, TOKEN_URI, TWO_LIFETIMES, URL, api, branch_from_main, grant, head  # noqa: E402

RUN = uuid.uuid4().hex[:8]
DEV = f"dev_{RUN}"
NS = f"trino_{RUN}"
LOCATION = f"{os.environ['LAKECAT_WAREHOUSE'].rstrip('/')}/auth-trino/{NS}"


def sql(conn, statement: str) -> list[tuple]:
    cur = conn.cursor()
    cur.execute(statement)
    return [tuple(row) for row in cur.fetchall()]


def create_catalog(conn, name: str, client: str, warehouse: str) -> None:
    props = {
        "iceberg.catalog.type": "rest",
        "iceberg.rest-catalog.uri": URL,
        "iceberg.rest-catalog.warehouse": warehouse,
        "iceberg.rest-catalog.security": "OAUTH2",
        "iceberg.rest-catalog.oauth2.credential": f"{client}:{SECRETS[client]}",
        "iceberg.rest-catalog.oauth2.server-uri": TOKEN_URI,
        "iceberg.rest-catalog.oauth2.scope": "catalog",
        "iceberg.rest-catalog.vended-credentials-enabled": "true",
        # Trino 476 uses vended keys only with a session token; the stack's MinIO keys (see
        # conformance-tests/trino/with-trino.sh).
        "fs.native-s3.enabled": "true",
        "s3.endpoint": os.environ["LAKECAT_TEST_S3_ENDPOINT"],
        "s3.region": os.environ["LAKECAT_TEST_S3_REGION"],
        "s3.path-style-access": "true",
        "s3.aws-access-key": os.environ["LAKECAT_TEST_S3_ACCESS_KEY"],
        "s3.aws-secret-key": os.environ["LAKECAT_TEST_S3_SECRET_KEY"],
    }
    quoted = ", ".join(f"\"{k}\" = '{v.replace(chr(39), chr(39) * 2)}'" for k, v in props.items())
    sql(conn, f"CREATE CATALOG {name} USING iceberg WITH ({quoted})")


@pytest.fixture(scope="session")
def db():
    for subject, privilege, on in [
        ("role:engineer", "ref.read", "*"),
        # Trino loads a table before it creates it: the engineer must be able to read main for
        # the protection (not a missing read grant) to be what refuses the write.
        ("role:engineer", "content.read", "*"),
        ("role:engineer", "ref.create", "dev*"),
        ("role:engineer", "content.write", "dev*"),
        ("role:analyst", "ref.read", "main"),
        ("role:analyst", "content.read", "main"),
    ]:
        grant(subject, privilege, on)
    # Trino 476 creates tables cleanly only in a schema with a location (conformance-tests/trino).
    r = api("admin", "POST", "/v1/main/namespaces", {"namespace": [NS], "properties": {"location": LOCATION}})
    assert r.status_code == 200, r.text
    r = api("admin", "PUT", "/api/lakecat/v1/protections/main", {})
    assert r.status_code == 200, r.text
    branch_from_main("engineer", DEV)

    parts = urllib.parse.urlsplit(os.environ["TRINO_URL"])
    conn = trino.dbapi.connect(host=parts.hostname, port=parts.port, http_scheme=parts.scheme, user="lakecat-auth", request_timeout=120)
    create_catalog(conn, f"eng_dev_{RUN}", "engineer", DEV)
    create_catalog(conn, f"eng_main_{RUN}", "engineer", "main")
    create_catalog(conn, f"ana_main_{RUN}", "analyst", "main")
    yield conn
    conn.close()


def test_writes_on_dev_keep_working_while_tokens_expire(db) -> None:
    table = f"eng_dev_{RUN}.{NS}.orders"
    sql(db, f"CREATE TABLE {table} (id BIGINT, amount DOUBLE)")
    sql(db, f"INSERT INTO {table} VALUES (1, 10.0)")
    # Longer than two token lifetimes: without a refresh the next statement would be a 401.
    time.sleep(TWO_LIFETIMES)
    sql(db, f"INSERT INTO {table} VALUES (2, 20.5)")
    assert sql(db, f"SELECT count(*) FROM {table}") == [(2,)]


def test_a_write_to_protected_main_is_forbidden(db) -> None:
    before = head("main")
    with pytest.raises(trino.exceptions.TrinoQueryError) as refused:
        sql(db, f"CREATE TABLE eng_main_{RUN}.{NS}.direct (id BIGINT)")
    assert "Forbidden" in str(refused.value), str(refused.value)[:500]
    assert head("main") == before


def test_the_analyst_reads_main_and_may_not_write(db) -> None:
    assert (NS,) in sql(db, f"SHOW SCHEMAS FROM ana_main_{RUN}")
    before = head("main")
    with pytest.raises(trino.exceptions.TrinoQueryError) as refused:
        sql(db, f"CREATE TABLE ana_main_{RUN}.{NS}.nope (id BIGINT)")
    assert "Forbidden" in str(refused.value), str(refused.value)[:500]
    assert head("main") == before
