"""Direct HTTP calls to a running lakecat, shared by the Python conformance suites: the Nessie API
v2 (references, merges, entries, commit log) and the Iceberg REST API read as raw JSON, so a test
can check what an engine did against the server's own answer. Standard library only, so any
suite's virtualenv can import it; the server is $LAKECAT_URL (set by conformance-tests/with-stack.sh).
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

TIMEOUT_S = 60


class HttpError(Exception):
    """A 4xx/5xx answer, with the request and the body the server sent."""

    def __init__(self, method: str, url: str, status: int, body: str):
        super().__init__(f"{method} {url} -> {status}: {body}")
        self.status = status
        self.body = body


def base_url() -> str:
    return os.environ["LAKECAT_URL"].rstrip("/")


def request(method: str, path: str, body: Any = None, query: dict | None = None) -> Any:
    """`path` is relative to the server root (`/v1/...`, `/api/v2/...`); answers the parsed JSON.
    Python's json keeps integers exact at any size, so 63-bit snapshot ids survive as sent."""
    url = base_url() + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
            text = resp.read().decode()
    except urllib.error.HTTPError as err:
        raise HttpError(method, url, err.code, err.read().decode()) from None
    return json.loads(text) if text else None


def _ref_path(ref: str) -> str:
    return "/api/v2/trees/" + urllib.parse.quote(ref, safe="@*~^")


# --- Nessie API v2: references ---------------------------------------------------------------

def reference(name: str) -> dict:
    """The reference as `GET /trees/{ref}` answers it: {type, name, hash}."""
    return request("GET", _ref_path(name))["reference"]


def reference_or_none(name: str) -> dict | None:
    try:
        return reference(name)
    except HttpError as err:
        if err.status == 404:
            return None
        raise


def references() -> dict:
    """Every reference by name."""
    return {r["name"]: r for r in request("GET", "/api/v2/trees")["references"]}


def create_reference(name: str, ref_type: str, source: dict) -> dict:
    """A new branch or tag (`ref_type` BRANCH or TAG) at the hash of the `source` reference."""
    created = request(
        "POST",
        "/api/v2/trees",
        body={"type": source["type"], "name": source["name"], "hash": source["hash"]},
        query={"name": name, "type": ref_type},
    )
    return created["reference"]


def ensure_branch(name: str, from_ref: str = "main") -> dict:
    """The branch `name`, created from the head of `from_ref` when it does not exist yet."""
    return reference_or_none(name) or create_reference(name, "BRANCH", reference(from_ref))


# --- Nessie API v2: contents and history -----------------------------------------------------

def entry_keys(ref: str) -> list:
    """The content keys on `ref`, as (dotted name, content type), sorted."""
    entries = request("GET", _ref_path(ref) + "/entries")["entries"]
    return sorted((".".join(e["name"]["elements"]), e["type"]) for e in entries)


def commit_log(ref: str, limit: int = 50) -> list:
    """The newest `limit` log entries of `ref` (first parents, newest first), with operations."""
    page = request("GET", _ref_path(ref) + "/history", query={"fetch": "ALL", "max-records": str(limit)})
    return page["logEntries"]


def commits_since(ref: str, ancestor: str, limit: int = 500) -> list:
    """Hashes of the commits on `ref` after `ancestor` (first parents, newest first). `ancestor`
    may be Nessie's no-ancestor hash, the parent of a branch's first commit."""
    hashes = []
    for entry in commit_log(ref, limit):
        if entry["commitMeta"]["hash"] == ancestor:
            return hashes
        hashes.append(entry["commitMeta"]["hash"])
        if entry["parentCommitHash"] == ancestor:
            return hashes
    raise AssertionError(f"{ancestor} is not among the last {limit} commits of {ref}")


def merge(from_branch: str, into_branch: str, message: str | None = None) -> dict:
    """Merges the head of `from_branch` into `into_branch` with Nessie's compare-and-swap on both
    hashes; answers the MergeResponse (a conflict is an HttpError 409)."""
    source = reference(from_branch)
    target = reference(into_branch)
    body: dict = {"fromRefName": from_branch, "fromHash": source["hash"]}
    if message is not None:
        body["message"] = message
    return request("POST", _ref_path(f"{into_branch}@{target['hash']}") + "/history/merge", body=body)


# --- Iceberg REST, read directly -------------------------------------------------------------

def _v1(prefix: str, namespace: str, kind: str, name: str) -> str:
    q = urllib.parse.quote
    return f"/v1/{q(prefix, safe='@*')}/namespaces/{q(namespace)}/{kind}/{q(name)}"


def load_table(prefix: str, namespace: str, table: str) -> dict:
    return request("GET", _v1(prefix, namespace, "tables", table))


def load_view(prefix: str, namespace: str, view: str) -> dict:
    return request("GET", _v1(prefix, namespace, "views", view))


# --- Prometheus metrics ----------------------------------------------------------------------

_REQUESTS = re.compile(r'^lakecat_http_requests_total\{([^}]*)\} (\d+(?:\.\d+)?)$')


def http_request_counts() -> dict:
    """Requests served so far, from `GET /metrics`: {(method, route, status): count}. Tests
    compare two readings to see which answers a step caused."""
    req = urllib.request.Request(base_url() + "/metrics")
    with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
        text = resp.read().decode()
    counts = {}
    for line in text.splitlines():
        m = _REQUESTS.match(line)
        if m:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            counts[(labels.get("method"), labels.get("route"), labels.get("status"))] = int(float(m.group(2)))
    return counts
