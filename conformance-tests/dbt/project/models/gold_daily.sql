-- Gold: daily statistics per patient.
select d.patient, cast(s.taken_at as date) as day, count(*) as readings, avg(s.glucose_mg_dl) as mean_mg_dl
from {{ ref('silver_readings') }} s
join {{ ref('devices') }} d on d.device = s.device
group by 1, 2
