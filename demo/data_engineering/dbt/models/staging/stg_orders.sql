with ranked as (
    select
        *,
        row_number() over (partition by order_id order by updated_at desc) as version_rank
    from {{ source('bronze', 'orders') }}
)

select
    cast(order_id as integer) as order_id,
    cast(customer_id as integer) as customer_id,
    lower(trim(status)) as status,
    cast(ordered_at as timestamp) as ordered_at,
    cast(updated_at as timestamp) as updated_at
from ranked
where version_rank = 1
