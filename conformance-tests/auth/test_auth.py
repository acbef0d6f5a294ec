"""PyIceberg against a lakecat with authentication on: service clients get tokens from lakecat's
own token endpoint (client credentials), refresh them when they expire (tokens live 5 s here),
and are held to their grants and to main's protection, the seeds' promotion flow end to end."""
from __future__ import annotations

import os
import sys
import time
import uuid

import pyarrow as pa
import pytest
import requests
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.exceptions import ForbiddenError, OAuthError, UnauthorizedError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib", "python"))
from lakecat_auth import PAST_EXPIRY, SECRETS, TOKEN_URI, URL, api, branch_from_main, grant, head, principal  # noqa: E402

SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("amount", pa.float64())])
RUN = uuid.uuid4().hex[:8]
DEV = f"dev_{RUN}"
NS = f"sales_{RUN}"


def catalog(client: str, warehouse: str | None = None, secret: str | None = None) -> Catalog:
    props = {"type": "rest", "uri": URL, "credential": f"{client}:{secret or SECRETS[client]}", "oauth2-server-uri": TOKEN_URI, "scope": "catalog"}
    if warehouse is not None:
        props["warehouse"] = warehouse
    return load_catalog(f"{client}-{warehouse or 'main'}-{uuid.uuid4().hex[:6]}", **props)


@pytest.fixture(scope="module", autouse=True)
def setup() -> None:
    grants = [
        ("role:engineer", "ref.read", "*", "**"),
        ("role:engineer", "ref.create", "dev*", "**"),
        ("role:engineer", "content.write", "dev*", "**"),
        ("role:validator", "ref.read", "dev*", "**"),
        ("role:validator", "content.read", "dev*", "**"),
        ("role:validator", "checks.report", "dq/*", "**"),
        ("role:promoter", "ref.read", "*", "**"),
        ("role:promoter", "ref.merge", "main", "**"),
        ("role:promoter", "content.write", "main", "**"),
        ("role:analyst", "ref.read", "main", "**"),
        ("role:analyst", "content.read", "main", f"{NS}.**"),
    ]
    for subject, privilege, on, namespace in grants:
        grant(subject, privilege, on, namespace)
    catalog("admin").create_namespace(NS)
    r = api("admin", "PUT", "/api/lakecat/v1/protections/main", {"mergeFrom": ["dev*"], "requiredChecks": [{"name": "dq/amounts", "reporters": ["role:validator"]}]})
    assert r.status_code == 200, r.text
    branch_from_main("engineer", DEV)


def test_no_credentials_is_401_and_wrong_credentials_are_refused() -> None:
    r = requests.get(f"{URL}/v1/config", timeout=30)
    assert r.status_code == 401
    assert r.json()["error"]["type"] == "NotAuthorizedException"
    assert r.headers["WWW-Authenticate"].startswith('Bearer realm="lakecat"')
    with pytest.raises((OAuthError, UnauthorizedError)):
        catalog("engineer", secret="not-the-secret").list_namespaces()


def test_engineer_writes_dev_and_keeps_working_across_token_expiry() -> None:
    dev = catalog("engineer", DEV)
    table = dev.create_table(f"{NS}.orders", schema=SCHEMA)
    table.append(pa.table({"id": [1, 2], "amount": [10.0, 20.5]}, schema=SCHEMA))
    # Tokens live 5 seconds and the server allows 2 s of clock skew here: after the pause the token
    # PyIceberg holds is refused (401), and the append only succeeds because it fetches a new one.
    time.sleep(PAST_EXPIRY)
    table = dev.load_table(f"{NS}.orders")
    table.append(pa.table({"id": [3], "amount": [7.25]}, schema=SCHEMA))
    assert len(dev.load_table(f"{NS}.orders").scan().to_arrow()) == 3


def test_direct_writes_to_protected_main_are_forbidden_even_for_admins() -> None:
    before = head("main")
    for client in ("engineer", "admin"):
        with pytest.raises(ForbiddenError):
            catalog(client).create_table(f"{NS}.direct", schema=SCHEMA)
    assert head("main") == before


def test_merge_waits_for_the_check_on_the_exact_commit_then_the_analyst_reads_main() -> None:
    validated = head(DEV)
    merge = lambda h: api("promoter", "POST", f"/api/v2/trees/main@{head('main')}/history/merge", {"fromRefName": DEV, "fromHash": h})  # noqa: E731
    blocked = merge(validated)
    assert blocked.status_code == 403, blocked.text
    assert "check dq/amounts is missing" in blocked.json()["message"]
    # The engineer may not report checks; the validator reads dev and reports on what it read.
    assert api("engineer", "POST", f"/api/lakecat/v1/commits/{validated}/checks", {"name": "dq/amounts", "state": "success"}).status_code == 403
    rows = catalog("validator", DEV).load_table(f"{NS}.orders").scan().to_arrow()
    state = "success" if all(a is not None and a >= 0 for a in rows.column("amount").to_pylist()) else "failure"
    assert api("validator", "POST", f"/api/lakecat/v1/commits/{validated}/checks", {"name": "dq/amounts", "state": state}).status_code == 201
    merged = merge(validated)
    assert merged.status_code == 200, merged.text
    analyst = catalog("analyst")
    assert sorted(analyst.load_table(f"{NS}.orders").scan().to_arrow().column("id").to_pylist()) == [1, 2, 3]
    with pytest.raises(ForbiddenError):
        analyst.load_table(f"{NS}.orders").append(pa.table({"id": [9], "amount": [1.0]}, schema=SCHEMA))


def test_the_analyst_sees_only_what_it_may_read() -> None:
    other = f"hr_{RUN}"
    # hr exists on a branch the analyst cannot read, and nothing of it shows on main.
    assert api("engineer", "POST", f"/v1/{DEV}/namespaces", {"namespace": [other]}).status_code == 200
    listed = [".".join(n) for n in catalog("analyst").list_namespaces()]
    assert NS in listed
    assert other not in listed
    with pytest.raises(ForbiddenError):
        catalog("analyst", DEV).list_namespaces()


def test_the_audit_log_holds_the_refusals() -> None:
    records = api("admin", "GET", "/api/lakecat/v1/audit?limit=1000").json()["records"]
    assert any(r["decision"] == "deny" and r["principal"] == principal("engineer") for r in records)
    assert any(r["operation"] == "merge" and r["decision"] == "allow" and r["principal"] == principal("promoter") for r in records)
    assert api("analyst", "GET", "/api/lakecat/v1/audit").status_code == 403
