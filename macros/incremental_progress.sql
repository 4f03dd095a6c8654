{#- The progress models (int_plan_progress__judged, int_progress__assessed, fct_plan_progress,
    fct_progress_assessment) are incremental on DuckDB and PostgreSQL: a build re-derives only the slices whose
    inputs changed. Every row stores the fingerprint of its spine row (int_plan_progress__spine.input_fingerprint:
    the actual, the targets, the share, the baselines, the parent region, the thresholds). A row's result depends
    on its own spine row, on the earlier years of its series (running totals, projections, the growth base) and on
    the other regions of the same indicator and year (county sums, a region's parent value); so a changed spine row
    of year Y makes the model rebuild every region of that plan and indicator from year Y on. A new year rebuilds
    one year; a county's revision of 2024 rebuilds 2024–2025 of that indicator; a changed seed changes the
    fingerprints it feeds and rebuilds what it touches. On Spark the models are tables rebuilt whole (plain Parquet
    tables have no delete+insert), as int_observations__vintages is. -#}

{#- the materialization of a progress model: incremental except on Spark -#}
{% macro progress_materialization() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro %}

{#- The SQL of the progress models as one text (their checksums, sorted): part of every spine fingerprint, so the
    first build after their SQL changed rebuilds every row, once. A change in a macro they call is not seen here:
    build with --full-refresh after one. Empty while dbt parses (the graph is filled for execution). -#}
{% macro progress_code_version() -%}
    {%- set models = ['int_plan_progress__spine', 'int_plan_progress__judged', 'int_progress__assessed',
                      'fct_plan_progress', 'fct_progress_assessment'] -%}
    {%- set checksums = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name in models
                and node.package_name == project_name -%}
            {%- do checksums.append(node.name ~ ':' ~ node.checksum.checksum) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(checksums | sort | join(',')) }}
{%- endmacro %}

{#- a text fingerprint of a row's values, NULLs included: equal inputs give equal fingerprints on one engine -#}
{% macro row_fingerprint(expressions) -%}
    {{ return(adapter.dispatch('row_fingerprint', 'planwatch')(expressions)) }}
{%- endmacro %}

{% macro default__row_fingerprint(expressions) -%}
    md5(concat_ws('|'{% for e in expressions %}, coalesce(cast({{ e }} as {{ text_type() }}), '\u2205'){% endfor %}))
{%- endmacro %}

{#- DuckDB's hash() of the values themselves (NULL hashes apart from any value): ten times cheaper than md5 of a
    text, and a DuckDB upgrade that changed it would only make one build rebuild everything -#}
{% macro duckdb__row_fingerprint(expressions) -%}
    cast(hash({{ expressions | join(', ') }}) as varchar)
{%- endmacro %}

{#- Select: for each plan × indicator with a row of `upstream` that is new or changed since `model` was built, the
    first year to rebuild. `upstream` is the model's input that carries the spine's fingerprints: the spine for
    int_plan_progress__judged, judged for the models that read it (after judged's build its fingerprints are the
    spine's), int_progress__assessed for fct_progress_assessment (`key` then includes the method).
    `one_row_each`: the model has one row for each upstream row (not int_progress__assessed, which has one per
    method for each row of judged); on DuckDB the two sides are then compared year by year instead of row by row. -#}
{% macro progress_rebuild_slices(upstream, model, key=['plan_code', 'indicator_code', 'region_code', 'year'],
                                 one_row_each=true) -%}
    {%- if one_row_each and target.type == 'duckdb' -%}
        {{ progress_rebuild_slices_by_year(upstream, model, key) }}
    {%- else -%}
    select upstream.plan_code, upstream.indicator_code, min(upstream.year) as from_year
    from {{ upstream }} as upstream
    left join {{ model }} as built
        on {% for column in key %}built.{{ column }} = upstream.{{ column }}{% if not loop.last %} and {% endif %}{% endfor %}
    where built.input_fingerprint is null or built.input_fingerprint <> upstream.input_fingerprint
    group by upstream.plan_code, upstream.indicator_code
    {%- endif -%}
{%- endmacro %}

{#- progress_rebuild_slices on DuckDB, where the model has a row for each upstream row: each side summarised per plan
    × indicator × year (its rows and the sum of a hash of each row's other key columns and fingerprint), and the
    first year whose summaries differ. Two aggregates into a few thousand groups instead of a join of two tables of
    millions of rows (at national scale fct_progress_assessment's join of 9.6 million rows on each side took 3 of
    its 7 seconds). A row gone from upstream also marks its year: delete_rows_not_in removes it either way. Two
    different sets of rows with equal sums would need a 64-bit hash collision. -#}
{% macro progress_rebuild_slices_by_year(upstream, model, key) -%}
    {%- set row_columns = key | reject('in', ['plan_code', 'indicator_code', 'year']) | list -%}
    select
        coalesce(upstream.plan_code, built.plan_code) as plan_code,
        coalesce(upstream.indicator_code, built.indicator_code) as indicator_code,
        min(coalesce(upstream.year, built.year)) as from_year
    from ({{ rows_per_slice_year(upstream, row_columns + ['input_fingerprint']) }}) as upstream
    full join ({{ rows_per_slice_year(model, row_columns + ['input_fingerprint']) }}) as built
        on built.plan_code = upstream.plan_code and built.indicator_code = upstream.indicator_code
        and built.year = upstream.year
    where built.n_rows is distinct from upstream.n_rows or built.rows_hash is distinct from upstream.rows_hash
    group by coalesce(upstream.plan_code, built.plan_code), coalesce(upstream.indicator_code, built.indicator_code)
{%- endmacro %}

{#- Select: each plan × indicator × year of `relation` with its number of rows (n_rows) and, given `hashed`
    columns, the sum of their hash over the rows (rows_hash) -#}
{% macro rows_per_slice_year(relation, hashed=[]) -%}
    select plan_code, indicator_code, year, count(*) as n_rows
        {%- if hashed %}, sum(hash({{ hashed | join(', ') }})) as rows_hash{% endif %}
    from {{ relation }}
    group by plan_code, indicator_code, year
{%- endmacro %}

{#- Select: the rows of `relation` in the slices the model's `rebuilt` CTE (progress_rebuild_slices) names, each
    with its slice's from_year; with `from_year_on`, only the years rebuilt (without, the earlier years too: running
    totals and growth bases read them) -#}
{% macro rows_in_rebuilt_slices(relation, from_year_on=false) -%}
    select slice_rows.*, rebuilt.from_year
    from {{ relation }} as slice_rows
    inner join rebuilt
        on rebuilt.plan_code = slice_rows.plan_code and rebuilt.indicator_code = slice_rows.indicator_code
    {%- if from_year_on %}
    where slice_rows.year >= rebuilt.from_year
    {%- endif %}
{%- endmacro %}

{#- Post-hook (not on Spark): remove the rows whose upstream row is gone (a plan no longer monitored, a region
    taken out of a plan region): delete+insert replaces the rows a build derives, never the ones no longer derived.
    `one_row_each` (the model has one row for each upstream row, by the unique-key tests on both): only a plan ×
    indicator × year where the model has more rows than its input can hold such a row, so the anti-join reads just
    those (two counts into a few thousand groups; at national scale the anti-join over every row of
    fct_progress_assessment took 2.9 s of each build). -#}
{% macro delete_rows_not_in(upstream, key=['plan_code', 'indicator_code', 'region_code', 'year'], one_row_each=true) -%}
    delete from {{ this }} as built
    where {% if one_row_each -%}
    exists (
        select 1
        from (
            select model_years.plan_code, model_years.indicator_code, model_years.year
            from ({{ rows_per_slice_year(this) }}) as model_years
            left join ({{ rows_per_slice_year(upstream) }}) as upstream_years
                on upstream_years.plan_code = model_years.plan_code
                and upstream_years.indicator_code = model_years.indicator_code
                and upstream_years.year = model_years.year
            where upstream_years.n_rows is null or model_years.n_rows > upstream_years.n_rows
        ) as surplus_years
        where surplus_years.plan_code = built.plan_code and surplus_years.indicator_code = built.indicator_code
          and surplus_years.year = built.year
    )
    and {% endif -%}
    not exists (
        select 1 from {{ upstream }} as upstream
        where {% for column in key %}upstream.{{ column }} = built.{{ column }}{% if not loop.last %} and {% endif %}{% endfor %})
{%- endmacro %}

{#- Post-hook (not on Spark): is_latest_year_with_data is a property of the whole series, so a new latest year moves it off a row
    the incremental build did not rebuild; set it again wherever it is wrong (on a full build nothing is) -#}
{% macro refresh_latest_year_flag() -%}
    update {{ this }} as built
    set is_latest_year_with_data = coalesce(built.year = latest.year, false)
    from (
        select plan_code, indicator_code, region_code, max(case when actual_value is not null then year end) as year
        from {{ this }}
        group by plan_code, indicator_code, region_code
    ) as latest
    where latest.plan_code = built.plan_code and latest.indicator_code = built.indicator_code
      and latest.region_code = built.region_code
      and built.is_latest_year_with_data <> coalesce(built.year = latest.year, false)
{%- endmacro %}
