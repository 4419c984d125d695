// @generated automatically by Diesel CLI.

diesel::table! {
    accounts (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        role -> Text,
        session_epoch -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        disabled_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    addresses (id) {
        id -> Uuid,
        account_id -> Uuid,
        name -> Text,
        phone -> Text,
        city -> Text,
        district -> Text,
        line1 -> Text,
        line2 -> Nullable<Text>,
        is_default -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Uuid,
        account_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        actor_email -> Text,
        action -> Text,
        subject_type -> Text,
        subject_id -> Text,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
    }
}

diesel::table! {
    auth_attempts (id) {
        id -> Int8,
        kind -> Text,
        account_key -> Nullable<Text>,
        ip -> Text,
        succeeded -> Bool,
        at -> Timestamptz,
    }
}

diesel::table! {
    branches (id) {
        id -> Uuid,
        slug -> Text,
        name_mn -> Text,
        name_en -> Text,
        address_mn -> Text,
        address_en -> Text,
        opening_hours_en -> Text,
        opening_hours_mn -> Text,
        pickup -> Bool,
        delivery_warehouse -> Bool,
        position -> Int4,
        created_at -> Timestamptz,
        open_days -> Int2,
        opens_at -> Nullable<Time>,
        closes_at -> Nullable<Time>,
    }
}

diesel::table! {
    browser_sessions (secret_hash) {
        secret_hash -> Bytea,
        account_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    campaigns (id) {
        id -> Uuid,
        name -> Text,
        discount_type -> Text,
        discount_value -> Numeric,
        code_policy -> Text,
        max_redemptions -> Nullable<Int4>,
        budget -> Nullable<Numeric>,
        min_subtotal -> Nullable<Numeric>,
        applies_kinds -> Nullable<Array<Text>>,
        applies_products -> Nullable<Array<Uuid>>,
        stackable -> Bool,
        starts_at -> Nullable<Timestamptz>,
        ends_at -> Nullable<Timestamptz>,
        uses -> Int4,
        discount_used -> Numeric,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    coupon_codes (id) {
        id -> Uuid,
        campaign_id -> Uuid,
        code -> Text,
        account_id -> Nullable<Uuid>,
        assigned_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    coupon_redemptions (id) {
        id -> Uuid,
        campaign_id -> Uuid,
        code_id -> Uuid,
        order_id -> Uuid,
        account_id -> Nullable<Uuid>,
        policy -> Text,
        status -> Text,
        discount -> Numeric,
        created_at -> Timestamptz,
        redeemed_at -> Nullable<Timestamptz>,
        released_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    cart_items (id) {
        id -> Uuid,
        cart_id -> Uuid,
        product_id -> Uuid,
        quantity -> Int4,
        msisdn -> Nullable<Text>,
        amount -> Nullable<Numeric>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        number -> Nullable<Text>,
        activation -> Nullable<Text>,
        sim_card_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    carts (id) {
        id -> Uuid,
        account_id -> Nullable<Uuid>,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        coupon_ids -> Array<Uuid>,
    }
}

diesel::table! {
    categories (id) {
        id -> Uuid,
        slug -> Text,
        parent_id -> Nullable<Uuid>,
        name_mn -> Text,
        name_en -> Text,
        position -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    esim_profiles (id) {
        id -> Uuid,
        iccid -> Text,
        code_sealed -> Bytea,
        code_hash -> Bytea,
        status -> Text,
        order_id -> Nullable<Uuid>,
        msisdn -> Nullable<Text>,
        assigned_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (caller, key) {
        caller -> Text,
        key -> Text,
        fingerprint -> Bytea,
        status_code -> Int2,
        response_body -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    jobs (id) {
        id -> Uuid,
        queue -> Text,
        kind -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        max_attempts -> Int4,
        run_at -> Timestamptz,
        locked_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        dedup_key -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    number_events (id) {
        id -> Int8,
        msisdn -> Text,
        event -> Text,
        account_id -> Nullable<Uuid>,
        at -> Timestamptz,
    }
}

diesel::table! {
    numbers (msisdn) {
        msisdn -> Text,
        tier -> Text,
        status -> Text,
        held_by -> Nullable<Uuid>,
        held_until -> Nullable<Timestamptz>,
        owner_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        order_id -> Nullable<Uuid>,
        sim -> Nullable<Text>,
        activate_by -> Nullable<Timestamptz>,
        activated_at -> Nullable<Timestamptz>,
        reminded_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    order_events (id) {
        id -> Int8,
        order_id -> Uuid,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor -> Text,
        actor_id -> Nullable<Uuid>,
        note -> Nullable<Text>,
        at -> Timestamptz,
    }
}

diesel::table! {
    order_items (id) {
        id -> Uuid,
        order_id -> Uuid,
        product_id -> Uuid,
        kind -> Text,
        name_mn -> Text,
        name_en -> Text,
        quantity -> Int4,
        unit_price -> Numeric,
        total -> Numeric,
        msisdn -> Nullable<Text>,
        fulfillment_status -> Text,
        position -> Int4,
        number -> Nullable<Text>,
        activation -> Nullable<Text>,
        sim_card_id -> Nullable<Uuid>,
        fulfilled_at -> Nullable<Timestamptz>,
        failure -> Nullable<Text>,
        discount -> Numeric,
    }
}

diesel::table! {
    order_links (token_hash) {
        token_hash -> Bytea,
        order_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    orders (id) {
        id -> Uuid,
        number -> Text,
        account_id -> Nullable<Uuid>,
        cart_id -> Nullable<Uuid>,
        email -> Text,
        lang -> Text,
        status -> Text,
        payment_status -> Text,
        fulfillment_method -> Nullable<Text>,
        branch_id -> Nullable<Uuid>,
        delivery_address -> Nullable<Jsonb>,
        tracking_number -> Nullable<Text>,
        subtotal -> Numeric,
        discount -> Numeric,
        shipping -> Numeric,
        total -> Numeric,
        refunded_total -> Numeric,
        stock_released -> Bool,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Uuid,
        account_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    payment_events (provider, event_id) {
        provider -> Text,
        event_id -> Text,
        payment_id -> Nullable<Uuid>,
        kind -> Text,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    payments (id) {
        id -> Uuid,
        order_id -> Uuid,
        provider -> Text,
        status -> Text,
        amount -> Numeric,
        refunded_amount -> Numeric,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    product_images (id) {
        id -> Uuid,
        product_id -> Uuid,
        position -> Int4,
        alt_mn -> Text,
        alt_en -> Text,
        width -> Int4,
        height -> Int4,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    image_files (image_id, width) {
        image_id -> Uuid,
        width -> Int4,
        height -> Int4,
        hash -> Text,
        content_type -> Text,
        bytes -> Bytea,
    }
}

diesel::table! {
    products (id) {
        id -> Uuid,
        slug -> Text,
        kind -> Text,
        category_id -> Uuid,
        name_mn -> Text,
        name_en -> Text,
        description_mn -> Text,
        description_en -> Text,
        price -> Numeric,
        attributes -> Jsonb,
        featured -> Bool,
        active -> Bool,
        position -> Int4,
        search_text -> Nullable<Text>,
        search_doc -> Text,
        cover -> Nullable<Jsonb>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        sold -> Int4,
        kind_rank -> Int2,
    }
}

diesel::table! {
    sandbox_refunds (refund_id) {
        refund_id -> Uuid,
        payment_id -> Uuid,
        amount -> Numeric,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sandbox_operator_ledger (key) {
        key -> Text,
        msisdn -> Text,
        operation -> Text,
        amount -> Nullable<Numeric>,
        detail -> Jsonb,
        at -> Timestamptz,
    }
}

diesel::table! {
    sandbox_subscribers (msisdn) {
        msisdn -> Text,
        balance -> Numeric,
        data_mb -> Int8,
        plan -> Nullable<Text>,
        plan_until -> Nullable<Timestamptz>,
        sim -> Nullable<Text>,
        iccid -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sim_cards (id) {
        id -> Uuid,
        iccid -> Text,
        code_hash -> Bytea,
        status -> Text,
        order_id -> Nullable<Uuid>,
        msisdn -> Nullable<Text>,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    stock_movements (id) {
        id -> Int8,
        product_id -> Uuid,
        branch_id -> Uuid,
        delta -> Int4,
        quantity_after -> Int4,
        reason -> Text,
        actor_id -> Nullable<Uuid>,
        at -> Timestamptz,
    }
}

diesel::table! {
    stock (product_id, branch_id) {
        product_id -> Uuid,
        branch_id -> Uuid,
        quantity -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(addresses -> accounts (account_id));
diesel::joinable!(api_tokens -> accounts (account_id));
diesel::joinable!(browser_sessions -> accounts (account_id));
diesel::joinable!(cart_items -> carts (cart_id));
diesel::joinable!(coupon_codes -> campaigns (campaign_id));
diesel::joinable!(coupon_redemptions -> coupon_codes (code_id));
diesel::joinable!(coupon_redemptions -> orders (order_id));
diesel::joinable!(cart_items -> products (product_id));
diesel::joinable!(carts -> accounts (account_id));
diesel::joinable!(number_events -> numbers (msisdn));
diesel::joinable!(numbers -> accounts (owner_id));
diesel::joinable!(numbers -> carts (held_by));
diesel::joinable!(numbers -> orders (order_id));
diesel::joinable!(esim_profiles -> numbers (msisdn));
diesel::joinable!(esim_profiles -> orders (order_id));
diesel::joinable!(sim_cards -> numbers (msisdn));
diesel::joinable!(sim_cards -> orders (order_id));
diesel::joinable!(order_events -> orders (order_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(order_links -> orders (order_id));
diesel::joinable!(order_items -> products (product_id));
diesel::joinable!(orders -> accounts (account_id));
diesel::joinable!(orders -> branches (branch_id));
diesel::joinable!(orders -> carts (cart_id));
diesel::joinable!(password_resets -> accounts (account_id));
diesel::joinable!(payment_events -> payments (payment_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(products -> categories (category_id));
diesel::joinable!(product_images -> products (product_id));
diesel::joinable!(image_files -> product_images (image_id));
diesel::joinable!(sandbox_refunds -> payments (payment_id));
diesel::joinable!(stock -> branches (branch_id));
diesel::joinable!(stock -> products (product_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    image_files,
    product_images,
    addresses,
    api_tokens,
    audit_log,
    browser_sessions,
    auth_attempts,
    branches,
    campaigns,
    cart_items,
    carts,
    categories,
    coupon_codes,
    coupon_redemptions,
    esim_profiles,
    idempotency_keys,
    jobs,
    number_events,
    numbers,
    order_events,
    order_items,
    order_links,
    orders,
    password_resets,
    payment_events,
    payments,
    products,
    sandbox_operator_ledger,
    sandbox_refunds,
    sandbox_subscribers,
    sim_cards,
    stock,
    stock_movements,
);
