with order_totals as (
    select
        orders.order_id,
        orders.customer_id,
        orders.status,
        orders.ordered_at,
        coalesce(sum(items.line_total), 0) as order_total
    from {{ ref('stg_orders') }} as orders
    left join {{ ref('stg_order_items') }} as items on items.order_id = orders.order_id
    group by 1, 2, 3, 4
)

select
    customers.customer_id,
    customers.email,
    customers.country,
    count(order_totals.order_id) as order_count,
    count(order_totals.order_id) filter (where order_totals.status = 'completed')
        as completed_order_count,
    cast(
        coalesce(
            sum(order_totals.order_total)
                filter (where order_totals.status not in ('cancelled', 'returned')),
            0
        ) as decimal(14, 2)
    ) as lifetime_revenue,
    min(order_totals.ordered_at) as first_ordered_at,
    max(order_totals.ordered_at) as last_ordered_at
from {{ ref('stg_customers') }} as customers
left join order_totals on order_totals.customer_id = customers.customer_id
group by 1, 2, 3
