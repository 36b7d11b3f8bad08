with counted_items as (
    select items.*
    from {{ ref('stg_order_items') }} as items
    inner join {{ ref('stg_orders') }} as orders on orders.order_id = items.order_id
    where orders.status not in ('cancelled', 'returned')
)

select
    products.product_id,
    products.product_name,
    products.category,
    cast(coalesce(sum(counted_items.quantity), 0) as bigint) as units_sold,
    cast(coalesce(sum(counted_items.line_total), 0) as decimal(14, 2)) as revenue,
    count(distinct counted_items.order_id) as order_count
from {{ ref('stg_products') }} as products
left join counted_items on counted_items.product_id = products.product_id
group by 1, 2, 3
