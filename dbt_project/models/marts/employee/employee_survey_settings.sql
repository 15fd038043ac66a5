-- The survey confidentiality threshold the marts were built with, published beside them so the dashboard
-- and the data checks read the one value dbt used (var survey_min_respondents; below 3 stops the build).
select {{ survey_min_respondents() }} as min_respondents
