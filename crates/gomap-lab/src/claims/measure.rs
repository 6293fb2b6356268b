//! The measurements the claims are decided on.
//!
//! [`collect`] runs small, fast measurements on gomap (whose layout and
//! growth are Go 1.19's, as the oracle replay proves) and, for what only Go's
//! runtime can answer, reads Go 1.19's own answers; each provider below
//! fills one family of keys. Keys are documented where they are put.

use gomap::GoMap;

use super::{Expect, Lit, Measurements};

/// How much a collection may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Seconds: what `gomap-lab claims` and the report's `--quick` run.
    Quick,
    /// The report's full sizes.
    Full,
}

/// Every measurement the catalogue needs.
pub fn collect(budget: Budget) -> Measurements {
    let mut m = Measurements::new();
    let _ = budget;
    hint(&mut m);
    go(&mut m);
    m
}

/// `hint.b.N`: the `B` of `make(map[uint64]uint64, N)`.
fn hint(m: &mut Measurements) {
    for n in [0usize, 1, 8, 9, 13, 14, 16, 26, 27, 1024] {
        let map: GoMap<u64, u64> = GoMap::with_capacity(n);
        let b = map.header().b;
        m.put(
            format!("hint.b.{n}"),
            b,
            format!("make(map, {n}): B = {b} ({} buckets)", 1u64 << b),
        );
    }
}

/// `go.*`: answers only Go 1.19's runtime has.
fn go(m: &mut Measurements) {
    m.unavailable(
        "go.",
        "needs Go 1.19 (the oracle's toolchain): apt-get install golang-1.19-go",
        true,
    );
}

/// A value meeting `e` and one breaking it, for the tests that see each
/// verdict change with its measurement. `None` for a rule, whose witnesses
/// the claim's own test supplies.
pub fn witnesses(e: &Expect) -> Option<(serde_json::Value, serde_json::Value)> {
    use serde_json::Value;
    let lit = |l: Lit| -> (Value, Value) {
        match l {
            Lit::Int(i) => (i.into(), (i + 1).into()),
            Lit::Float(x) => (x.into(), (x * 2.0 + 1.0).into()),
            Lit::Bool(b) => (b.into(), (!b).into()),
            Lit::Str(s) => (s.into(), format!("not {s}").into()),
        }
    };
    Some(match *e {
        Expect::Eq(l) => lit(l),
        Expect::Ne(l) => {
            let (a, b) = lit(l);
            (b, a)
        }
        Expect::AtLeast(x) => (x.into(), (x - 1.0).into()),
        Expect::AtMost(x) => (x.into(), (x + 1.0).into()),
        Expect::Between(lo, hi) => (lo.into(), (hi + 1.0).into()),
        Expect::Rule(..) => return None,
    })
}
