//! What the catalogue leaves out, and why.
//!
//! Every numbered heading of the five articles — the chapters (`第二章:…`)
//! and their sections (`2.4 …`) — is either the section of at least one
//! claim in [`super::catalog::CLAIMS`] or listed in [`NOT_COVERED`] with the
//! reason no claim is drawn from it. A test holds the two lists to the
//! articles, so a section can be neither forgotten nor listed twice.

#![forbid(unsafe_code)]

use super::Article;

/// A section of an article that no claim covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uncovered {
    /// The article.
    pub article: Article,
    /// The section as the article numbers it (`"4.4"`; `"5"` for a chapter).
    pub section: &'static str,
    /// The heading's text after its number, verbatim.
    pub title: &'static str,
    /// Why no claim is drawn from it.
    pub reason: &'static str,
}

const SUMMARY: &str = "a summary of an unrelated Kubernetes and observability project (rollouts, \
CI, SLOs); nothing in it is about Go's map";

/// Every section no claim covers, in article order.
pub static NOT_COVERED: &[Uncovered] = &[
    Uncovered {
        article: Article::A000,
        section: "4.4",
        title: "生产建议:何时必须显式指定len,何时应避免过度预分配导致内存碎片",
        reason: "advice on preallocating slices (make([]T, 0, cap)), not maps; nothing to measure",
    },
    Uncovered {
        article: Article::A000,
        section: "5",
        title: "总结与展望",
        reason: SUMMARY,
    },
    Uncovered {
        article: Article::A001,
        section: "2.2",
        title: "hash种子与B字段的运行时动态行为实测分析",
        reason: "about Python's hash() and PYTHONHASHSEED on a Python class, not Go's map",
    },
    Uncovered {
        article: Article::A001,
        section: "5",
        title: "总结与工程实践启示",
        reason: "a summary of an unrelated risk-control system (RocketMQ, alerting, OpenAPI); nothing about Go's map",
    },
    Uncovered {
        article: Article::A002,
        section: "3.3",
        title: "通过pprof heap profile对比两种模式下的内存增长曲线与GC压力",
        reason: "the figures compare a batch and a streaming service and a leaking []byte buffer, not the two growth modes of the map",
    },
    Uncovered {
        article: Article::A002,
        section: "4.4",
        title: "使用go tool trace可视化扩容事件流与goroutine阻塞点定位",
        reason: "about the scheduler's goroutine and network events ('scaling' M's), not map growth; Go's trace records no map events",
    },
    Uncovered {
        article: Article::A002,
        section: "5",
        title: "总结与展望",
        reason: SUMMARY,
    },
    Uncovered {
        article: Article::A003,
        section: "2.4",
        title: "隐式内存屏障:atomic.StoreUint8在slot复用路径中的编译器重排抑制作用",
        reason: "about a ring buffer's atomic.StoreUint8, not the map (whose tophash stores are plain: see a003-atomic-or8)",
    },
    Uncovered {
        article: Article::A003,
        section: "3.1",
        title: "三态模型构建:occupied → evacuated → reusable 的状态机形式化定义",
        reason: "a generic lease life cycle with a Python checker; the map's real slot marks are the tophash claims'",
    },
    Uncovered {
        article: Article::A003,
        section: "5",
        title: "总结与展望",
        reason: SUMMARY,
    },
    Uncovered {
        article: Article::A004,
        section: "3.1",
        title: "Go运行时内存模型中“文件”概念的彻底缺席:从os.File到runtime.heap的语义鸿沟",
        reason: "contrasts os.File with the runtime heap in general; the map's system calls are 004 §1 and §3.2's claims",
    },
    Uncovered {
        article: Article::A004,
        section: "3.3",
        title: "开发者认知偏差溯源:shell思维迁移、IDE自动补全误导与文档术语误读",
        reason: "about shell pipelines, an IDE and Python's namedtuple, not Go's map",
    },
    Uncovered {
        article: Article::A004,
        section: "4.3",
        title: "map key为指针/struct时的内存对齐陷阱与cache line false sharing风险实测",
        reason: "struct field padding of keys and false sharing between writers; concurrent writes to a map are a fatal error long before any cache effect",
    },
    Uncovered {
        article: Article::A004,
        section: "5",
        title: "总结与展望",
        reason: SUMMARY,
    },
];

/// The numbered headings of an article's text: `(section, title)`, chapters
/// as `("5", "总结与展望")` and sections as `("2.4", "实验:…")`.
pub fn headings(text: &str) -> Vec<(String, String)> {
    const NUMERALS: [char; 9] = ['一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix('第') {
            let mut chars = rest.chars();
            let (Some(n), Some('章'), Some(':')) = (chars.next(), chars.next(), chars.next())
            else {
                continue;
            };
            if let Some(i) = NUMERALS.iter().position(|&c| c == n) {
                out.push(((i + 1).to_string(), chars.as_str().to_owned()));
            }
            continue;
        }
        let b = line.as_bytes();
        if b.len() > 4
            && b[0].is_ascii_digit()
            && b[1] == b'.'
            && b[2].is_ascii_digit()
            && b[3] == b' '
            && !line.contains('|')
        {
            out.push((line[..3].to_owned(), line[4..].to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::catalog::CLAIMS;
    use std::path::Path;

    fn covered(a: Article, section: &str) -> bool {
        CLAIMS.iter().any(|c| {
            c.article == a
                && (c.section == section
                    || (!section.contains('.') && c.section.starts_with(&format!("{section}."))))
        })
    }

    /// Every numbered heading is covered by a claim or listed here, never
    /// both, and every listed section is a real heading with its title.
    #[test]
    fn every_section_is_covered_or_listed() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
        for a in Article::ALL {
            let Ok(text) = std::fs::read_to_string(dir.join(a.file())) else {
                continue;
            };
            let hs = headings(&text);
            assert!(hs.len() >= 15, "{a:?}: only {} headings", hs.len());
            for (section, title) in &hs {
                let listed = NOT_COVERED
                    .iter()
                    .find(|u| u.article == a && u.section == section);
                match (covered(a, section), listed) {
                    (true, Some(_)) => panic!("{a:?} {section}: covered and listed as not covered"),
                    (false, None) => panic!("{a:?} {section} {title}: neither covered nor listed"),
                    (false, Some(u)) => assert_eq!(u.title, title, "{a:?} {section}"),
                    (true, None) => {}
                }
            }
            for u in NOT_COVERED.iter().filter(|u| u.article == a) {
                assert!(
                    hs.iter().any(|(s, _)| s == u.section),
                    "{a:?} {}: no such heading",
                    u.section
                );
            }
        }
    }

    #[test]
    fn headings_are_chapters_and_sections() {
        let text =
            "第一章:标题\n正文\n2.4 实验:B 字段\n| 2.5 | 表格 |\n42.7 | 93% |\n第五章:总结与展望\n";
        assert_eq!(
            headings(text),
            vec![
                ("1".to_owned(), "标题".to_owned()),
                ("2.4".to_owned(), "实验:B 字段".to_owned()),
                ("5".to_owned(), "总结与展望".to_owned()),
            ]
        );
    }

    /// Every claim's section is one of its article's headings.
    #[test]
    fn claim_sections_are_headings() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
        for c in CLAIMS {
            let Ok(text) = std::fs::read_to_string(dir.join(c.article.file())) else {
                continue;
            };
            assert!(
                headings(&text).iter().any(|(s, _)| s == c.section),
                "{}: section {} is not a heading of {}",
                c.id,
                c.section,
                c.article.file()
            );
        }
    }
}
