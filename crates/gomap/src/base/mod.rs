//! The leaf layer: the vocabulary every other layer shares — the header
//! and snapshot types the engine fills and the views show, the event types
//! and the `Observer` trait, the hashing contract and seed sources, and
//! the tophash marks.
//! Imports nothing from the rest of the crate.

pub(crate) mod event;
pub(crate) mod hash;
pub(crate) mod header;
pub(crate) mod layout;
pub(crate) mod seam;
pub mod swiss_layout;
pub(crate) mod ties;
pub mod tophash;
