"""Small clients for what PyIceberg does not cover: lakecat's Nessie API v2 (branches, merges)
and raw Iceberg REST reads (to see the exact JSON a client receives)."""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from pyiceberg.catalog import Catalog, load_catalog

TIMEOUT_S = 30


@dataclass(frozen=True)
class Lakecat:
    url: str

    @staticmethod
    def from_env() -> "Lakecat":
        url = os.environ.get("LAKECAT_URL")
        if not url:
            raise RuntimeError("LAKECAT_URL is not set: run this suite through conformance-tests/with-stack.sh")
        return Lakecat(url.rstrip("/"))

    def catalog(self, branch: str | None, **extra: str) -> Catalog:
        """A PyIceberg REST catalog; `warehouse` names the branch, None means the server's default."""
        props = {"type": "rest", "uri": self.url, **extra}
        if branch is not None:
            props["warehouse"] = branch
        return load_catalog(f"lakecat-{branch or 'default'}", **props)

    # --- Iceberg REST, raw ---

    def config(self, warehouse: str | None = None) -> requests.Response:
        params = {"warehouse": warehouse} if warehouse is not None else {}
        return requests.get(f"{self.url}/v1/config", params=params, timeout=TIMEOUT_S)

    def load_table_json(self, prefix: str, namespace: str, table: str) -> dict[str, Any]:
        r = requests.get(f"{self.url}/v1/{prefix}/namespaces/{namespace}/tables/{table}", timeout=TIMEOUT_S)
        r.raise_for_status()
        # Python's json keeps integers exact at any size, so 63-bit ids survive as they were sent.
        return json.loads(r.text)

    # --- Nessie API v2 ---

    def reference(self, name: str) -> dict[str, Any]:
        r = requests.get(f"{self.url}/api/v2/trees/{name}", timeout=TIMEOUT_S)
        r.raise_for_status()
        return r.json()["reference"]

    def reference_or_none(self, name: str) -> dict[str, Any] | None:
        r = requests.get(f"{self.url}/api/v2/trees/{name}", timeout=TIMEOUT_S)
        if r.status_code == 404:
            return None
        r.raise_for_status()
        return r.json()["reference"]

    def create_branch(self, name: str, source: str = "main") -> dict[str, Any]:
        src = self.reference(source)
        r = requests.post(
            f"{self.url}/api/v2/trees",
            params={"name": name, "type": "BRANCH"},
            json={"type": src["type"], "name": src["name"], "hash": src["hash"]},
            timeout=TIMEOUT_S,
        )
        if r.status_code >= 400:
            raise AssertionError(f"create branch {name}: {r.status_code} {r.text}")
        return r.json()["reference"]

    def create_tag(self, name: str, source: str = "main") -> dict[str, Any]:
        src = self.reference(source)
        r = requests.post(
            f"{self.url}/api/v2/trees",
            params={"name": name, "type": "TAG"},
            json={"type": src["type"], "name": src["name"], "hash": src["hash"]},
            timeout=TIMEOUT_S,
        )
        if r.status_code >= 400:
            raise AssertionError(f"create tag {name}: {r.status_code} {r.text}")
        return r.json()["reference"]

    def ensure_branch(self, name: str, source: str = "main") -> dict[str, Any]:
        return self.reference_or_none(name) or self.create_branch(name, source)

    def content(self, ref: str, ident: tuple[str, ...]) -> dict[str, Any]:
        """The Nessie content of a table or view: type, id, metadataLocation, snapshotId, ..."""
        key = ".".join(part.replace(".", "\u001d") for part in ident)
        r = requests.get(f"{self.url}/api/v2/trees/{ref}/contents/{key}", timeout=TIMEOUT_S)
        r.raise_for_status()
        return json.loads(r.text)["content"]

    def merge(self, from_branch: str, into: str = "main") -> dict[str, Any]:
        """Merges the head of `from_branch` into `into` at its current head; fails on any conflict."""
        source = self.reference(from_branch)
        target = self.reference(into)
        r = requests.post(
            f"{self.url}/api/v2/trees/{into}@{target['hash']}/history/merge",
            json={"fromRefName": from_branch, "fromHash": source["hash"], "message": f"merge {from_branch} into {into}"},
            timeout=TIMEOUT_S,
        )
        if r.status_code >= 400:
            raise AssertionError(f"merge {from_branch} into {into}: {r.status_code} {r.text}")
        body = r.json()
        if not body.get("wasSuccessful") or not body.get("wasApplied"):
            raise AssertionError(f"merge {from_branch} into {into} not applied: {body}")
        return body


def unique(prefix: str) -> str:
    """A name no earlier run used, so the suite can run again against the same catalog."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"
