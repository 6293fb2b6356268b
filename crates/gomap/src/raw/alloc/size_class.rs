//! Go's malloc size classes, and how many buckets an array for `2^B`
//! buckets holds by Go's `makeBucketArray` rule (the size class decides the
//! preallocated overflow pool).

/// Go's malloc size classes for small objects (bytes), ascending. An
/// allocation below 32 KiB is rounded up to the first class that fits it.
/// Data from the Go 1.19 runtime's size-class table.
const SIZE_CLASSES: [u16; 67] = [
    8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352,
    384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048,
    2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
    10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672,
    32768,
];

/// Objects of this size and above are "large": Go rounds them up to whole pages.
const MAX_SMALL_SIZE: usize = 32768;
/// Go's heap page size.
const PAGE_SIZE: usize = 8192;

/// The largest allocation Go's heap would attempt (its `maxAlloc` on 64-bit
/// Linux); a hint whose buckets would exceed it is ignored, as Go does.
pub(crate) const MAX_ALLOC: usize = if usize::BITS == 64 {
    1 << 48
} else {
    isize::MAX as usize
};

/// The size Go's allocator really hands out for a request of `size` bytes.
/// Go: `roundupsize`.
pub(crate) fn round_up_size(size: usize) -> usize {
    if size < MAX_SMALL_SIZE {
        // The first class at least as large as the request.
        let i = SIZE_CLASSES.partition_point(|&class| (class as usize) < size);
        SIZE_CLASSES[i] as usize
    } else {
        match size.checked_add(PAGE_SIZE - 1) {
            Some(n) => n / PAGE_SIZE * PAGE_SIZE,
            None => size,
        }
    }
}

/// How many buckets an array for `2^b` buckets of `bucket_size` bytes
/// allocates: `2^b`, plus, from `b = 4`, `2^(b-4)` overflow buckets rounded up
/// to fill the malloc size class. `None` when the byte size overflows.
pub(crate) fn array_len(b: u8, bucket_size: usize) -> Option<usize> {
    let base = 1usize.checked_shl(b as u32)?;
    if b < 4 {
        return Some(base);
    }
    let want = base.checked_add(base >> 4)?;
    let bytes = want.checked_mul(bucket_size)?;
    Some(round_up_size(bytes) / bucket_size)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FACTS.md: the preallocated pool for B = 4..=12, 144- and 208-byte buckets.
    #[test]
    fn pool_sizes_match_go() {
        let u64_pool = [2, 5, 7, 14, 28, 56, 113, 170, 284];
        let str_pool = [3, 7, 4, 9, 19, 39, 78, 157, 275];
        for (i, b) in (4u8..=12).enumerate() {
            assert_eq!(
                array_len(b, 144).unwrap() - (1 << b),
                u64_pool[i],
                "B={b} 144"
            );
            assert_eq!(
                array_len(b, 208).unwrap() - (1 << b),
                str_pool[i],
                "B={b} 208"
            );
        }
        for b in 13u8..=20 {
            assert_eq!(array_len(b, 144).unwrap() - (1 << b), 1 << (b - 4));
            assert_eq!(array_len(b, 208).unwrap() - (1 << b), 1 << (b - 4));
        }
        for b in 0u8..4 {
            assert_eq!(array_len(b, 144), Some(1 << b));
        }
    }

    #[test]
    fn roundupsize() {
        assert_eq!(round_up_size(1), 8);
        assert_eq!(round_up_size(144), 144);
        assert_eq!(round_up_size(145), 160);
        assert_eq!(round_up_size(32767), 32768);
        assert_eq!(round_up_size(32769), 40960);
    }
}
