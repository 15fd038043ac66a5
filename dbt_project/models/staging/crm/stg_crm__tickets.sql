with

source as (

    select * from {{ source('crm', 'tickets') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by ticket_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        ticket_id,
        customer_id,
        channel,
        location,
        category,
        opened_at,
        first_reply_at,
        first_resolved_at,
        resolved_at,
        reopen_count,
        contacts,
        agent_replies,
        agent_id,
        handle_time_minutes,
        text,
        date_trunc('month', opened_at)::date as opened_month,
        _source_file,
        _loaded_at
    from latest

)

select * from final
