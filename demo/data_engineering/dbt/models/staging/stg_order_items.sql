{{ config(materialized='incremental', pre_hook="{{ partition_replace('ordered_at') }}") }}

with latest as (
    {{ latest_rows(source('bronze', 'order_items'), 'order_item_id', 'order_item_id',
                   in_partition('ordered_at')) }}
)

select
    cast(order_item_id as integer) as order_item_id,
    cast(order_id as integer) as order_id,
    cast(product_id as integer) as product_id,
    cast(quantity as integer) as quantity,
    cast(unit_price as decimal(10, 2)) as unit_price,
    cast(quantity * unit_price as decimal(12, 2)) as line_total,
    cast(ordered_at as timestamp) as ordered_at
from latest
where quantity > 0
