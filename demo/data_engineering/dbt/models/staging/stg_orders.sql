{{ config(materialized='incremental', pre_hook="{{ partition_replace('ordered_at') }}") }}

with latest as (
    {{ latest_rows(source('bronze', 'orders'), 'order_id', 'updated_at',
                   in_partition('ordered_at')) }}
)

select
    cast(order_id as integer) as order_id,
    cast(customer_id as integer) as customer_id,
    lower(trim(status)) as status,
    cast(ordered_at as timestamp) as ordered_at,
    cast(updated_at as timestamp) as updated_at
from latest
