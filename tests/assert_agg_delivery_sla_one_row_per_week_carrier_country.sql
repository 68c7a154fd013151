-- agg_delivery_sla's primary key is (week_start, carrier, ship_to_country_code): fails with
-- every combination that appears more than once.
select
    week_start,
    carrier,
    ship_to_country_code,
    count(*) as row_count
from {{ ref('agg_delivery_sla') }}
group by week_start, carrier, ship_to_country_code
having count(*) > 1
