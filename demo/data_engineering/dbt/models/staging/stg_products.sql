with ranked as (
    select
        *,
        row_number() over (partition by product_id order by product_id) as version_rank
    from {{ source('bronze', 'products') }}
)

select
    cast(product_id as integer) as product_id,
    trim(name) as product_name,
    lower(trim(category)) as category,
    cast(price as decimal(10, 2)) as price
from ranked
where version_rank = 1
