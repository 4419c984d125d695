// @generated automatically by Diesel CLI.

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
    accounts (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        role -> Text,
        session_epoch -> Int4,
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
        opening_hours -> Text,
        pickup -> Bool,
        delivery_warehouse -> Bool,
        position -> Int4,
        created_at -> Timestamptz,
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
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
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
diesel::joinable!(password_resets -> accounts (account_id));
diesel::joinable!(products -> categories (category_id));
diesel::joinable!(stock -> branches (branch_id));
diesel::joinable!(stock -> products (product_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    addresses,
    api_tokens,
    auth_attempts,
    branches,
    categories,
    jobs,
    password_resets,
    products,
    stock,
);
