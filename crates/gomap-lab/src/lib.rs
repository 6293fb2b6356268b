//! # gomap-lab: proving gomap is Go's map
//!
//! Go's map cannot be observed from Rust, so the project's Go oracle records one: it
//! runs a script of map operations on a real Go 1.19 runtime map and writes, as JSON
//! lines, every operation with the hash the runtime computed and the header it
//! reached, and full dumps of the bucket layout (the format is fixed by
//! `shared/go-map/PROTOCOL.md`). This crate replays such a recording on
//! [`gomap::GoMap`] with the very same hashes and seeds, writes what gomap reached in
//! the same format, and compares the two streams under the protocol's rules.
//!
//! The pieces, in the order data flows through them:
//! - [`protocol`]: the record types and the parsing of one line.
//! - [`input`]: streams from files (plain or gzip) or standard input, record by
//!   record with line numbers.
//! - [`hashes`]: the recorded-hash table and the `BuildHasher` that answers from it.
//! - [`replay`]: drives gomap through a stream.
//! - [`dump`]: gomap's `layout()` written as records.
//! - [`compare`]: the protocol's "What a replay must match", record by record.
//! - [`verify`]: replay and comparison in one pass.
//!
//! Nothing here needs `unsafe`: the map's layout is read through its public views.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod compare;
pub mod dump;
pub mod hashes;
pub mod input;
pub mod protocol;
pub mod replay;
pub mod verify;
