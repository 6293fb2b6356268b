//! `--json` output: one JSON object per line, so `jq` and line-oriented tools can
//! read an experiment's rows.

#![forbid(unsafe_code)]

use std::io::{self, Write};

use serde::Serialize;

/// Writes each item as one JSON line.
pub fn write_lines<T: Serialize>(out: &mut impl Write, items: &[T]) -> io::Result<()> {
    for item in items {
        serde_json::to_writer(&mut *out, item).map_err(io::Error::other)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
