//! Read-only snapshots of a map's insides: the header (Go's `hmap`) and every
//! bucket chain, as `dlv` or `gdb` would show them for a Go map.
//!
//! A [`Layout`] borrows the map, so it is exact and costs nothing until asked
//! for. With the `serde` feature, [`Header`] serializes with Go's field names.

#![forbid(unsafe_code)]

pub use crate::base::header::Header;
pub use crate::base::layout::{BucketOrigin, BucketView, Chain, Layout, PoolState, ReadFrom};
