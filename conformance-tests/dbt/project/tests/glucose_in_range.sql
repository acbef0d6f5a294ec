-- A singular test: silver holds no implausible reading.
select * from {{ ref('silver_readings') }} where glucose_mg_dl not between 20 and 600
