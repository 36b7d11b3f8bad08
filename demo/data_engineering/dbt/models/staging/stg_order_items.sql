with ranked as (
    select
        *,
        row_number() over (partition by order_item_id order by order_item_id) as version_rank
    from {{ source('bronze', 'order_items') }}
)

select
    cast(order_item_id as integer) as order_item_id,
    cast(order_id as integer) as order_id,
    cast(product_id as integer) as product_id,
    cast(quantity as integer) as quantity,
    cast(unit_price as decimal(10, 2)) as unit_price,
    cast(quantity * unit_price as decimal(12, 2)) as line_total
from ranked
where version_rank = 1
  and quantity > 0
