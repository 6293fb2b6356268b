//! A JSON writer for the snapshot: strings, integers, booleans, and
//! separators. The snapshot holds nothing else, and writing it by hand keeps
//! the module free of serde's derive (the wasm build compiles cold in its
//! own target directory, where `syn` would dominate its time).

#![forbid(unsafe_code)]

use std::fmt::Write as _;

/// JSON text being written; the caller places commas with [`Json::sep`].
#[derive(Debug, Default)]
pub struct Json {
    out: String,
    /// For each open array or object, whether it has no element yet.
    first: Vec<bool>,
    /// A key was just written: the next value takes no comma.
    after_key: bool,
}

impl Json {
    /// An empty writer.
    pub fn new() -> Json {
        Json::default()
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.out
    }

    /// A comma unless this is the first element of the open container.
    fn sep(&mut self) {
        if std::mem::take(&mut self.after_key) {
            return;
        }
        if let Some(first) = self.first.last_mut() {
            if *first {
                *first = false;
            } else {
                self.out.push(',');
            }
        }
    }

    /// Opens an object (as a value).
    pub fn obj(&mut self) -> &mut Self {
        self.sep();
        self.out.push('{');
        self.first.push(true);
        self
    }

    /// Opens an array (as a value).
    pub fn arr(&mut self) -> &mut Self {
        self.sep();
        self.out.push('[');
        self.first.push(true);
        self
    }

    /// Closes the innermost object.
    pub fn end_obj(&mut self) -> &mut Self {
        self.first.pop();
        self.out.push('}');
        self
    }

    /// Closes the innermost array.
    pub fn end_arr(&mut self) -> &mut Self {
        self.first.pop();
        self.out.push(']');
        self
    }

    /// An object key; the next call writes its value.
    pub fn key(&mut self, k: &str) -> &mut Self {
        self.sep();
        push_str(&mut self.out, k);
        self.out.push(':');
        self.after_key = true;
        self
    }

    /// A string value.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.sep();
        push_str(&mut self.out, s);
        self
    }

    /// An unsigned integer value (exact in JSON up to 2^53; larger ones are
    /// written as strings by the snapshot).
    pub fn uint(&mut self, n: u64) -> &mut Self {
        self.sep();
        let _ = write!(self.out, "{n}");
        self
    }

    /// A boolean value.
    pub fn bool(&mut self, b: bool) -> &mut Self {
        self.sep();
        self.out.push_str(if b { "true" } else { "false" });
        self
    }

    /// `null`.
    pub fn null(&mut self) -> &mut Self {
        self.sep();
        self.out.push_str("null");
        self
    }

    /// Text that is already JSON, as a value.
    pub fn raw(&mut self, json: &str) -> &mut Self {
        self.sep();
        self.out.push_str(json);
        self
    }
}

/// `s` as a JSON string literal.
fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::Json;

    #[test]
    fn writes_nested_values_with_commas_and_escapes() {
        let mut j = Json::new();
        j.obj()
            .key("a")
            .uint(1)
            .key("b")
            .arr()
            .str("x\"y\n")
            .null()
            .bool(true)
            .end_arr();
        j.key("c").obj().end_obj().key("d").raw("[1]").end_obj();
        assert_eq!(
            j.finish(),
            r#"{"a":1,"b":["x\"y\n",null,true],"c":{},"d":[1]}"#
        );
    }
}
