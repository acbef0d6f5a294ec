-- Bronze: the raw readings up to the batch being loaded (var `batch`), as they arrived.
select device, taken_at, glucose_mg_dl, batch
from {{ ref('raw_readings') }}
where batch <= {{ var('batch', 1) }}
