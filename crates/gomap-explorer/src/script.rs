//! A scenario's operations and their text form — the `ops=` part of the
//! page's URL fragment.
//!
//! Tokens are separated by commas or white space:
//!
//! | token | op |
//! |---|---|
//! | `i7`, `i7=70` | insert key 7 (value 7, or 70) |
//! | `i1-27` | insert 1, 2, …, 27 (`u64` keys only; `d` and `g` too) |
//! | `d7` | delete key 7 |
//! | `g7` | look key 7 up |
//! | `r` | start a range cursor |
//! | `n` | the cursor's next entry |
//! | `nd` | the cursor's next entry, then delete it |
//! | `ni` | the cursor's next entry, then insert a new key ([`Key::inserted_while_ranging`]) |
//! | `t*N` | token `t`, `N` times |
//!
//! With string keys the key is the token's text after the letter (and
//! before any `=`).

#![forbid(unsafe_code)]

use std::fmt;

/// The key type of a scenario's map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// `map[uint64]uint64`.
    U64,
    /// `map[string]uint64`.
    Str,
}

impl KeyType {
    /// `"u64"` or `"str"`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::U64 => "u64",
            KeyType::Str => "str",
        }
    }
}

/// A key of either type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// A `u64` key.
    U64(u64),
    /// A string key.
    Str(Box<str>),
}

impl Key {
    /// The key a `ni` op inserts after the cursor yielded `self`: `k + 1000`
    /// (wrapping), or the string with `+` appended.
    pub fn inserted_while_ranging(&self) -> Key {
        match self {
            Key::U64(k) => Key::U64(k.wrapping_add(1000)),
            Key::Str(s) => Key::Str(format!("{s}+").into()),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::U64(k) => write!(f, "{k}"),
            Key::Str(s) => f.write_str(s),
        }
    }
}

/// What a range step does after the cursor yields an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Nothing (`n`).
    Nothing,
    /// Delete the entry it yielded (`nd`).
    Delete,
    /// Insert a new key (`ni`).
    Insert,
}

/// One operation of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `m[k] = v`.
    Insert(Key, u64),
    /// `delete(m, k)`.
    Remove(Key),
    /// `v, ok := m[k]`.
    Get(Key),
    /// `for k, v := range m {` — starts a cursor, replacing any other.
    RangeStart,
    /// One iteration of the range loop.
    RangeNext(Then),
}

impl fmt::Display for Op {
    /// The op's token, in the form [`parse`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Insert(k, v) => match k {
                Key::U64(n) if n == v => write!(f, "i{k}"),
                _ => write!(f, "i{k}={v}"),
            },
            Op::Remove(k) => write!(f, "d{k}"),
            Op::Get(k) => write!(f, "g{k}"),
            Op::RangeStart => f.write_str("r"),
            Op::RangeNext(Then::Nothing) => f.write_str("n"),
            Op::RangeNext(Then::Delete) => f.write_str("nd"),
            Op::RangeNext(Then::Insert) => f.write_str("ni"),
        }
    }
}

/// The most ops one text may expand to (a guard against `i0-99999999999`).
pub const MAX_OPS: usize = 1_000_000;

/// Why a text is not a list of ops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses `text` (the syntax of the module docs) into ops on keys of type `kt`.
pub fn parse(text: &str, kt: KeyType) -> Result<Vec<Op>, ParseError> {
    let mut ops = Vec::new();
    for token in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        let (body, times) = match token.rsplit_once('*') {
            Some((body, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                let n: usize = n
                    .parse()
                    .map_err(|_| ParseError(format!("{token}: repeat count too large")))?;
                (body, n)
            }
            _ => (token, 1),
        };
        let one = parse_token(body, kt)?;
        if ops.len() + one.len().saturating_mul(times) > MAX_OPS {
            return Err(ParseError(format!("more than {MAX_OPS} ops")));
        }
        for _ in 0..times {
            ops.extend(one.iter().cloned());
        }
    }
    Ok(ops)
}

fn parse_token(token: &str, kt: KeyType) -> Result<Vec<Op>, ParseError> {
    let bad = |why: &str| ParseError(format!("{token}: {why}"));
    match token {
        "r" => return Ok(vec![Op::RangeStart]),
        "n" => return Ok(vec![Op::RangeNext(Then::Nothing)]),
        "nd" => return Ok(vec![Op::RangeNext(Then::Delete)]),
        "ni" => return Ok(vec![Op::RangeNext(Then::Insert)]),
        _ => {}
    }
    let mut chars = token.chars();
    let letter = chars.next().ok_or_else(|| bad("empty"))?;
    let rest = chars.as_str();
    let (key_text, value) = match rest.split_once('=') {
        Some((k, v)) if letter == 'i' => {
            let v = v
                .parse::<u64>()
                .map_err(|_| bad("the value is not a u64"))?;
            (k, Some(v))
        }
        _ => (rest, None),
    };
    if key_text.is_empty() {
        return Err(bad("no key"));
    }
    let keys: Vec<Key> = match kt {
        KeyType::Str => vec![Key::Str(key_text.into())],
        KeyType::U64 => match key_text.split_once('-') {
            Some((a, b)) => {
                let a = a.parse::<u64>().map_err(|_| bad("not a u64 range"))?;
                let b = b.parse::<u64>().map_err(|_| bad("not a u64 range"))?;
                if b < a || b - a >= MAX_OPS as u64 {
                    return Err(bad("a range runs low to high, at most a million keys"));
                }
                (a..=b).map(Key::U64).collect()
            }
            None => vec![Key::U64(
                key_text.parse().map_err(|_| bad("the key is not a u64"))?,
            )],
        },
    };
    keys.into_iter()
        .map(|k| match letter {
            'i' => {
                let v = value.unwrap_or(match k {
                    Key::U64(n) => n,
                    Key::Str(_) => 0,
                });
                Ok(Op::Insert(k, v))
            }
            'd' => Ok(Op::Remove(k)),
            'g' => Ok(Op::Get(k)),
            _ => Err(bad("an op starts with i, d, g, r or n")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_repeats_and_values() {
        let ops = parse("i1-3, d2 g9\ni5=50,r,nd*2,ni", KeyType::U64).unwrap();
        let text: Vec<String> = ops.iter().map(|o| o.to_string()).collect();
        assert_eq!(
            text,
            ["i1", "i2", "i3", "d2", "g9", "i5=50", "r", "nd", "nd", "ni"]
        );
        for (op, t) in ops.iter().zip(&text) {
            assert_eq!(&parse(t, KeyType::U64).unwrap()[0], op);
        }
    }

    #[test]
    fn string_keys_are_the_text() {
        let ops = parse("igo=1,drust", KeyType::Str).unwrap();
        assert_eq!(
            ops,
            [
                Op::Insert(Key::Str("go".into()), 1),
                Op::Remove(Key::Str("rust".into()))
            ]
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in ["x1", "i", "ia", "i3-1", "i1=z", "i0-99999999"] {
            assert!(parse(bad, KeyType::U64).is_err(), "{bad}");
        }
        assert!(parse("i1*2000000", KeyType::U64).is_err());
    }
}
