{{ config(materialized='table') }}  -- a dimension: whole in every run

with latest as (
    {{ latest_rows(source('bronze', 'customers'), 'customer_id', 'updated_at') }}
)

select
    cast(customer_id as integer) as customer_id,
    trim(first_name) as first_name,
    trim(last_name) as last_name,
    lower(trim(email)) as email,
    upper(trim(country)) as country,
    cast(signup_date as date) as signup_date,
    cast(updated_at as timestamp) as updated_at
from latest
