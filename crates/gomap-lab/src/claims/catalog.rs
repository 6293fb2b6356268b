//! The claims of the five articles, as data.
//!
//! One entry per checkable claim. Each quote is a verbatim substring of its
//! article (a test checks it against `shared/seeds/` when the folder is
//! present), each prediction names the measurements of [`super::measure`] it
//! is compared with, and each source is a line of Go 1.19's `src/runtime/`
//! that a test checks against an installed Go 1.19.

use super::{Article, Check, Claim, Expect, Lit, Part, Source};

/// Every claim, grouped by article, in the order the article makes them.
pub static CLAIMS: &[Claim] = &[
    Claim {
        id: "hint-9-gives-b4",
        article: Article::A000,
        section: "2.4",
        quote: "当 makemap 传入 9 时,runtime.roundupsize(uintptr(9)) 返回 16,最终 h.B = 4",
        says: "make(map, 9) gives B = 4 (16 buckets)",
        check: Check::Parts(&[Part {
            key: "hint.b.9",
            expect: Expect::Eq(Lit::Int(4)),
        }]),
        how: "make a map[uint64]uint64 with hint 9 and read B from its header",
        source: Some(Source {
            file: "map.go",
            line: 319,
            anchor: "for overLoadFactor(hint, B)",
        }),
        experiment: "hint",
    },
    Claim {
        id: "hmap-flags-at-offset-8",
        article: Article::A001,
        section: "2.1",
        quote: "| flags | 8 | 状态标志(uint8) |",
        says: "hmap.flags sits at byte offset 8 on 64-bit systems",
        check: Check::Parts(&[Part {
            key: "go.hmap.offset.flags",
            expect: Expect::Eq(Lit::Int(8)),
        }]),
        how: "unsafe.Offsetof on a mirror of hmap that Go 1.19 checks against a live map",
        source: Some(Source {
            file: "map.go",
            line: 116,
            anchor: "type hmap struct",
        }),
        experiment: "layout",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{evaluate, Measurements, Verdict};
    use std::path::{Path, PathBuf};

    fn seeds() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds")
    }

    #[test]
    fn ids_are_unique() {
        for (i, c) in CLAIMS.iter().enumerate() {
            assert!(CLAIMS[..i].iter().all(|d| d.id != c.id), "{}", c.id);
        }
    }

    /// Every quote is a verbatim substring of its article (where the shared
    /// folder beside the repository is present).
    #[test]
    fn quotes_are_verbatim() {
        for c in CLAIMS {
            let Ok(text) = std::fs::read_to_string(seeds().join(c.article.file())) else {
                continue;
            };
            assert!(
                text.contains(c.quote),
                "{}: {:?} not in {}",
                c.id,
                c.quote,
                c.article.file()
            );
            assert!(c.quote.chars().count() <= 200, "{}: quote too long", c.id);
        }
    }

    /// The titles are the articles' own first lines.
    #[test]
    fn titles_are_the_articles() {
        for a in Article::ALL {
            let Ok(text) = std::fs::read_to_string(seeds().join(a.file())) else {
                continue;
            };
            assert!(
                text.lines().next().unwrap_or("").contains(a.title()),
                "{a:?}"
            );
        }
    }

    /// Every source line exists in Go 1.19 and says what the claim points at.
    #[test]
    fn sources_point_into_go_1_19() {
        let root = Path::new("/usr/lib/go-1.19/src/runtime");
        if !root.exists() {
            eprintln!("skipped: Go 1.19's sources are not at {}", root.display());
            return;
        }
        for c in CLAIMS {
            let Some(s) = c.source else { continue };
            let text = std::fs::read_to_string(root.join(s.file))
                .unwrap_or_else(|e| panic!("{}: {}: {e}", c.id, s.file));
            let line = text.lines().nth(s.line as usize - 1).unwrap_or("");
            assert!(
                line.contains(s.anchor),
                "{}: {s} is {line:?}, not {:?}",
                c.id,
                s.anchor
            );
        }
    }

    /// A claim's verdict follows its measurement: every measurable claim is
    /// decided once with values meeting each part and once with values
    /// breaking each, and the verdict moves from right to wrong.
    #[test]
    fn every_verdict_is_computed() {
        for c in CLAIMS {
            let Check::Parts(parts) = c.check else {
                continue;
            };
            let (mut meet, mut break_) = (Measurements::new(), Measurements::new());
            for p in parts {
                let (yes, no) = super::super::measure::witnesses(&p.expect)
                    .unwrap_or_else(|| panic!("{}: no witness for {}", c.id, p.expect));
                meet.put(p.key, yes, "x");
                break_.put(p.key, no, "x");
            }
            assert_eq!(evaluate(c, &meet).verdict, Verdict::Right, "{}", c.id);
            assert_eq!(evaluate(c, &break_).verdict, Verdict::Wrong, "{}", c.id);
        }
    }
}
