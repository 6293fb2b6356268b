//! # gomap-lab: proving gomap is Go's map
//!
//! Go's map cannot be observed from Rust, so the project's Go oracle records one: it
//! runs a script of map operations on a real Go 1.19 runtime map and writes, as JSON
//! lines, every operation with the hash the runtime computed and the header it
//! reached, and full dumps of the bucket layout (the format is fixed by
//! `shared/go-map/PROTOCOL.md`). This crate replays such a recording on
//! [`gomap::GoMap`] with the very same hashes and seeds, writes what gomap reached in
//! the same format, and compares the two streams under the protocol's rules.
//!
//! The pieces, in the order data flows through them:
//! - [`protocol`]: the record types and the parsing of one line.
//! - [`input`]: streams from files (plain or gzip) or standard input, record by
//!   record with line numbers.
//! - [`hashes`]: the recorded-hash table and the `BuildHasher` that answers from it.
//! - [`replay`]: drives gomap through a stream.
//! - [`dump`]: gomap's `layout()` written as records.
//! - [`compare`]: the protocol's "What a replay must match", record by record.
//! - [`verify`]: replay and comparison in one pass.
//! - [`swiss_protocol`], [`swiss_replay`], [`swiss_compare`]: the same for
//!   Go 1.27.3's Swiss map (`oracle/swiss`, `SWISS-PROTOCOL.md`): records,
//!   a replay on [`gomap::SwissMap`] that recomputes every hash, and the
//!   comparison; `replay`, `compare` and `verify` tell a Swiss stream by its
//!   first record.
//! - [`syncmap_oracle`]: the same for `sync.Map`: scripts, Go 1.19's records of
//!   them, SyncMap's, and their comparison.
//!
//! The lab's second job is the articles' experiments (`gomap-lab hint`, `grow`,
//! `layout`, `reuse`, `prealloc`, `loadfactor`, `latency`, `trace`, `syncmap` — the
//! one experiment on [`gomap::SyncMap`], compared with recordings of Go 1.19's
//! `sync.Map` made by `oracle/syncmap` — the Swiss map's `swiss`, `swiss-hint`,
//! `swiss-growth` and `swiss-tombstones`, which run [`gomap::SwissMap`] beside
//! the classic map on the same keys — and `report`,
//! which runs them all into one HTML page). Each lives in [`experiments`] and
//! returns a typed result; [`claims`] quotes what the articles in `shared/seeds/`
//! said, so every result can stand beside the claim it tests. Shared pieces:
//! [`table`] (terminal and HTML tables), [`jsonl`] (`--json` lines), [`plot`] (SVG
//! line charts), [`diagram`] (SVG bucket diagrams), [`progress`] (progress bars),
//! [`kv`] (key/value types), [`hashers`] and [`rng`] (reproducible hashing and
//! randomness), [`html`] and [`report`] (the page), and [`explore`] (the
//! explorer page beside it, which runs gomap compiled to WebAssembly).
//!
//! Two modules answer what only a real runtime or the kernel can: [`gofacts`]
//! builds and runs small Go 1.19 programs (`oracle/claims`) for the header's
//! layout, allocation and GC figures, escape analysis and the concurrent-write
//! crash; [`syscalls`] runs gomap (`gomap-syscall-probe`) and Go under strace
//! and counts each phase's memory system calls. [`child`] runs those programs
//! with deadlines.
//!
//! Nothing here needs `unsafe`: the map's layout is read through its public views.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod child;
pub mod claims;
pub mod compare;
pub mod diagram;
pub mod dump;
pub mod experiments;
pub mod explore;
pub mod gofacts;
pub mod hashers;
pub mod hashes;
pub mod html;
pub mod input;
pub mod jsonl;
pub mod kv;
pub mod plot;
pub mod progress;
pub mod protocol;
pub mod replay;
pub mod report;
pub mod rng;
pub mod swiss_compare;
pub mod swiss_protocol;
pub mod swiss_replay;
pub mod syncmap_oracle;
pub mod syscalls;
pub mod table;
pub mod verify;
