//! `explore.html`: the explorer page, which runs the real gomap engine in
//! the browser — `crates/gomap-explorer` compiled to `wasm32-unknown-unknown`
//! by this crate's `build.rs` and embedded in the page as base64 (a page
//! opened from `file://` cannot `fetch` a file beside it).
//!
//! The page is one file with its script and stylesheet inline; it needs no
//! server and no network. Its URL fragment holds the scenario
//! (`#kt=u64&hint=0&seed=1&ops=i1-27,r,nd*28&pos=27`); with `&auto=1` it
//! applies every op one at a time and writes what it drew into
//! `<pre id="state">`, which the browser test reads.
//!
//! When the wasm32 target was not installed at build time the page says so
//! and how to install it, and nothing else.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

/// The explorer's wasm module, when the build had the wasm32 target.
#[cfg(gomap_explorer_wasm)]
pub const WASM: Option<&[u8]> = Some(include_bytes!(concat!(
    env!("OUT_DIR"),
    "/gomap_explorer.wasm"
)));

/// The explorer's wasm module, when the build had the wasm32 target.
#[cfg(not(gomap_explorer_wasm))]
pub const WASM: Option<&[u8]> = None;

/// The file name the report links to.
pub const FILE: &str = "explore.html";

const SHELL: &str = include_str!("explore/explore.html");
const SCRIPT: &str = include_str!("explore/explore.js");
const STYLE: &str = include_str!("explore/explore.css");

/// The page when the module could not be built.
const MISSING: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>gomap explorer: not built</title>\n</head>\n<body style=\"font: 15px/1.5 system-ui, sans-serif; \
max-width: 46em; margin: 2em auto; padding: 0 1em\">\n<h1>The explorer was not built</h1>\n\
<p>The explorer runs gomap compiled to WebAssembly, and this copy of <code>gomap-lab</code> was \
built without the <code>wasm32-unknown-unknown</code> target. Install it and run the report again:</p>\n\
<pre>rustup target add wasm32-unknown-unknown\ncargo run --release -p gomap-lab -- report --out report/</pre>\n\
<p><a href=\"index.html\">Back to the report</a></p>\n</body>\n</html>\n";

/// The page's HTML: the explorer with its module embedded, or, without a
/// module, the page that says how to build one.
pub fn page() -> String {
    match WASM {
        Some(wasm) => SHELL
            .replacen("/*STYLE*/", STYLE, 1)
            .replacen("/*SCRIPT*/", SCRIPT, 1)
            .replacen("/*WASM*/", &base64(wasm), 1),
        None => MISSING.to_owned(),
    }
}

/// Writes `explore.html` into `dir` (which must exist); returns its path.
pub fn write(dir: &Path) -> std::io::Result<PathBuf> {
    let path = dir.join(FILE);
    std::fs::write(&path, page())?;
    Ok(path)
}

/// Standard base64 with padding (RFC 4648 §4), what the page's `atob` reads.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
        }
    }

    #[test]
    fn the_page_embeds_the_module_or_says_how_to_get_it() {
        let page = page();
        match WASM {
            Some(wasm) => {
                assert!(wasm.starts_with(b"\0asm"));
                assert!(!page.contains("/*SCRIPT*/") && !page.contains("/*WASM*/"));
                assert!(page.contains("WebAssembly.instantiate"));
            }
            None => assert!(page.contains("rustup target add wasm32-unknown-unknown")),
        }
    }
}
