//! HTML primitives for the report: escaping, and the page's stylesheet.

#![forbid(unsafe_code)]

/// `s` with `&`, `<`, `>` and `"` escaped, for element text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// An SVG document without its XML declaration, for inlining in HTML.
pub fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// The report's stylesheet, inlined so the page opens with no network. Wide
/// tables scroll inside their own box (`.wide`) so the page itself never
/// runs off a narrow window.
pub const STYLE: &str = r#"
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1180px;
       margin: 2em auto; padding: 0 1em; color: #1d1d1f; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2.2em; }
h3 { font-size: 1.05em; margin-top: 1.4em; }
code, pre { font: 13px/1.4 ui-monospace, "SF Mono", Menlo, Consolas, monospace; }
pre { background: #f6f8fa; padding: 0.7em 1em; overflow-x: auto; border-radius: 4px; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; }
th { background: #f6f8fa; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 0.3em 0; }
.note { color: #555; font-size: 13px; }
.wide { overflow-x: auto; max-width: 100%; }
.verdict-wrong { color: #b00020; font-weight: 600; }
.verdict-right { color: #1a7f37; font-weight: 600; }
.verdict-partly { color: #9a6700; font-weight: 600; }
.verdict-not-measurable, .verdict-needs-go { color: #57606a; font-weight: 600; }
td.verdict-wrong, td.verdict-right, td.verdict-partly, td.verdict-not-measurable,
td.verdict-needs-go { white-space: nowrap; }
.counts span { display: inline-block; margin-right: 1.2em; }
.quote { color: #555; font-size: 13px; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 13px; color: #555; }
nav ol { columns: 2; }
.claims td:last-child code { white-space: nowrap; }
.claims td:nth-child(2) { min-width: 16em; }
@media (max-width: 760px) {
  nav ol { columns: 1; } body { margin: 1em auto; }
  /* The claims table becomes one card per claim: nothing to scroll sideways. */
  table.claims, table.claims tbody, table.claims tr, table.claims td { display: block; }
  table.claims tr:first-child { display: none; }
  table.claims tr { border: 1px solid #d0d7de; margin: 0 0 0.7em; padding: 0.3em 0.5em; }
  table.claims td { border: none; padding: 2px 0; min-width: 0; }
  table.claims td.verdict-wrong::before, table.claims td.verdict-right::before,
  table.claims td.verdict-partly::before, table.claims td.verdict-not-measurable::before,
  table.claims td.verdict-needs-go::before { content: "verdict: "; color: #555; font-weight: normal; }
}
"#;

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::escape(r#"<a href="x">&</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }
}
