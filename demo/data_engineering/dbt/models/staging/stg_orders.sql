{{ config(materialized='incremental', pre_hook="{{ partition_replace('ordered_at') }}") }}

with latest as (
    {{ latest_rows(source('bronze', 'orders'), 'order_id', 'updated_at',
                   in_partition('ordered_at')) }}
)

select
    cast(latest.order_id as integer) as order_id,
    cast(latest.customer_id as integer) as customer_id,
    customers.country as customer_country,
    lower(trim(latest.status)) as status,
    cast(latest.ordered_at as timestamp) as ordered_at,
    cast(latest.updated_at as timestamp) as updated_at
from latest
-- the customer dimension, whole: built before a day's orders, and read by their tests
left join {{ ref('stg_customers') }} as customers on customers.customer_id = latest.customer_id
