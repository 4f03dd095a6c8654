-- 专栏2, one row per printed cell (2020 baseline column included)
select
    plan_code,
    indicator_code,
    row_no,
    year,
    cell_text,
    value,
    comparator,
    comparator_source,
    is_cumulative,
    cumulative_from_year,
    is_bracketed,
    nullif(cumulative_basis, '') as cumulative_basis,
    is_baseline
from ({{ plan_pack_union('plan_zl2_cells') }}) as seeded
