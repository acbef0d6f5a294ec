"""Creates the resources the spec's examples name, so that fuzzed requests reach existing
namespaces, tables and views instead of stopping at a 404: namespaces `accounting` and
`accounting.tax`, a table `sales` in the first, a view `sales` in the second.

Usage: seed.py LAKECAT_URL
"""
import json
import sys
import urllib.request

url = sys.argv[1].rstrip("/")


def post(path, body):
    req = urllib.request.Request(f"{url}/v1/main{path}", method="POST", data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status
    except urllib.error.HTTPError as e:
        if e.code != 409:  # already there from an earlier run
            raise
        return e.code


schema = {"type": "struct", "schema-id": 0, "fields": [{"id": 1, "name": "id", "required": False, "type": "long"}, {"id": 2, "name": "amount", "required": False, "type": "double"}]}
post("/namespaces", {"namespace": ["accounting"]})
post("/namespaces", {"namespace": ["accounting", "tax"]})
post("/namespaces/accounting/tables", {"name": "sales", "schema": schema})
post(
    "/namespaces/accounting%1Ftax/views",
    {
        "name": "sales",
        "schema": schema,
        "view-version": {"version-id": 1, "timestamp-ms": 0, "schema-id": 0, "summary": {}, "representations": [{"type": "sql", "sql": "select 1", "dialect": "spark"}], "default-namespace": ["accounting"]},
    },
)
# A branch `fuzz` (the Nessie document's example for merges and diffs) with one commit of its own.
try:
    urllib.request.urlopen(urllib.request.Request(f"{url}/api/v2/trees?name=fuzz&type=BRANCH", method="POST", data=json.dumps({"type": "BRANCH", "name": "main"}).encode(), headers={"content-type": "application/json"}))
except urllib.error.HTTPError as e:
    if e.code != 409:
        raise
req = urllib.request.Request(f"{url}/v1/fuzz/namespaces", method="POST", data=json.dumps({"namespace": ["on_fuzz"]}).encode(), headers={"content-type": "application/json"})
try:
    urllib.request.urlopen(req)
except urllib.error.HTTPError as e:
    if e.code != 409:
        raise
print("fuzz: seeded accounting.sales (table), accounting.tax.sales (view) and branch fuzz", file=sys.stderr)
