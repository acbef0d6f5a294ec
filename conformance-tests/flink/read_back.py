"""Run by the Flink suite with PyIceberg's interpreter (PyFlink pins an older pyarrow than
PyIceberg needs): prints a table on a branch as JSON, its rows and its snapshots' summaries."""
import json
import sys

from pyiceberg.catalog import load_catalog

uri, branch, namespace, table = sys.argv[1:5]
t = load_catalog("read-back", type="rest", uri=uri, warehouse=branch).load_table((namespace, table))
rows = t.scan().to_arrow().sort_by("id").to_pylist()
snapshots = [dict(s.summary.additional_properties, operation=s.summary.operation.value) for s in t.snapshots()]
print(json.dumps({"rows": rows, "snapshots": snapshots}))
