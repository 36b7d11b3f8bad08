{{ config(materialized='incremental', pre_hook="{{ partition_replace('added_on') }}") }}

with latest as (
    {{ latest_rows(source('bronze', 'products'), 'product_id', 'product_id',
                   in_partition('added_on')) }}
)

select
    cast(product_id as integer) as product_id,
    trim(name) as product_name,
    lower(trim(category)) as category,
    cast(price as decimal(10, 2)) as price,
    cast(added_on as date) as added_on
from latest
