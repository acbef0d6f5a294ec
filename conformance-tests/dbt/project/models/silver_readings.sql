-- Silver: one reading per device and time, plausible values only; later batches correct
-- earlier ones (incremental, merge on the key).
{{ config(materialized='incremental', incremental_strategy='merge', unique_key='reading_id') }}
select
  device || '@' || cast(taken_at as varchar) as reading_id,
  device,
  taken_at,
  max_by(glucose_mg_dl, batch) as glucose_mg_dl,
  max(batch) as batch
from {{ ref('bronze_readings') }}
where glucose_mg_dl between 20 and 600
{% if is_incremental() %}
  and batch > (select coalesce(max(batch), 0) from {{ this }})
{% endif %}
group by device, taken_at
