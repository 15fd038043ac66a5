-- "Today" of the customer-facing areas as one date (the summary's customer-side period, recent texts): the latest
-- of the customers', support's and surveys' own dates (int_as_of_dates, where each domain's date is made and
-- may be set). Marts of one domain read that domain's date from int_as_of_dates instead (customer lifecycle,
-- retention, repeat purchase: the customers' date), so a late ticket extract never ages the customers.
-- A table, not a view: one row that a dozen models read.
{{ config(materialized='table') }}
select max(as_of_date) as as_of_date
from {{ ref('int_as_of_dates') }}
where domain in ('customers', 'support', 'surveys')
