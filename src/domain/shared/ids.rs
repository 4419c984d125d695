//! Ids with their own types: an order's id cannot be passed where a cart's is expected. Each is
//! a UUID underneath, stored in a `uuid` column and sent as its text.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            serde::Serialize,
            serde::Deserialize,
            diesel::expression::AsExpression,
            diesel::deserialize::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A new, random id (for a row written with its id chosen here).
            pub fn random() -> Self {
                Self(uuid::Uuid::new_v4())
            }

            /// The id a UUID names; whether such a row exists is the database's to say.
            pub const fn from_uuid(id: uuid::Uuid) -> Self {
                Self(id)
            }

            pub const fn as_uuid(self) -> uuid::Uuid {
                self.0
            }

            /// `None` for text that is no UUID.
            pub fn parse(raw: &str) -> Option<Self> {
                uuid::Uuid::parse_str(raw.trim()).ok().map(Self)
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for uuid::Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <uuid::Uuid as diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::to_sql(&self.0, out)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                <uuid::Uuid as diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::from_sql(bytes)
                    .map(Self)
            }
        }
    };
}

id_type!(
    /// A shopper's or staff member's account.
    AccountId
);
id_type!(
    /// A cart.
    CartId
);
id_type!(
    /// A line of a cart.
    CartItemId
);
id_type!(
    /// An order.
    OrderId
);
id_type!(
    /// A line of an order.
    OrderItemId
);
id_type!(
    /// An attempt to pay an order.
    PaymentId
);
id_type!(
    /// A product of the catalog.
    ProductId
);
id_type!(
    /// A physical SIM card of the pool.
    SimCardId
);
id_type!(
    /// An eSIM profile of the pool.
    EsimProfileId
);
id_type!(
    /// A coupon campaign.
    CampaignId
);
id_type!(
    /// One code of a campaign.
    CouponCodeId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_show_and_serialize_as_their_uuid() -> Result<(), serde_json::Error> {
        let raw = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        let id = CartId::parse(raw).ok_or_else(|| serde::de::Error::custom("parse"))?;
        assert_eq!(id.to_string(), raw);
        assert_eq!(serde_json::to_string(&id)?, format!("\"{raw}\""));
        assert_eq!(serde_json::from_str::<CartId>(&format!("\"{raw}\""))?, id);
        assert!(OrderId::parse("not-an-id").is_none());
        Ok(())
    }
}
