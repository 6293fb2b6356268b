//! Tables: one model, printed as aligned text in the terminal and as HTML in the
//! report.

#![forbid(unsafe_code)]

use crate::html::escape;

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text, flush left.
    Left,
    /// Numbers, flush right.
    Right,
}

/// A titled table of text cells.
#[derive(Debug, Clone)]
pub struct Table {
    /// Shown above the table.
    pub title: String,
    /// Column headers and alignment.
    pub columns: Vec<(String, Align)>,
    /// The cells, one `Vec` per row, as many cells as columns.
    pub rows: Vec<Vec<String>>,
    /// Shown below the table, when set.
    pub note: Option<String>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(title: impl Into<String>, columns: &[(&str, Align)]) -> Table {
        Table {
            title: title.into(),
            columns: columns.iter().map(|&(n, a)| (n.to_owned(), a)).collect(),
            rows: Vec::new(),
            note: None,
        }
    }

    /// Appends a row; it must have one cell per column.
    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.columns.len(), "{}", self.title);
        self.rows.push(cells);
    }

    /// Sets the note under the table.
    pub fn with_note(mut self, note: impl Into<String>) -> Table {
        self.note = Some(note.into());
        self
    }

    /// The table as aligned text: title, header, rule, rows, note.
    pub fn to_text(&self) -> String {
        let width = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = self.columns.iter().map(|(n, _)| width(n)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let line = |cells: &mut dyn Iterator<Item = &str>| {
            let parts: Vec<String> = cells
                .zip(&self.columns)
                .zip(&widths)
                .map(|((cell, (_, align)), &w)| {
                    let pad = " ".repeat(w - width(cell));
                    match align {
                        Align::Left => format!("{cell}{pad}"),
                        Align::Right => format!("{pad}{cell}"),
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_owned()
        };
        let mut out = format!("{}\n", self.title);
        out += &line(&mut self.columns.iter().map(|(n, _)| n.as_str()));
        out.push('\n');
        let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
        out += &"-".repeat(total);
        out.push('\n');
        for row in &self.rows {
            out += &line(&mut row.iter().map(String::as_str));
            out.push('\n');
        }
        if let Some(note) = &self.note {
            out += note;
            out.push('\n');
        }
        out
    }

    /// The table as an HTML `<table>` with a caption (and the note after it).
    pub fn to_html(&self) -> String {
        let mut out = format!(
            "<div class=\"wide\"><table>\n<caption>{}</caption>\n<tr>",
            escape(&self.title)
        );
        for (name, _) in &self.columns {
            out += &format!("<th>{}</th>", escape(name));
        }
        out += "</tr>\n";
        for row in &self.rows {
            out += "<tr>";
            for (cell, (_, align)) in row.iter().zip(&self.columns) {
                let class = if *align == Align::Right {
                    " class=\"num\""
                } else {
                    ""
                };
                out += &format!("<td{class}>{}</td>", escape(cell));
            }
            out += "</tr>\n";
        }
        out += "</table></div>\n";
        if let Some(note) = &self.note {
            out += &format!("<p class=\"note\">{}</p>\n", escape(note));
        }
        out
    }
}

/// `n` with thousands separators: `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns() {
        let mut t = Table::new("T", &[("name", Align::Left), ("n", Align::Right)]);
        t.row(vec!["a".into(), "100".into()]);
        t.row(vec!["long".into(), "2".into()]);
        assert_eq!(
            t.to_text(),
            "T\nname    n\n---------\na     100\nlong    2\n"
        );
    }

    #[test]
    fn separates_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(212_993), "212,993");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
