//! Introspection: the public views of a map's insides — layout snapshots,
//! statistics, the event API with ready-made observers and Chrome trace
//! export. Safe code over the engines' read-only views and the leaf types.

pub mod events;
pub mod layout;
pub mod stats;
