"""A few direct calls to lakecat's Nessie API v2, so the tests check what Spark did against the
server's own answer instead of only against Spark's output. Standard library only."""

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


def api_url() -> str:
    return os.environ["LAKECAT_URL"].rstrip("/") + "/api/v2"


def request(method: str, path: str, body=None, query=None):
    url = api_url() + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
    except urllib.error.HTTPError as e:
        raise HttpError(method, url, e.code, e.read().decode()) from None
    return json.loads(text) if text else None


def reference(name: str) -> dict:
    """The reference `name` as Nessie's `GET /trees/{ref}` answers it: {type, name, hash}."""
    return request("GET", "/trees/" + urllib.parse.quote(name, safe=""))["reference"]


def references() -> dict:
    """Every reference by name."""
    return {r["name"]: r for r in request("GET", "/trees")["references"]}


def entry_keys(ref: str) -> list:
    """The content keys on `ref`, as dotted names, with their content type."""
    entries = request("GET", "/trees/" + urllib.parse.quote(ref, safe="") + "/entries")["entries"]
    return sorted((".".join(e["name"]["elements"]), e["type"]) for e in entries)
