{#-
  The partition a run covers, from the dbt vars floe passes (`partition_start` and
  `partition_end`, UTC, half open), as a filter on `column`; `true` without them (a plain
  `dbt build` processes every row).
-#}
{% macro in_partition(column) -%}
    {%- if var('partition_start', none) is not none -%}
        {{ column }} >= cast('{{ var("partition_start") }}' as timestamp)
        and {{ column }} < cast('{{ var("partition_end") }}' as timestamp)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#-
  Config of a daily-partitioned model: incremental, and a run first deletes the rows of its own
  partition, so re-running a day replaces that day and leaves every other day alone.
-#}
{% macro partition_replace(column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_partition(column) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
