//! Staff HTML under `/admin`: guests are sent to sign in, customers get 403.
pub mod audit;
pub mod branches;
pub mod campaigns;
pub mod categories;
pub mod customers;
pub mod dashboard;
pub mod jobs;
pub mod nav;
pub mod numbers;
pub mod orders;
pub mod products;
pub mod reports;
pub mod staff;
