//! Every hash the Swiss oracle recorded, recomputed by `gomap::gohash` from
//! its stream's `hashkey` and the op's `seed`: the public samples
//! (testdata/swiss/samples, including s8_strlen's strings of every length
//! 0–70 and longer ones to 200: every branch of the string hash) and the committed recordings
//! (testdata/swiss/recorded). A recording made by scripts/record-swiss.sh
//! can be checked the same way with GOMAP_SWISS_RECORDINGS=DIR.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use core::hash::{BuildHasher, Hash, Hasher};
use gomap::gohash::{hash_str, hash_u64, GoHashBuilder};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn streams(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".jsonl") || n.ends_with(".jsonl.gz")
        })
        .collect();
    v.sort();
    v
}

fn open(path: &Path) -> Box<dyn BufRead> {
    let f = fs::File::open(path).unwrap();
    let r: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(f))
    } else {
        Box::new(f)
    };
    Box::new(BufReader::new(r))
}

/// Recomputes every `hash` of one stream three ways (the functions and the
/// `BuildHasher` fed as a map feeds it); returns (u64 keys, str keys) checked.
fn check_stream(path: &Path) -> (usize, usize) {
    let mut hk: Option<[u64; 4]> = None;
    let (mut nu, mut ns) = (0, 0);
    for (n, line) in open(path).lines().enumerate() {
        let r: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let at = || format!("{}:{}", path.display(), n + 1);
        if r["t"] == "env" {
            let v: Vec<u64> = r["hashkey"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect();
            hk = Some(v.try_into().unwrap());
            assert_eq!(r["aes"], false, "{}", at());
            continue;
        }
        let Some(hash) = r.get("hash").and_then(Value::as_u64) else {
            continue;
        };
        let hk = hk.unwrap_or_else(|| panic!("{}: op before env", at()));
        let seed = r["seed"].as_u64().unwrap();
        let b = GoHashBuilder { hashkey: hk };
        let mut h = b.build_hasher();
        h.write_u64(seed);
        let want = match &r["key"] {
            Value::String(s) => {
                ns += 1;
                s.hash(&mut h);
                hash_str(s.as_bytes(), seed, &hk)
            }
            k => {
                nu += 1;
                let k = k.as_u64().unwrap();
                k.hash(&mut h);
                hash_u64(k, seed, &hk)
            }
        };
        assert_eq!(want, hash, "{}: key {} seed {seed}", at(), r["key"]);
        assert_eq!(h.finish(), hash, "{}: via GoHashBuilder", at());
    }
    assert!(hk.is_some(), "{}: no env record", path.display());
    (nu, ns)
}

#[test]
fn samples_hashes_recomputed() {
    let (mut nu, mut ns) = (0, 0);
    for p in streams(&repo().join("testdata/swiss/samples")) {
        let (u, s) = check_stream(&p);
        nu += u;
        ns += s;
    }
    assert!(
        nu > 100 && ns > 300,
        "{nu} u64 and {ns} str hashes: the samples are missing"
    );
}

#[test]
fn strlen_sample_covers_every_length() {
    let p = repo().join("testdata/swiss/samples/s8_strlen.jsonl");
    let mut lens = std::collections::BTreeSet::new();
    for line in open(&p).lines() {
        let r: Value = serde_json::from_str(&line.unwrap()).unwrap();
        if let Some(s) = r.get("key").and_then(Value::as_str) {
            lens.insert(s.len());
        }
    }
    // Every length up to 70 (each short branch, one and two 16-byte rounds,
    // one 48-byte round) and longer ones up to 200 (several 48-byte rounds).
    assert!(
        (0..=70).all(|l| lens.contains(&l)),
        "short lengths missing from {}",
        p.display()
    );
    assert!(
        lens.contains(&200) && lens.range(97..200).count() > 5,
        "long lengths missing from {}",
        p.display()
    );
    check_stream(&p);
}

#[test]
#[cfg_attr(miri, ignore = "reads ~2 MB of gzipped recordings")]
fn recordings_hashes_recomputed() {
    let dir = std::env::var_os("GOMAP_SWISS_RECORDINGS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("testdata/swiss/recorded"));
    let files = streams(&dir);
    assert!(!files.is_empty(), "no recordings in {}", dir.display());
    let (mut nu, mut ns) = (0, 0);
    for p in files {
        let (u, s) = check_stream(&p);
        nu += u;
        ns += s;
    }
    assert!(nu > 10_000 && ns > 1_000, "{nu} u64 and {ns} str hashes");
}

/// Go 1.19's fallback hash, recomputed from vectors a Go 1.19 process
/// printed under GODEBUG=cpu.aes=off (testdata/swiss/go119): the same family,
/// keyed by hashkey[0] and a 32-bit seed.
#[test]
fn go119_vectors_recomputed() {
    use gomap::gohash::{hash_str_go119, hash_u64_go119};
    let p = repo().join("testdata/swiss/go119/fallback_hashes.jsonl");
    let mut lines = open(&p)
        .lines()
        .map(|l| serde_json::from_str::<Value>(&l.unwrap()).unwrap());
    let head = lines.next().unwrap();
    assert_eq!(head["aes"], false);
    let hk: Vec<u64> = head["hashkey"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    let b = GoHashBuilder {
        hashkey: hk.clone().try_into().unwrap(),
    };
    let (mut nu, mut ns) = (0, 0);
    for r in lines {
        let hash0 = u32::try_from(r["hash0"].as_u64().unwrap()).unwrap();
        let want = r["hash"].as_u64().unwrap();
        let mut h = b.build_hasher();
        h.write_u32(hash0); // GoMap's seed write
        let got = match &r["key"] {
            Value::String(s) => {
                ns += 1;
                s.hash(&mut h);
                hash_str_go119(s.as_bytes(), hash0, hk[0])
            }
            k => {
                nu += 1;
                let k = k.as_u64().unwrap();
                k.hash(&mut h);
                hash_u64_go119(k, hash0, hk[0])
            }
        };
        assert_eq!(got, want, "key {} hash0 {hash0}", r["key"]);
        assert_eq!(h.finish(), want, "key {} via GoHashBuilder", r["key"]);
    }
    assert_eq!((nu, ns), (64, 201));
}
