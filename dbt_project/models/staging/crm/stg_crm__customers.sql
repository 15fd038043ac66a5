with

source as (

    select * from {{ source('crm', 'customers') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by customer_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        customer_id,
        customer_name,
        email,
        segment,
        region,
        location,
        channel,
        signup_date,
        status,
        churn_date,
        date_trunc('month', signup_date)::date as signup_month,
        _source_file,
        _loaded_at
    from latest

)

select * from final
