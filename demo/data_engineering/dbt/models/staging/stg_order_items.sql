{{ config(materialized='incremental', pre_hook="{{ partition_replace('ordered_at') }}") }}

with latest as (
    {{ latest_rows(source('bronze', 'order_items'), 'order_item_id', 'order_item_id',
                   in_partition('ordered_at')) }}
)

select
    cast(latest.order_item_id as integer) as order_item_id,
    cast(latest.order_id as integer) as order_id,
    cast(latest.product_id as integer) as product_id,
    products.category,
    cast(latest.quantity as integer) as quantity,
    cast(latest.unit_price as decimal(10, 2)) as unit_price,
    cast(latest.quantity * latest.unit_price as decimal(12, 2)) as line_total,
    cast(latest.ordered_at as timestamp) as ordered_at
from latest
-- the product dimension, whole: built before a day's lines, and read by their tests
left join {{ ref('stg_products') }} as products on products.product_id = latest.product_id
where latest.quantity > 0
