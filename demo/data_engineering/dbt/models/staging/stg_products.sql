{{ config(materialized='table') }}  -- a dimension: whole in every run

with latest as (
    {{ latest_rows(source('bronze', 'products'), 'product_id', 'product_id') }}
)

select
    cast(product_id as integer) as product_id,
    trim(name) as product_name,
    lower(trim(category)) as category,
    cast(price as decimal(10, 2)) as price,
    cast(added_on as date) as added_on
from latest
