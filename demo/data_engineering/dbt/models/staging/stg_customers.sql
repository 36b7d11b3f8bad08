{{ config(materialized='incremental', pre_hook="{{ partition_replace('signup_date') }}") }}

with latest as (
    {{ latest_rows(source('bronze', 'customers'), 'customer_id', 'updated_at',
                   in_partition('signup_date')) }}
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
