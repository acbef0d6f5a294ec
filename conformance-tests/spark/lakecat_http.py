"""Small HTTP helpers for the parts of lakecat that Spark does not reach: the Nessie API v2
(branches, merges) and the Iceberg REST API read directly (table and view metadata as stored)."""

import json
import os
import urllib.error
import urllib.parse
import urllib.request


class HttpError(Exception):
    def __init__(self, method: str, url: str, status: int, body: str):
        super().__init__(f"{method} {url} -> {status}: {body}")
        self.status = status
        self.body = body


def base_url() -> str:
    return os.environ["LAKECAT_URL"].rstrip("/")


def request(method: str, path: str, body=None, query=None):
    url = base_url() + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            text = resp.read().decode()
    except urllib.error.HTTPError as err:
        raise HttpError(method, url, err.code, err.read().decode()) from None
    return json.loads(text) if text else None


# --- Nessie API v2 -----------------------------------------------------------------------

def reference(name: str) -> dict:
    return request("GET", f"/api/v2/trees/{urllib.parse.quote(name, safe='')}")["reference"]


def ensure_branch(name: str, from_ref: str = "main") -> dict:
    """The branch `name`, created from the head of `from_ref` when it does not exist yet."""
    try:
        return reference(name)
    except HttpError as err:
        if err.status != 404:
            raise
    return create_reference(name, "BRANCH", reference(from_ref))


def create_reference(name: str, ref_type: str, source: dict) -> dict:
    """A new branch or tag (`ref_type` BRANCH or TAG) at the hash of the `source` reference."""
    created = request(
        "POST",
        "/api/v2/trees",
        body={"type": source["type"], "name": source["name"], "hash": source["hash"]},
        query={"name": name, "type": ref_type},
    )
    return created["reference"]


def merge(from_branch: str, into_branch: str) -> dict:
    """Merges the head of `from_branch` into `into_branch` with Nessie's compare-and-swap on both hashes."""
    source = reference(from_branch)
    target = reference(into_branch)
    return request(
        "POST",
        f"/api/v2/trees/{urllib.parse.quote(into_branch, safe='')}@{target['hash']}/history/merge",
        body={"fromRefName": from_branch, "fromHash": source["hash"]},
    )


# --- Iceberg REST, read directly -----------------------------------------------------------

def load_table(prefix: str, namespace: str, table: str) -> dict:
    return request("GET", f"/v1/{prefix}/namespaces/{urllib.parse.quote(namespace)}/tables/{urllib.parse.quote(table)}")


def load_view(prefix: str, namespace: str, view: str) -> dict:
    return request("GET", f"/v1/{prefix}/namespaces/{urllib.parse.quote(namespace)}/views/{urllib.parse.quote(view)}")
