//! The classic map's header, Go's `hmap`, as a value.

#![forbid(unsafe_code)]

/// The map header, Go's `hmap`, after the last operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Header {
    /// Live entries. Go: `count`.
    pub count: usize,
    /// Go's flag bits; gomap sets only [`Header::SAME_SIZE_GROW`].
    pub flags: u8,
    /// log2 of the number of buckets. Go: `B`.
    #[cfg_attr(feature = "serde", serde(rename = "B"))]
    pub b: u8,
    /// Overflow buckets taken since the last growth or clear (exact while
    /// `b < 16`, sampled above, as in Go). Go: `noverflow`.
    pub noverflow: u16,
    /// The 32-bit hash seed. Go: `hash0`.
    pub hash0: u32,
    /// Old buckets below this index are evacuated. Go: `nevacuate`.
    pub nevacuate: usize,
    /// A growth is in progress (the old array is still present).
    pub growing: bool,
}

impl Header {
    /// Flag bit: the growth in progress keeps the bucket count. Go: `sameSizeGrow`.
    pub const SAME_SIZE_GROW: u8 = 8;

    /// Number of main buckets, `2^B`.
    pub fn buckets(&self) -> usize {
        1usize << self.b
    }

    /// Entries per main bucket.
    pub fn load_factor(&self) -> f64 {
        self.count as f64 / self.buckets() as f64
    }
}
