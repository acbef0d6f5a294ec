"""Spark (Iceberg's REST catalog, the Spark suite's version) authenticating with OAuth2 client credentials at the token
endpoint with-auth.sh names (lakecat's own, or the OIDC provider's), with tokens that live
5 seconds (2 s of clock skew allowed): Iceberg refreshes
them ahead of expiry, by token exchange (its default) and by a new client-credentials grant
(`token-exchange-enabled=false`, what the README recommends with an IdP). Grants and main's
protection hold for Spark as for any client."""
from __future__ import annotations

import os
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "lib", "python"))
from lakecat_auth import SECRETS, TOKEN_URI, TWO_LIFETIMES, URL, api, branch_from_main, grant, head  # noqa: E402
from lakecat_spark import ICEBERG_EXTENSIONS, start_session  # noqa: E402

RUN = uuid.uuid4().hex[:8]
DEV = f"dev_{RUN}"
NS = f"spark_{RUN}"


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
        f"{p}.oauth2-server-uri": TOKEN_URI,
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
        grant(subject, privilege, on)
    r = api("admin", "POST", "/v1/main/namespaces", {"namespace": [NS]})
    assert r.status_code == 200, r.text
    r = api("admin", "PUT", "/api/lakecat/v1/protections/main", {})
    assert r.status_code == 200, r.text
    branch_from_main("engineer", DEV)

    confs = {
        **catalog_conf("eng_x", "engineer", DEV, exchange=True),
        **catalog_conf("eng_cc", "engineer", DEV, exchange=False),
        **catalog_conf("eng_main", "engineer", "main", exchange=False),
        **catalog_conf("ana", "analyst", "main", exchange=False),
    }
    session = start_session("lakecat-auth-spark", [ICEBERG_EXTENSIONS], confs)
    yield session
    session.stop()


# Iceberg 1.12.0's refresh by token exchange is refused by Keycloak 26.4 ("invalid_client: Invalid
# client or Invalid client credentials", then "invalid_request: Invalid token"), while Iceberg
# 1.10.1's passed this test against the same realm, and 1.12.0's passes against lakecat's own
# token endpoint. Between the client and the identity provider, not lakecat; the README's advice
# for an identity provider (token-exchange-enabled=false, the eng_cc case) works. Strict, so a
# fixed client or provider shows up as a failure to remove this mark.
KEYCLOAK_EXCHANGE_REFUSED = (
    "Iceberg 1.12.0's token-exchange refresh is refused by Keycloak 26.4 (invalid_client); "
    "see conformance-tests/auth/README.md"
)


@pytest.mark.parametrize("catalog", ["eng_x", "eng_cc"])
def test_writes_on_dev_keep_working_while_tokens_expire(spark, catalog, request) -> None:
    if catalog == "eng_x" and os.environ.get("LAKECAT_AUTH_IDP") == "keycloak":
        request.applymarker(pytest.mark.xfail(strict=True, reason=KEYCLOAK_EXCHANGE_REFUSED))
    table = f"{catalog}.{NS}.orders_{catalog}"
    spark.sql(f"CREATE TABLE {table} (id BIGINT, amount DOUBLE) USING iceberg")
    spark.sql(f"INSERT INTO {table} VALUES (1, 10.0)")
    # Longer than two token lifetimes: without a refresh the next statement would be a 401.
    time.sleep(TWO_LIFETIMES)
    spark.sql(f"INSERT INTO {table} VALUES (2, 20.5)")
    assert spark.sql(f"SELECT count(*) AS n FROM {table}").collect()[0]["n"] == 2


def test_a_write_to_protected_main_is_forbidden(spark) -> None:
    before = head("main")
    with pytest.raises(Exception) as refused:
        spark.sql(f"CREATE TABLE eng_main.{NS}.direct (id BIGINT) USING iceberg")
    assert "Forbidden" in str(refused.value), str(refused.value)[:500]
    assert head("main") == before


def test_the_analyst_reads_main_and_may_not_write(spark) -> None:
    assert NS in [r[0] for r in spark.sql("SHOW NAMESPACES IN ana").collect()]
    with pytest.raises(Exception) as refused:
        spark.sql(f"CREATE TABLE ana.{NS}.nope (id BIGINT) USING iceberg")
    assert "Forbidden" in str(refused.value), str(refused.value)[:500]
