"""A `lakecat serve` process this suite starts, kills with SIGKILL and restarts, on the PostgreSQL
and MinIO that run.sh started. Each `Stack` has its own database and warehouse folder."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
import uuid
from typing import Any

import requests
from pyiceberg.catalog import Catalog, load_catalog

TIMEOUT_S = 60


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run this suite through conformance-tests/gc/run.sh")
    return value


class Stack:
    def __init__(self) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.db = f"lakecat_gc_{self.id}"
        admin = _env("LAKECAT_TEST_PG_URL")
        subprocess.run([_env("LAKECAT_TEST_PSQL"), admin, "-qc", f"CREATE DATABASE {self.db}"], check=True)
        self.db_url = admin.rsplit("/", 1)[0] + "/" + self.db
        self.bucket = _env("LAKECAT_TEST_S3_BUCKET")
        self.warehouse = f"s3://{self.bucket}/gc-{self.id}"
        self.data_dir = tempfile.mkdtemp(prefix="lakecat-gc-")
        self.log = os.path.join(self.data_dir, "lakecat.log")
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> "Stack":
        repo = _env("LAKECAT_REPO")
        out = open(self.log, "ab")
        offset = out.tell()  # a restart appends: read only what this process writes
        self.proc = subprocess.Popen(
            [
                "node", f"{repo}/bin/lakecat.mjs", "serve", "--port", "0", "--data-dir", self.data_dir,
                "--db-url", self.db_url, "--warehouse", self.warehouse,
                "--s3-endpoint", _env("LAKECAT_TEST_S3_ENDPOINT"), "--s3-region", os.environ.get("LAKECAT_TEST_S3_REGION", "us-east-1"),
                "--s3-path-style", "true", "--s3-access-key-id", _env("LAKECAT_TEST_S3_ACCESS_KEY"),
                "--s3-secret-access-key", _env("LAKECAT_TEST_S3_SECRET_KEY"), "--vend-credentials", "true",
            ],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "LAKECAT_LOG_REQUESTS": "false", "NODE_NO_WARNINGS": "1"},
        )
        deadline = time.time() + TIMEOUT_S
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"lakecat exited with {self.proc.returncode}:\n{self.tail()}")
            with open(self.log, "rb") as f:
                f.seek(offset)
                found = re.findall(r'"url":"(http://[^"]+)"', f.read().decode("utf-8", "replace"))
            if found:
                self.url = found[-1]
                return self
            time.sleep(0.1)
        raise RuntimeError(f"lakecat did not start:\n{self.tail()}")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def tail(self) -> str:
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()[-4000:]

    # --- clients ---

    def catalog(self, ref: str = "main") -> Catalog:
        return load_catalog(f"gc-{self.id}-{ref}-{uuid.uuid4().hex[:6]}", type="rest", uri=self.url, warehouse=ref)

    def call(self, method: str, path: str, body: Any = None, expect: int | tuple[int, ...] = (200, 201, 204)) -> Any:
        r = requests.request(method, f"{self.url}{path}", json=body, timeout=600)
        allowed = expect if isinstance(expect, tuple) else (expect,)
        assert r.status_code in allowed, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.text else None

    def head(self, ref: str) -> str:
        return self.call("GET", f"/api/v2/trees/{ref}")["reference"]["hash"]

    def create_ref(self, name: str, kind: str, source: str = "main") -> None:
        self.call("POST", f"/api/v2/trees?name={name}&type={kind}", {"type": "BRANCH", "name": source, "hash": self.head(source)})

    def delete_ref(self, name: str) -> None:
        self.call("DELETE", f"/api/v2/trees/{name}@{self.head(name)}")

    def policy(self, pattern: str, ref_type: str = "BRANCH", retain_ms: int = 0, commits: int = 1, grace_ms: int = 0) -> None:
        self.call("PUT", "/api/lakecat/v1/gc/policies", {"refType": ref_type, "pattern": pattern, "retainMs": retain_ms, "retainCommits": commits, "deletedGraceMs": grace_ms})

    def gc(self, **options: Any) -> dict:
        body = {"writerGraceMs": 0, "allowShortGrace": True, **options}
        report = self.call("POST", "/api/lakecat/v1/gc/runs", body, expect=(200, 201))
        assert report["safety"]["candidatesReferencedByAHead"] == 0, report
        assert report["totals"]["failedDeletes"] == 0, report
        return report
