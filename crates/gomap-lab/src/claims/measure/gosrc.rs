//! `gosrc.*`: what Go 1.19's own source declares — the functions, files,
//! fields and directives the articles name, and facts the source settles
//! (the `hmap` layout, how a concurrent write is reported).

use std::path::Path;

use super::yes_no;
use crate::claims::Measurements;

/// Where `golang-1.19-go` installs its sources.
pub(super) const GO_ROOT: &str = "/usr/lib/go-1.19/src";

/// Functions the articles name, looked up in `runtime/*.go` and `sync/map.go`.
const FUNCS: &[&str] = &[
    "mapgrow",
    "mapmakewithhmap",
    "mapmaketiny",
    "mapmake",
    "mapmakeref",
    "makemap",
    "makemap_small",
    "hashGrow",
    "growWork",
    "evacuate",
    "mapassign_fast32",
    "mapassign_fast64",
    "newoverflow",
    "largeKeySize",
    "roundupsize",
    "wbwrite",
    "syncWithRemote",
    "dirtyToRead",
    "missLocked",
];

/// Other identifiers the articles name, looked up anywhere in `runtime/*.go`.
const MENTIONS: &[&str] = &["maxOverflowMem", "minFreeObjs"];

/// Files the articles name under `runtime/`.
const FILES: &[&str] = &["map_fast.go", "map_fast64.go", "hashmap.go"];

/// The `.go` files of `dir`, tests left out, concatenated.
fn read_dir(dir: &Path) -> String {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "go") && !p.to_string_lossy().ends_with("_test.go")
        })
        .collect();
    names.sort();
    names
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `src` declares `func name(` or a method `func (..) name(`.
fn declares(src: &str, name: &str) -> bool {
    let call = format!("{name}(");
    src.lines().any(|l| {
        l.strip_prefix("func ").is_some_and(|rest| {
            rest.starts_with(&call)
                || (rest.starts_with('(') && rest.contains(&format!(") {call}")))
        })
    })
}

/// The body of `func name(` in `src`: from its line to the closing `}` at
/// the start of a line.
fn body<'a>(src: &'a str, name: &str) -> &'a str {
    let Some(start) = src.find(&format!("\nfunc {name}(")) else {
        return "";
    };
    let rest = &src[start + 1..];
    let end = rest.find("\n}\n").map_or(rest.len(), |e| e + 3);
    &rest[..end]
}

/// The fields of `type name struct { … }` in `src`, with their types.
fn fields(src: &str, name: &str) -> Vec<(String, String)> {
    let Some(start) = src.find(&format!("\ntype {name} struct {{")) else {
        return Vec::new();
    };
    src[start + 1..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with('}'))
        .filter_map(|l| {
            let code = l.split("//").next().unwrap_or("").trim();
            let mut words = code.split_whitespace();
            match (words.next(), words.next()) {
                (Some(n), Some(t)) => Some((n.to_owned(), t.to_owned())),
                _ => None,
            }
        })
        .collect()
}

/// Size and alignment of a Go type on amd64, for the types `hmap` uses.
fn amd64_size(t: &str) -> Option<usize> {
    Some(match t {
        "uint8" | "int8" | "bool" => 1,
        "uint16" | "int16" => 2,
        "uint32" | "int32" => 4,
        "int" | "uint" | "uintptr" | "int64" | "uint64" | "unsafe.Pointer" => 8,
        _ if t.starts_with('*') => 8,
        _ => return None,
    })
}

