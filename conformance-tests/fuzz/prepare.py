"""Writes the Iceberg REST spec as the fuzzer reads it, with the spec's own defects fixed and
nothing else changed (each fix says why):

- The view operations' 404 responses point at `ErrorModel`, while the spec's own example for
  them (`NoSuchViewError`) and every other operation answer errors in the `{"error": {...}}`
  wrapper (`IcebergErrorResponse`), which is what Iceberg Java's error handler reads and what
  lakecat sends. They are pointed at the wrapper.

It also adds what the spec leaves out and the stateful phase needs (a test-time addition, not
a fix): OpenAPI links from the operations that create a namespace, table or view to those that
read, change and drop it, so that chains like create namespace -> create table -> commit ->
load -> drop run with names that exist and fuzzed bodies reach deep code.

With a third argument it also writes the same document for the routes without a prefix
(`/v1/namespaces/...`, lakecat's default branch), which the spec describes only through
`/v1/{prefix}/...`.

Usage: prepare.py SPEC OUT [OUT_WITHOUT_PREFIX]
"""
import copy
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

# operationId -> (path, method)
operations = {}
for path, item in spec["paths"].items():
    for method, op in item.items():
        if isinstance(op, dict) and "operationId" in op:
            operations[op["operationId"]] = op

NS_FROM_BODY = {"prefix": "$request.path.prefix", "namespace": "$response.body#/namespace/0"}
TABLE_FROM_CREATE = {"prefix": "$request.path.prefix", "namespace": "$request.path.namespace", "table": "$request.body#/name"}
VIEW_FROM_CREATE = {"prefix": "$request.path.prefix", "namespace": "$request.path.namespace", "view": "$request.body#/name"}
TABLE_FROM_PATH = {"prefix": "$request.path.prefix", "namespace": "$request.path.namespace", "table": "$request.path.table"}
LINKS = {
    "createNamespace": (NS_FROM_BODY, ["createTable", "createView", "loadNamespaceMetadata", "namespaceExists", "updateProperties", "listTables", "listViews", "dropNamespace", "registerTable"]),
    "createTable": (TABLE_FROM_CREATE, ["loadTable", "updateTable", "tableExists", "loadCredentials", "reportMetrics", "unregisterTable", "dropTable"]),
    "updateTable": (TABLE_FROM_PATH, ["loadTable", "updateTable", "dropTable"]),
    "createView": (VIEW_FROM_CREATE, ["loadView", "replaceView", "viewExists", "dropView"]),
}


def with_components(response):
    """The response itself, with a reference to components/responses copied in (links cannot sit beside a $ref)."""
    ref = response.get("$ref", "")
    if ref.startswith("#/components/responses/"):
        return copy.deepcopy(spec["components"]["responses"][ref.rsplit("/", 1)[1]])
    return response


linked = 0
for source, (parameters, targets) in LINKS.items():
    op = operations[source]
    ok = 200 if 200 in op["responses"] else "200"
    response = with_components(op["responses"][ok])
    links = response.setdefault("links", {})
    for target in targets:
        links[f"to_{target}"] = {"operationId": target, "parameters": dict(parameters)}
        linked += 1
    op["responses"][ok] = response

yaml.safe_dump(spec, open(sys.argv[2], "w"), sort_keys=False)

if len(sys.argv) > 3:
    PREFIX_REF = "#/components/parameters/prefix"

    def without_prefix(node):
        """Drops the prefix parameter (and link parameters naming it) everywhere below node."""
        if isinstance(node, dict):
            params = node.get("parameters")
            if isinstance(params, list):
                node["parameters"] = [p for p in params if not (isinstance(p, dict) and (p.get("$ref") == PREFIX_REF or (p.get("in") == "path" and p.get("name") == "prefix")))]
            elif isinstance(params, dict):
                params.pop("prefix", None)
            for v in node.values():
                without_prefix(v)
        elif isinstance(node, list):
            for v in node:
                without_prefix(v)

    plain = copy.deepcopy(spec)
    plain["paths"] = {path.replace("/v1/{prefix}/", "/v1/"): item for path, item in plain["paths"].items()}
    without_prefix(plain["paths"])
    yaml.safe_dump(plain, open(sys.argv[3], "w"), sort_keys=False)
print(f"fuzz: spec prepared ({fixed} error responses pointed at IcebergErrorResponse, {linked} links added)", file=sys.stderr)
