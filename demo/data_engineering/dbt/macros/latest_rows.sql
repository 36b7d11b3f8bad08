{#- One row per `key`: the latest by `order_by` (bronze tables receive updates as new rows),
    among the rows that match `where`. -#}
{% macro latest_rows(relation, key, order_by, where='true') -%}
    select * exclude (version_rank)
    from (
        select
            *,
            row_number() over (partition by {{ key }} order by {{ order_by }} desc) as version_rank
        from {{ relation }}
        where {{ where }}
    )
    where version_rank = 1
{%- endmacro %}
