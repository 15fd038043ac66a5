-- int_employee_months with its breakdown rolled up so that no month × department × team × location ×
-- manager × tenure band cell holds fewer than var workforce_min_headcount employees (macro
-- rollup_small_groups; docs/privacy.md). The absence, headcount and recognition marts group this, so the
-- three publish the same cells and no difference between them isolates a small group.
{{ rollup_small_groups(
    'select * from ' ~ ref('int_employee_months'),
    partition_by=['month'],
    levels=[['department'], ['team'], ['manager_id'], ['location', 'tenure_band']],
    parents=['month', 'department', 'team', "manager's group"],
) }}
