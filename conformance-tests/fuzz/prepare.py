"""Writes the Iceberg REST spec as the fuzzer reads it, with the spec's own defects fixed and
nothing else changed (each fix says why):

- The view operations' 404 responses point at `ErrorModel`, while the spec's own example for
  them (`NoSuchViewError`) and every other operation answer errors in the `{"error": {...}}`
  wrapper (`IcebergErrorResponse`), which is what Iceberg Java's error handler reads and what
  lakecat sends. They are pointed at the wrapper.

Usage: prepare.py SPEC OUT
"""
import sys

import yaml

spec = yaml.safe_load(open(sys.argv[1]))
fixed = 0
for path, item in spec["paths"].items():
    for method, op in item.items():
        if not isinstance(op, dict):
            continue
        for status, response in op.get("responses", {}).items():
            schema = response.get("content", {}).get("application/json", {}).get("schema", {}) if isinstance(response, dict) else {}
            if str(status) != "200" and schema.get("$ref") == "#/components/schemas/ErrorModel":
                schema["$ref"] = "#/components/schemas/IcebergErrorResponse"
                fixed += 1
yaml.safe_dump(spec, open(sys.argv[2], "w"), sort_keys=False)
print(f"fuzz: spec prepared ({fixed} error responses pointed at IcebergErrorResponse)", file=sys.stderr)
