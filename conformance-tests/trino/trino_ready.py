"""Exits 0 once the Trino at argv[1] runs queries on the lakecat catalogs of the branches named
after it (`main dev` -> lakecat_main, lakecat_dev); otherwise prints why
and exits 1 (with-trino.sh polls it). A node that has started may still refuse queries for a few
seconds ("no active worker nodes") until it has announced itself to its own discovery service."""

from __future__ import annotations

import sys
import urllib.parse

import trino


def main(url: str, branches: list[str]) -> int:
    parts = urllib.parse.urlsplit(url)
    conn = trino.dbapi.connect(
        host=parts.hostname, port=parts.port, http_scheme=parts.scheme, user="with-trino", request_timeout=30
    )
    try:
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'")
        if cur.fetchone()[0] < 1:
            print("no active node yet", file=sys.stderr)
            return 1
        for branch in branches:
            cur.execute(f"SHOW SCHEMAS FROM lakecat_{branch}")
            cur.fetchall()
        return 0
    except Exception as err:  # any refusal means "not ready"; the caller shows the last one
        print(f"{type(err).__name__}: {str(err)[:500]}", file=sys.stderr)
        return 1
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
