with

source as (

    select * from {{ source('crm', 'orders') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by order_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        order_id,
        customer_id,
        ordered_at,
        channel,
        location,
        order_total,
        coalesce(refund_amount, 0) as refund_amount,
        status,
        order_total - coalesce(refund_amount, 0) as net_amount,
        date_trunc('month', ordered_at)::date as order_month,
        _source_file,
        _loaded_at
    from latest

)

select * from final