/// `gosrc.*` from the sources under `root`; the family is marked
/// unavailable when they are absent.
pub(super) fn gosrc(m: &mut Measurements, root: &Path) {
    let runtime = root.join("runtime");
    if !runtime.join("map.go").exists() {
        m.unavailable(
            "gosrc.",
            format!(
                "needs Go 1.19's sources at {} (apt-get install golang-1.19-go)",
                runtime.display()
            ),
            true,
        );
        return;
    }
    let rt = read_dir(&runtime);
    let sync = std::fs::read_to_string(root.join("sync/map.go")).unwrap_or_default();
    let all = format!("{rt}\n{sync}");
    let map_go = std::fs::read_to_string(runtime.join("map.go")).unwrap_or_default();
    let fast64 = std::fs::read_to_string(runtime.join("map_fast64.go")).unwrap_or_default();
    let fast_all = format!(
        "{map_go}\n{fast64}\n{}\n{}",
        std::fs::read_to_string(runtime.join("map_fast32.go")).unwrap_or_default(),
        std::fs::read_to_string(runtime.join("map_faststr.go")).unwrap_or_default()
    );

    for name in FUNCS {
        let d = declares(&all, name);
        m.put(
            format!("gosrc.defines.{name}"),
            d,
            format!(
                "Go 1.19's runtime and sync.Map {} func {name}",
                if d { "declare" } else { "do not declare" }
            ),
        );
    }
    for name in MENTIONS {
        let d = all.contains(name);
        m.put(
            format!("gosrc.mentions.{name}"),
            d,
            format!("Go 1.19's runtime mentions {name}: {}", yes_no(d)),
        );
    }
    for name in FILES {
        let e = runtime.join(name).exists();
        m.put(
            format!("gosrc.file.{name}"),
            e,
            format!(
                "src/runtime/{name} {}",
                if e { "exists" } else { "does not exist" }
            ),
        );
    }
    let mcache = std::fs::read_to_string(runtime.join("mcache.go")).unwrap_or_default();
    let d = declares(&mcache, "allocSpan");
    m.put(
        "gosrc.mcache_go.defines.allocSpan",
        d,
        format!(
            "mcache.go {} allocSpan (it is mheap's)",
            if d { "declares" } else { "does not declare" }
        ),
    );
    let reflect = read_dir(&root.join("reflect"));
    let d = reflect.contains("type MapHeader struct");
    m.put(
        "gosrc.reflect.defines.MapHeader",
        d,
        format!("package reflect has a MapHeader type: {}", yes_no(d)),
    );
    let noder = read_dir(&root.join("cmd/compile/internal/noder"));
    let d = rt.contains("go:dumpmaps") || noder.contains("go:dumpmaps");
    m.put(
        "gosrc.directive.dumpmaps",
        d,
        format!(
            "the compiler's directives and the runtime mention go:dumpmaps: {}",
            yes_no(d)
        ),
    );

    let hmap = fields(&map_go, "hmap");
    let mut off = 0usize;
    let mut align = 1usize;
    let mut ok = !hmap.is_empty();
    for (name, ty) in &hmap {
        let Some(size) = amd64_size(ty) else {
            ok = false;
            break;
        };
        off = off.div_ceil(size) * size;
        m.put(
            format!("gosrc.hmap.offset.{name}"),
            off,
            format!("hmap.{name} ({ty}) at byte {off}"),
        );
        off += size;
        align = align.max(size);
    }
    if ok {
        let size = off.div_ceil(align) * align;
        m.put(
            "gosrc.hmap.size",
            size,
            format!("hmap's {} fields take {size} bytes on amd64", hmap.len()),
        );
    }
    for name in ["bucketShift", "newbuckets", "keysize"] {
        let has = hmap.iter().any(|(n, _)| n == name);
        m.put(
            format!("gosrc.hmap.has_field.{name}"),
            has,
            format!("hmap has a field {name}: {}", yes_no(has)),
        );
    }
    let bmap = fields(&map_go, "bmap");
    for name in ["lock", "dirty"] {
        let has = bmap.iter().any(|(n, _)| n.contains(name));
        m.put(
            format!("gosrc.bmap.has_field.{name}"),
            has,
            format!(
                "bmap's fields ({}) include a {name}: {}",
                bmap.iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                yes_no(has)
            ),
        );
    }
    let flags: Vec<&str> = map_go
        .split("// flags")
        .nth(1)
        .unwrap_or("")
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for name in ["bucketShift", "sameSizeGrow", "hashWriting"] {
        let d = flags.contains(&name);
        m.put(
            format!("gosrc.flag_defined.{name}"),
            d,
            format!(
                "the header flags are {}; {name} {} one",
                flags.join(", "),
                if d { "is" } else { "is not" }
            ),
        );
    }

    let assign = body(&map_go, "mapassign");
    if let Some(line) = assign.lines().find(|l| l.contains("if !h.growing() && (")) {
        let inner = line.split("&& (").nth(1).unwrap_or("");
        let n = inner.split("||").count();
        m.put(
            "gosrc.growth_triggers",
            n,
            format!(
                "mapassign starts a growth on {n} conditions: {}",
                line.trim()
            ),
        );
    }
    let check = assign.find("fatal(\"concurrent map writes\")");
    let set = assign.find("h.flags ^= hashWriting");
    let before = matches!((check, set), (Some(c), Some(s)) if c < s);
    m.put(
        "gosrc.mapassign.checks_before_setting",
        before,
        format!(
            "mapassign checks hashWriting before it sets it: {}",
            yes_no(before)
        ),
    );
    let f64 = body(&fast64, "mapassign_fast64");
    for (key, needle, what) in [
        (
            "calls_growwork",
            "growWork_fast64(",
            "calls growWork_fast64",
        ),
        ("handles_growing", "h.growing()", "tests h.growing()"),
        (
            "checks_hashwriting",
            "h.flags&hashWriting",
            "tests hashWriting",
        ),
    ] {
        let d = f64.contains(needle);
        m.put(
            format!("gosrc.fast64.{key}"),
            d,
            format!("mapassign_fast64 {what}: {}", yes_no(d)),
        );
    }
    let or8 = fast64.contains("atomic.Or8");
    m.put(
        "gosrc.fast64.uses_atomic_or8",
        or8,
        format!("map_fast64.go uses atomic.Or8: {}", yes_no(or8)),
    );
    let atomic_line = |word: &str| {
        fast_all
            .lines()
            .any(|l| l.contains(word) && l.contains("atomic."))
    };
    let hw = atomic_line("hashWriting");
    m.put(
        "gosrc.hashwriting_check_atomic",
        hw,
        format!(
            "the map code reads or writes hashWriting with an atomic: {}",
            yes_no(hw)
        ),
    );
    let nv = atomic_line("nevacuate");
    m.put(
        "gosrc.nevacuate_atomic",
        nv,
        format!(
            "the map code updates nevacuate with an atomic: {}",
            yes_no(nv)
        ),
    );
    let del = body(&map_go, "mapdelete");
    let store = if del.contains("atomic.") {
        "atomic"
    } else {
        "plain"
    };
    m.put(
        "gosrc.mapdelete.tophash_store",
        store,
        format!("mapdelete marks the slot with a {store} store (b.tophash[i] = emptyOne)"),
    );
    let rs = body(&map_go, "makemap").contains("roundupsize");
    m.put(
        "gosrc.makemap.calls_roundupsize",
        rs,
        format!("makemap itself calls roundupsize: {}", yes_no(rs)),
    );
    let fatal = map_go.contains("fatal(\"concurrent map writes\")");
    let throw = map_go.contains("throw(\"concurrent map writes\")");
    m.put(
        "gosrc.concurrent_writes.unrecoverable",
        fatal || throw,
        format!(
            "map.go reports concurrent map writes with {}, which recover cannot catch",
            if fatal { "fatal" } else { "throw" }
        ),
    );
    m.put(
        "gosrc.concurrent_writes.call",
        if fatal { "fatal" } else { "throw" },
        format!(
            "the call is {}(\"concurrent map writes\")",
            if fatal { "fatal" } else { "throw" }
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_sources_mark_the_family_needs_go() {
        let mut m = Measurements::new();
        gosrc(&mut m, Path::new("/nonexistent/go/src"));
        assert_eq!(m.keys().count(), 0);
        let why = m
            .why_missing("gosrc.hmap.size")
            .expect("marked unavailable");
        assert!(why.needs_go, "{}", why.reason);
    }

    #[test]
    fn parses_declarations_bodies_and_fields() {
        let src = "package runtime\n\ntype hmap struct {\n\tcount int // live\n\tflags uint8\n}\n\nfunc (h *hmap) growing() bool {\n\treturn h.oldbuckets != nil\n}\n\nfunc growWork(t *maptype) {\n\tevacuate(t)\n}\n";
        assert!(declares(src, "growWork"));
        assert!(declares(src, "growing"));
        assert!(!declares(src, "evacuate"));
        assert!(body(src, "growWork").contains("evacuate(t)"));
        assert!(!body(src, "growWork").contains("oldbuckets"));
        assert_eq!(
            fields(src, "hmap"),
            vec![
                ("count".to_owned(), "int".to_owned()),
                ("flags".to_owned(), "uint8".to_owned())
            ]
        );
    }
}
