{#-
    Churn features: one row per customer per as-of date (grain: customer_key x as_of_date),
    point-in-time correct: a row's features use only what was known at the end of its as-of
    date (UTC), and its label only what happened in the `churn_window_days` after it.

    A thin model: the rows are those of ml_customer_as_of_dates (which dates, which customers,
    and why), the features come from one model per family, each with its own point-in-time
    rules in its header:
      - ml_customer_order_features   recency, frequency and monetary value, tenure
      - ml_customer_web_features     sessions and purchase rate in the last 30 days, device
      - ml_customer_review_features  reviews and their rating
      - ml_customer_churn_labels     the label
    Each has one row per row of the spine; here they are joined, segmented, one-hot encoded
    and standardized.

    Segment, from the order history as of the date, first rule that applies:
      prospect  no order yet
      lapsed    the last order more than `churn_window_days` before the date (the label's
                churn, seen backwards)
      new       every order in the last 90 days (first order < 90 days ago)
      loyal     at least 12 orders in the last 365 days (about one a month)
      active    the others

    One-hot columns country_<code>, device_<type>, segment_<name> are 0/1 integers. Their
    lists are fixed below, not read from the countries seed with run_query: the enforced
    contract declares every column in the yml anyway (a new country needs a yml change
    whatever the SQL does), a fixed list keeps the model compilable without a warehouse
    (sqlfluff, unit tests) and the same on every adapter, and the singular test
    assert_ml_customer_features_one_hot_encodings fails when the seed or the customers gain a
    country the list lacks.

    Standardized features <feature>_z = (value - mean) / stddev (sample), mean and stddev
    over the training window only (is_label_complete rows), applied to every row, the scoring
    rows too, so that nothing about the scoring period leaks into the scaling. A stddev of 0
    or null gives 0; a null value (no order yet: days_since_last_order, ...) stays null.
-#}

{%- set churn_window_days = var('churn_window_days') -%}
{%- set loyal_min_orders_365d = 12 -%}

{#- The countries of the countries seed (see the header for why the list is fixed). -#}
{%- set country_codes = [
    'AT', 'AU', 'BE', 'BR', 'CA', 'CH', 'DE', 'DK', 'ES', 'FR',
    'GB', 'IE', 'IT', 'JP', 'MX', 'NL', 'PL', 'PT', 'SE', 'US',
] -%}
{#- fct_sessions' accepted device types, and 'unknown' for a customer without sessions. -#}
{%- set device_types = ['desktop', 'mobile_web', 'ios', 'android', 'unknown'] -%}
{%- set segments = ['prospect', 'new', 'active', 'loyal', 'lapsed'] -%}
{%- set numeric_features = [
    'days_since_last_order',
    'days_since_first_order',
    'tenure_days',
    'order_count',
    'order_count_90d',
    'order_count_365d',
    'monetary_90d',
    'monetary_365d',
    'monetary_lifetime',
    'avg_order_value',
    'session_count_30d',
    'purchase_session_rate_30d',
    'avg_session_duration_30d',
    'review_count',
    'avg_rating',
] -%}

with

as_of_dates as (
    select * from {{ ref('ml_customer_as_of_dates') }}
),

order_features as (
    select * from {{ ref('ml_customer_order_features') }}
),

web_features as (
    select * from {{ ref('ml_customer_web_features') }}
),

review_features as (
    select * from {{ ref('ml_customer_review_features') }}
),

churn_labels as (
    select * from {{ ref('ml_customer_churn_labels') }}
),

-- the spine with every family's features (each family has one row per row of the spine)
features as (
    select
        as_of_dates.customer_key,
        as_of_dates.as_of_date,
        as_of_dates.country_code,
        as_of_dates.is_label_complete,
        order_features.days_since_last_order,
        order_features.days_since_first_order,
        order_features.tenure_days,
        order_features.order_count,
        order_features.order_count_90d,
        order_features.order_count_365d,
        order_features.monetary_90d,
        order_features.monetary_365d,
        order_features.monetary_lifetime,
        order_features.avg_order_value,
        web_features.session_count_30d,
        web_features.purchase_session_rate_30d,
        web_features.avg_session_duration_30d,
        web_features.device,
        review_features.review_count,
        review_features.avg_rating,
        churn_labels.is_churned
    from as_of_dates
    left join order_features using (customer_key, as_of_date)
    left join web_features using (customer_key, as_of_date)
    left join review_features using (customer_key, as_of_date)
    left join churn_labels using (customer_key, as_of_date)
),

segmented as (
    select
        *,
        case
            when order_count = 0 then 'prospect'
            when days_since_last_order > {{ churn_window_days }} then 'lapsed'
            when days_since_first_order < 90 then 'new'
            when order_count_365d >= {{ loyal_min_orders_365d }} then 'loyal'
            else 'active'
        end as segment
    from features
),

-- mean and sample standard deviation of each numeric feature over the training window only
training_stats as (
    select
        {%- for feature in numeric_features %}
        avg(cast({{ feature }} as double precision)) as {{ feature }}_mean,
        stddev_samp(cast({{ feature }} as double precision))
            as {{ feature }}_stddev,
        {%- endfor %}
        -- the training window's size (and the last column after the loop's commas)
        count(*) as training_row_count
    from segmented
    where is_label_complete
),

-- the features standardized with the training window's statistics, and the one-hot encodings
encoded as (
    select
        segmented.*,
        {%- for feature in numeric_features %}
        case
            when segmented.{{ feature }} is null then null
            when coalesce(training_stats.{{ feature }}_stddev, 0) = 0 then 0
            else
                (segmented.{{ feature }} - training_stats.{{ feature }}_mean)
                / training_stats.{{ feature }}_stddev
        end as {{ feature }}_z,
        {%- endfor %}
        {%- for country_code in country_codes %}
        case when segmented.country_code = '{{ country_code }}' then 1 else 0 end
            as country_{{ country_code | lower }},
        {%- endfor %}
        {%- for device_type in device_types %}
        case when segmented.device = '{{ device_type }}' then 1 else 0 end
            as device_{{ device_type }},
        {%- endfor %}
        {%- for segment in segments %}
        case when segmented.segment = '{{ segment }}' then 1 else 0 end
            as segment_{{ segment }},
        {%- endfor %}
        -- the training window's size (and the last column after the loops' commas)
        training_stats.training_row_count
    from segmented
    cross join training_stats
),

final as (
    select
        {{ contract_columns() }}
    from encoded
)

select * from final
