-- ml_customer_features' grain is (customer_key, as_of_date): fails with every pair that
-- appears more than once.
select
    customer_key,
    as_of_date,
    count(*) as row_count
from {{ ref('ml_customer_features') }}
group by customer_key, as_of_date
having count(*) > 1
