//! Reaching households: notices queued with their events, a durable outbox, the delivery
//! worker and the channels it sends through, and the record of who was reached.

pub mod advance;
pub mod channel;
pub mod email;
pub mod events;
pub mod http;
pub mod outbox;
pub mod prefs;
pub mod schedule;
pub mod settings;
pub mod sms_aliyun;
pub mod web;
pub mod webhook;
pub mod wecom;
pub mod worker;
