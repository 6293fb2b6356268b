//! What an engine answers the seam with, defined here so that the engines
//! (which import only `base`) return it directly and the seam forwards
//! without converting.

use core::fmt;

/// A bucket array or table that could not be allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityError {
    /// The classic map's bucket array for `2^b` buckets: `bytes`, or more
    /// than the address space (`None`).
    Buckets { b: u8, bytes: Option<usize> },
}

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CapacityError::Buckets {
                b,
                bytes: Some(bytes),
            } => {
                write!(
                    f,
                    "cannot allocate a bucket array for B = {b} ({bytes} bytes)"
                )
            }
            CapacityError::Buckets { b, bytes: None } => {
                write!(f, "a bucket array for B = {b} does not fit in memory")
            }
        }
    }
}

/// What a write-side lookup found: the key's slot, or where it would go.
pub enum RawEntry<O, V> {
    Occupied(O),
    Vacant(V),
}
