"use strict";
// The explorer page: drives the gomap engine (crates/gomap-explorer, built
// for wasm32-unknown-unknown and embedded above as base64) through its
// integer-only exports and draws the JSON snapshots it returns. Every op
// runs on both generations (the classic map and the Swiss map); the engine
// selector chooses which is drawn, or both side by side. Only the rows of
// the bucket and group lists that are on screen are drawn.

const ROW = 74;            // px per bucket row (a chain of buckets)
const ROW_S = 64;          // px per Swiss group row
const HEAT_CELLS = 128;    // summary cells per array
const WORKLOADS = { seq: 0, rand: 1, coll: 2, churn: 3, scoll: 4 };
const ENGINES = ["classic", "swiss", "both"];
const $ = (id) => document.getElementById(id);
const enc = new TextEncoder();
const dec = new TextDecoder();
const errors = [];
window.addEventListener("error", (e) => errors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => errors.push("unhandled rejection: " + String(e.reason)));
{
  const original = console.error.bind(console);
  console.error = (...args) => { errors.push(args.map(String).join(" ")); original(...args); };
}

let X = null;                 // the module's exports
const S = { kt: "u64", hint: 0, seed: 1, eng: "classic", parts: [] }; // the scenario; parts: {tok, n}
let snap = null;              // the last classic snapshot
let ssnap = null;             // the last Swiss snapshot
let prevSwiss = null;         // the Swiss header before the last op
let stimeline = [];           // the Swiss map's events taken so far
let stimelineSkipped = 0;
let prevHeader = null;        // the header before the last op
let timeline = [];            // events taken so far
let timelineSkipped = 0;
let playing = false;
let writtenHash = "";

// ---- the module --------------------------------------------------------

function outText(len) {
  return dec.decode(new Uint8Array(X.memory.buffer, X.gm_out_ptr(), len));
}
function pushText(s) {
  for (const b of enc.encode(s)) X.gm_byte(b);
}
function keyType() { return S.kt === "str" ? 1 : 0; }

/// Appends one part of the scenario (an ops text or `w:kind:n`) to the
/// module's script; returns the number of ops it added, or throws.
function pushPart(tok) {
  const before = X.gm_len();
  const w = /^w:(seq|rand|coll|churn|scoll):(\d+)$/.exec(tok);
  if (w) {
    X.gm_push_workload(WORKLOADS[w[1]], Math.min(+w[2], 1000000));
  } else {
    pushText(tok);
    if (X.gm_push_ops() < 0) throw new Error(outText(X.gm_out_len()));
  }
  return X.gm_len() - before;
}

function makeMap() {
  X.gm_make(keyType(), Math.max(0, Math.min(S.hint | 0, 1 << 20)), BigInt(S.seed));
  timeline = [];
  timelineSkipped = 0;
  stimeline = [];
  stimelineSkipped = 0;
  prevHeader = null;
  prevSwiss = null;
}

/// Rebuilds the module's state from S and moves to `pos`.
function load(pos) {
  makeMap();
  const parts = S.parts;
  S.parts = [];
  for (const p of parts) {
    try {
      S.parts.push({ tok: p.tok, n: pushPart(p.tok) });
    } catch (e) {
      showError(e.message);
    }
  }
  seek(pos);
}

/// Drops the parts after op `pos`, turning a part cut in two into its
/// ops' text (what the module's script holds after a typed op).
function truncateParts(pos) {
  let at = 0;
  const kept = [];
  for (const p of S.parts) {
    if (at + p.n <= pos) { kept.push(p); at += p.n; continue; }
    if (at < pos) kept.push({ tok: outText(X.gm_script_text(at, pos)), n: pos - at });
    break;
  }
  S.parts = kept;
}

// ---- stepping ----------------------------------------------------------

/// Appends the events the module has not handed out yet to a timeline
/// (the classic map's, or the Swiss map's with `swiss`), keeping the last 5000.
function takeEventsOf(swiss) {
  const e = JSON.parse(outText(swiss ? X.gm_take_swiss_events(2000) : X.gm_take_events(2000)));
  let list = swiss ? stimeline : timeline;
  let skipped = e.skipped;
  for (const ev of e.events) { ev.eng = swiss ? "swiss" : "classic"; list.push(ev); }
  if (list.length > 5000) {
    skipped += list.length - 5000;
    list = list.slice(-5000);
  }
  if (swiss) { stimeline = list; stimelineSkipped += skipped; } else { timeline = list; timelineSkipped += skipped; }
}

function takeEvents() {
  takeEventsOf(false);
  takeEventsOf(true);
}

function afterOps(focus) {
  prevHeader = snap ? snap.h : null;
  prevSwiss = ssnap ? ssnap.h : null;
  takeEvents();
  render(focus);
  writeHash();
}

function step(n) {
  if (X.gm_step(n) > 0) afterOps(true);
}

function seek(pos) {
  const cur = X.gm_pos();
  if (pos < cur) { timeline = []; timelineSkipped = 0; stimeline = []; stimelineSkipped = 0; }
  X.gm_seek(Math.max(0, pos));
  afterOps(true);
}

function jump() {
  X.gm_step_until(+$("evKind").value, 1 << 30);
  afterOps(true);
}

/// Applies a typed op now: `fn` calls the module, `tok` is its token.
function typed(fn, tok) {
  truncateParts(X.gm_pos());
  fn();
  S.parts.push({ tok, n: 1 });
  afterOps(true);
}

function play() {
  playing = !playing;
  $("play").textContent = playing ? "pause" : "play";
  if (!playing) { writeHash(); return; }
  let last = performance.now();
  let acc = 0;
  const tick = (now) => {
    if (!playing) return;
    acc += ((now - last) / 1000) * +$("speed").value;
    last = now;
    const n = Math.floor(acc);
    if (n > 0) {
      acc -= n;
      X.gm_step(n);
      prevHeader = snap ? snap.h : null;
      prevSwiss = ssnap ? ssnap.h : null;
      takeEvents();
      render(true);
    }
    if (X.gm_pos() >= X.gm_len()) { playing = false; $("play").textContent = "play"; writeHash(); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

// ---- the URL -----------------------------------------------------------

function scenarioHash() {
  const ops = S.parts.map((p) => p.tok).join(",");
  // Escaped for the fragment, but with the op syntax's , = : * left readable.
  const text = encodeURIComponent(ops).replace(/%2C/g, ",").replace(/%3D/g, "=").replace(/%3A/g, ":").replace(/%2A/g, "*");
  return `#eng=${S.eng}&kt=${S.kt}&hint=${S.hint}&seed=${S.seed}&ops=${text}&pos=${X.gm_pos()}`;
}

function writeHash() {
  const h = scenarioHash();
  if (h === location.hash) return;
  writtenHash = h;
  try { history.replaceState(null, "", h); } catch (e) { /* a sandboxed file:// page may refuse */ }
}

function parseHash(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  return {
    eng: ENGINES.includes(p.get("eng")) ? p.get("eng") : "classic",
    kt: p.get("kt") === "str" ? "str" : "u64",
    hint: Math.max(0, parseInt(p.get("hint") || "0", 10) || 0),
    seed: Math.max(0, parseInt(p.get("seed") || "1", 10) || 0),
    ops: p.get("ops") || "",
    pos: p.has("pos") ? parseInt(p.get("pos"), 10) || 0 : 0,
    auto: p.get("auto") || "",
  };
}

/// The ops text split into parts: runs of plain tokens, and workloads.
function splitParts(ops) {
  const parts = [];
  let run = [];
  for (const t of ops.split(",").map((t) => t.trim()).filter((t) => t)) {
    if (t.startsWith("w:")) {
      if (run.length) { parts.push({ tok: run.join(","), n: 0 }); run = []; }
      parts.push({ tok: t, n: 0 });
    } else {
      run.push(t);
    }
  }
  if (run.length) parts.push({ tok: run.join(","), n: 0 });
  return parts;
}

function loadHash(hash) {
  const h = parseHash(hash);
  S.kt = h.kt; S.hint = h.hint; S.seed = h.seed;
  S.parts = splitParts(h.ops);
  $("kt").value = S.kt; $("hint").value = S.hint; $("seed").value = S.seed;
  setEngine(h.eng);
  load(h.pos);
  return h;
}

// ---- drawing -----------------------------------------------------------

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
}
function hex2(n) { return n.toString(16).padStart(2, "0"); }

function showError(msg) { $("err").textContent = msg || ""; }

/// The rows of a virtual list of `n` rows of `row` px that are on screen.
function windowOf(el, n, row = ROW) {
  const h = parseFloat(el.style.height) || el.clientHeight || 300;
  const first = Math.max(0, Math.floor(el.scrollTop / row) - 1);
  return { first, count: Math.max(0, Math.min(n - first, Math.ceil(h / row) + 3)) };
}

function sizeList(el, n, maxH, row = ROW) {
  el.style.height = Math.max(row, Math.min(n * row, maxH)) + 8 + "px";
  el.firstElementChild.style.height = n * row + "px";
}

function takeSnapshot() {
  const list = $("list"), olist = $("olist");
  const nb = snap ? snap.nb : 1, onb = snap ? snap.onb : 0;
  const w = windowOf(list, nb), ow = windowOf(olist, onb);
  return JSON.parse(outText(X.gm_snapshot(w.first, w.count, ow.first, ow.count, HEAT_CELLS)));
}

/// Where the last op's key lives now: its bucket in the current array.
function keyBucket(s) {
  const k = s.last && s.last.key;
  if (!k) return -1;
  return Number(BigInt("0x" + k.hash) & BigInt(s.nb - 1));
}

function showsClassic() { return S.eng !== "swiss"; }
function showsSwiss() { return S.eng !== "classic"; }

function render(focus) {
  if (showsClassic()) renderClassic(focus);
  if (showsSwiss()) renderSwiss(focus);
  const s = showsClassic() ? snap : ssnap;
  drawRanges();
  drawEvents();
  $("pos").textContent = `${s.pos} / ${s.len}`;
  const scrub = $("scrub");
  scrub.max = s.len;
  scrub.value = s.pos;
}

function renderClassic(focus) {
  let s = takeSnapshot();
  const list = $("list"), olist = $("olist");
  const maxH = Math.max(300, window.innerHeight * 0.62);
  const sized = !snap || s.nb !== snap.nb || s.onb !== snap.onb;
  if (sized) {
    sizeList(list, s.nb, maxH);
    sizeList(olist, s.onb, Math.max(160, window.innerHeight * 0.3));
  }
  if (focus && s.last) {
    // Bring the op's bucket into view (both arrays while growing).
    const kb = keyBucket(s);
    const p = s.last.probe;
    if (kb >= 0) scrollTo(list, kb);
    if (p && p.old) scrollTo(olist, p.bucket);
  }
  snap = s;
  s = takeSnapshot();
  snap = s;
  drawHeader(s);
  drawStep(s);
  drawLists(s);
}

function scrollTo(el, b, row = ROW) {
  const h = parseFloat(el.style.height) || el.clientHeight;
  const top = b * row;
  if (top < el.scrollTop || top + row > el.scrollTop + h - 8) el.scrollTop = Math.max(0, top - h / 3);
}

function drawHeader(s) {
  const h = s.h, p = prevHeader;
  const ch = (k) => (p && p[k] !== h[k] ? ' class="chg"' : "");
  const rows = [
    ["count", h.count, "live entries", "count"],
    ["B", `${h.B}`, `2^B = ${s.nb} buckets · load ${(h.count / s.nb).toFixed(2)} per bucket (grows above 6.5)`, "B"],
    ["flags", h.flags, h.same_size ? "sameSizeGrow: this growth keeps B" : "", "flags"],
    ["noverflow", h.noverflow, "overflow buckets since the last growth (same-size growth at ≈ 2^B)", "noverflow"],
    ["hash0", "0x" + h.hash0.toString(16).padStart(8, "0"), "the seed written into every hash", "hash0"],
    ["buckets", s.arr_len ? "array" : "nil", `${s.arr_len} buckets allocated (2^B + pool), ${s.bucket_size} bytes each`, "B"],
    ["oldbuckets", h.growing ? "old array" : "nil", h.growing ? `${s.onb} buckets, growing (${h.same_size ? "same size" : "doubling"})` : "no growth in progress", "growing"],
    ["nevacuate", h.nevacuate, h.growing ? `old buckets below ${h.nevacuate} are evacuated` : "", "nevacuate"],
    ["extra", s.pool ? `next ${s.pool.next === null ? "nil" : "#" + s.pool.next}` : "nil",
      s.pool ? `${s.pool.free} pool buckets free; in chains: ${s.overflow.pool} pool, ${s.overflow.heap} heap` : `no pool (B < 4); ${s.overflow.heap} heap overflow buckets`, "noverflow"],
  ];
  $("hdr").innerHTML = rows
    .map(([k, v, note, key]) => `<tr${ch(key)}><td>${k}</td><td><b>${esc(v)}</b> <span class="note">${esc(note)}</span></td></tr>`)
    .join("");
}

function bitsHTML(hash, B) {
  const bits = BigInt("0x" + hash).toString(2).padStart(64, "0");
  let out = "";
  for (let i = 0; i < 64; i++) {
    const bit = 63 - i;
    const cls = bit >= 56 ? "tb" : bit < B ? "bb" : "";
    out += cls ? `<span class="${cls}">${bits[i]}</span>` : bits[i];
    if (i % 8 === 7 && i < 63) out += " ";
  }
  return out;
}

function drawStep(s) {
  const d = s.last;
  let h = "";
  if (!d) {
    h = `<p class="note">No op applied yet. ${s.len ? `Next: <code>${esc(s.next)}</code>.` : "Append ops or a workload above."}</p>`;
  } else {
    h += `<div class="kv"><span>op ${d.index + 1}</span><span><code>${esc(d.op)}</code> → ${esc(d.result)}</span>`;
    if (d.key) {
      const k = d.key;
      const top = parseInt(k.hash.slice(0, 2), 16);
      h += `<span>key</span><span><code>${esc(k.k)}</code></span>`;
      h += `<span>hash</span><span><code>0x${k.hash}</code></span></div>`;
      h += `<div class="bits">${bitsHTML(k.hash, k.B)}</div>`;
      h += `<div class="kv"><span style="color:var(--bits)">bucket</span><span>low B = ${k.B} bits → <b>${k.bucket}</b>${k.B === 0 ? " (one bucket)" : ""}</span>`;
      h += `<span style="color:var(--top)">tophash</span><span>top 8 bits 0x${hex2(top)}${top < 5 ? " + 5 (0–4 are marks)" : ""} → <b>0x${hex2(k.top)}</b></span>`;
    }
    h += "</div>";
    const p = d.probe;
    if (p) {
      const where = p.old ? `old bucket ${p.bucket} (not evacuated yet, so a lookup reads the old array)` : `bucket ${p.bucket}`;
      h += `<div class="note">A lookup of this key before the op reads ${where}:</div><div class="chips">`;
      for (const [l, sl, t, cmp, found] of p.slots) {
        const cls = found ? "hit" : cmp ? "cmp" : t === 0 ? "stop" : "";
        const what = found ? "key equal" : cmp ? "tophash equal, key differs" : t === 0 ? "emptyRest: stop" : "tophash differs";
        h += `<span class="chip ${cls}" title="${what}">${l ? "ovf" + l + "." : ""}${sl}:${hex2(t)}</span>`;
      }
      const stop = { found: "found it", emptyRest: "stopped at emptyRest", end: "end of the chain: absent" }[p.stop];
      const n = p.slots.length, c = p.slots.filter((x) => x[3]).length;
      h += `</div><div class="note">${n} tophash byte${n === 1 ? "" : "s"} read, ${c} key${c === 1 ? "" : "s"} compared; ${stop}.</div>`;
    } else if (d.key && /^[idg]/.test(d.op)) {
      h += `<div class="note">(lookup path not recorded for ops run in bulk on a large map; step one op to see it)</div>`;
    }
  }
  if (d && s.next) h += `<div class="note">next: <code>${esc(s.next)}</code></div>`;
  $("step").innerHTML = h;
}

/// The range panel: one cursor log per engine shown, titled in both mode.
function drawRanges() {
  const both = S.eng === "both";
  let h = "";
  if (showsClassic()) h += (both ? `<div class="sub">classic map</div>` : "") + rangeHTML(snap.range);
  if (showsSwiss()) h += (both ? `<div class="sub">Swiss map</div>` : "") + rangeHTML(ssnap.range);
  if (both) h += `<div class="note">Each map runs its own cursor, in its own order, so <code>nd</code> deletes what that map yielded.</div>`;
  $("range").innerHTML = h;
}

function rangeHTML(r) {
  if (!r) {
    return `<p class="note">No cursor. <code>r</code> starts one (Go: <code>for k, v := range m</code>); it may run while the map is changed.</p>`;
  }
  const yielded = new Set(r.yielded.map((y) => y[0]));
  const neverYielded = r.deleted.filter((k) => !yielded.has(k));
  const insYielded = r.inserted.filter((k) => yielded.has(k));
  let h = `<div class="note">cursor ${r.n + 1}, started over ${r.present_at_start} entries — ${r.done ? "<b>done</b>" : "in progress"}; yielded ${r.yielded.length}:</div><div class="chips">`;
  const shown = r.yielded.slice(-200);
  if (r.yielded.length > shown.length) h += `<span class="note">… ${r.yielded.length - shown.length} earlier</span>`;
  for (const [k, v, then] of shown) {
    const cls = then === "deleted" ? "del" : then === "inserted" ? "ins" : "";
    h += `<span class="chip ${cls}" title="value ${esc(v)}${then ? ", then " + then : ""}">${esc(k)}</span>`;
  }
  h += `</div><div class="note">deleted while ranging: ${r.deleted.length} (of them never yielded: ${neverYielded.length}${neverYielded.length ? " — " + esc(neverYielded.slice(0, 12).join(", ")) : ""}); inserted while ranging: ${r.inserted.length} (yielded: ${insYielded.length}). Go's rule: an entry removed before the cursor reaches it is not yielded; one inserted meanwhile may or may not be.</div>`;
  return h;
}

function eventText(e) {
  switch (e.name) {
    case "make": return `make(map, ${e.hint}) → B = ${e.B}`;
    case "grow": return `growth starts (${e.kind}): B ${e.old_B} → ${e.new_B} at count ${e.count}, noverflow ${e.noverflow}`;
    case "evacuate": return `evacuate old bucket ${e.old_bucket}: ${e.to_x} → X, ${e.to_y} → Y`;
    case "grow_done": return `growth done (${e.kind}): B = ${e.B}, ${e.writes} writes did the work`;
    case "overflow": return `overflow bucket for bucket ${e.bucket} from the ${e.from === "heap" ? "heap" : "pool (#" + e.from.slice(5) + ")"}${e.by_evacuation ? ", by evacuation" : ""}`;
    case "reuse": return `insert reuses a deleted slot: bucket ${e.bucket}, link ${e.link}, slot ${e.slot}`;
    case "reseed": return e.eng === "swiss" ? `new seed (${e.cause}): seed = 0x${e.seed}` : `new seed (${e.cause}): hash0 = 0x${e.hash0.toString(16)}`;
    case "clear": return e.eng === "swiss" ? `clear: ${e.count} entries dropped, ${e.ntables} tables reset, clearSeq ${e.clear_seq}` : `clear: ${e.count} entries dropped, B = ${e.B} kept`;
    default: return e.name + (e.debug ? " " + e.debug : "");
  }
}

function swissEventText(e) {
  switch (e.name) {
    case "make": return e.dir_len ? `make(map, ${e.hint}) → ${e.dir_len} table${e.dir_len === 1 ? "" : "s"} of ${e.capacity} slots` : `make(map, ${e.hint}) → small map, no group yet`;
    case "rehash": return e.old_capacity === 8 ? `the small map's group becomes a table of ${e.new_capacity} slots (${e.used} entries moved)` : `rehash table at dir[${e.index}]: ${e.old_capacity} → ${e.new_capacity} slots, ${e.used} entries moved`;
    case "split": return `split table at dir[${e.index}] (localDepth ${e.local_depth} → ${e.local_depth + 1}): ${e.left_used} left, ${e.right_used} right`;
    case "dir_double": return `directory doubles: globalDepth ${e.old_global_depth} → ${e.global_depth}, ${e.dir_len} entries`;
    case "prune": return e.pruned ? `prune table at dir[${e.index}]: ${e.pruned} of ${e.tombstones} tombstones emptied` : `prune tried at dir[${e.index}]: too few of ${e.tombstones} tombstones unneeded, so it grows`;
    default: return eventText(e);
  }
}

/// The timeline: the shown engines' events by op, the classic map's first
/// within an op.
function mergedTimeline() {
  if (S.eng === "classic") return timeline;
  if (S.eng === "swiss") return stimeline;
  const out = [];
  let i = 0, j = 0;
  const at = (e) => (e.op === null ? -1 : e.op);
  while (i < timeline.length || j < stimeline.length) {
    if (j >= stimeline.length || (i < timeline.length && at(timeline[i]) <= at(stimeline[j]))) out.push(timeline[i++]);
    else out.push(stimeline[j++]);
  }
  return out;
}

function drawEvents() {
  const counts = (s, tag) => Object.entries(s.event_counts)
    .map(([k, n]) => `<span class="chip ev-${k}">${tag}${esc(k)} ${n}</span>`).join("");
  const both = S.eng === "both";
  $("evCounts").innerHTML = (showsClassic() ? counts(snap, both ? "classic " : "") : "") + (showsSwiss() ? counts(ssnap, both ? "Swiss " : "") : "");
  const all = mergedTimeline();
  const shown = all.slice(-300);
  const skipped = (showsClassic() ? timelineSkipped : 0) + (showsSwiss() ? stimelineSkipped : 0);
  const more = skipped + all.length - shown.length;
  const el = $("timeline");
  const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
  const tag = (e) => (both ? `<span class="tag ${e.eng}">${e.eng === "swiss" ? "S" : "C"}</span> ` : "");
  el.innerHTML = (more ? `<div class="note">… ${more} earlier events</div>` : "") + shown
    .map((e) => `<div class="ev-${e.name}" data-op="${e.op === null ? 0 : e.op + 1}">${tag(e)}${e.op === null ? "start" : "op " + (e.op + 1)} · ${esc(e.eng === "swiss" ? swissEventText(e) : eventText(e))}</div>`)
    .join("");
  if (atEnd) el.scrollTop = el.scrollHeight;
}

function heatHTML(heat, nb, el, kind) {
  const first = Math.floor(el.scrollTop / ROW), last = first + Math.ceil((parseFloat(el.style.height) || 300) / ROW);
  const maxE = Math.max(1, ...heat.entries);
  return heat.entries.map((n, i) => {
    const lo = i * heat.per, hi = Math.min(nb, lo + heat.per) - 1;
    const vis = hi >= first && lo <= last ? " v" : "";
    const o = heat.overflow[i] ? " o" : "";
    const ev = kind === "old" && heat.evacuated[i] ? `, ${heat.evacuated[i]} evacuated` : "";
    return `<div class="${o}${vis}" style="height:${Math.max(4, (100 * n) / maxE)}%" data-b="${lo}" title="buckets ${lo}–${hi}: ${n} entries, ${heat.overflow[i]} overflow buckets${ev}"></div>`;
  }).join("");
}

function changedSet(s) {
  const set = new Set();
  if (s.last && s.last.changed) for (const [a, b, l, sl] of s.last.changed) set.add(`${a ? "o" : "n"}${b}.${l}.${sl}`);
  return set;
}

function probeMap(s) {
  const m = new Map();
  const p = s.last && s.last.probe;
  if (!p) return m;
  for (const [l, sl, t, cmp, found] of p.slots) m.set(`${p.old ? "o" : "n"}${p.bucket}.${l}.${sl}`, found ? "hit" : cmp ? "cmp" : "pr");
  return m;
}

function chainHTML(chain, arr, b, changed, probes) {
  let h = "";
  chain.forEach((bk, l) => {
    if (l) h += '<div class="arrow">→</div>';
    const kind = bk.at === "main" ? "" : bk.at === "heap" ? " heap" : " pool";
    const label = l === 0 ? `${arr === "o" ? "old " : ""}bucket ${b}` : bk.at === "heap" ? `overflow ${l} · heap` : `overflow ${l} · pool #${bk.at.slice(5)}`;
    h += `<div class="bk${kind}" data-at="${bk.at}"><div class="bh">${label}</div><div class="slots">`;
    for (let sl = 0; sl < 8; sl++) {
      const t = bk.top[sl], k = bk.k[sl], v = bk.v[sl];
      let c = "s", tt;
      if (t >= 5) tt = hex2(t);
      else if (t === 2) { tt = "X"; c += " x"; }
      else if (t === 3) { tt = "Y"; c += " y"; }
      else if (t === 4) { tt = "E"; c += " ee e"; }
      else { tt = hex2(t); c += " e"; }
      const id = `${arr}${b}.${l}.${sl}`;
      if (changed.has(id)) c += " chg";
      const p = probes.get(id);
      if (p) c += " " + p;
      h += `<div class="${c}" data-a="${arr}" data-b="${b}" data-l="${l}" data-s="${sl}"><div class="t">${tt}</div><div class="k">${k === null ? "" : esc(k)}</div><div class="v">${v === null ? "" : esc(v)}</div></div>`;
    }
    h += "</div></div>";
  });
  return h;
}

function rowsHTML(chains, first, arr, s, changed, probes, target) {
  let maxLen = 1;
  const h = chains.map((chain, i) => {
    const b = first + i;
    maxLen = Math.max(maxLen, chain.length);
    let cls = "row";
    if (b === target) cls += " target";
    if (arr === "o" && b < s.h.nevacuate) cls += " done";
    if (arr === "o" && b === s.h.nevacuate) cls += " nev";
    return `<div class="${cls}" style="top:${b * ROW}px" data-row="${b}"><div class="bi" title="${arr === "o" && b === s.h.nevacuate ? "nevacuate points here" : ""}">${b}</div>${chainHTML(chain, arr, b, changed, probes)}</div>`;
  }).join("");
  return { h, width: 60 + maxLen * (8 * 44 + 24) };
}

function drawLists(s) {
  const changed = changedSet(s), probes = probeMap(s);
  const list = $("list"), olist = $("olist");
  const kb = keyBucket(s);
  const n = rowsHTML(s.buckets, s.first, "n", s, changed, probes, kb);
  list.firstElementChild.innerHTML = n.h;
  list.firstElementChild.style.width = n.width + "px";
  const grow = s.h.growing;
  $("newTitle").innerHTML = `Buckets: ${s.nb} (B = ${s.h.B})${grow ? " — the new array" : ""}`;
  const full = s.heat.entries.reduce((a, b) => a + b, 0);
  $("newSum").textContent = `${full} entries in the current array; ${s.overflow.pool + s.overflow.heap} overflow buckets (${s.overflow.pool} pool, ${s.overflow.heap} heap). Drawing buckets ${s.first}–${s.first + s.buckets.length - 1}; scroll or click the summary bar.`;
  $("heat").innerHTML = heatHTML(s.heat, s.nb, list, "new");
  $("oldPanel").style.display = grow && showsClassic() ? "" : "none";
  if (grow) {
    const p = s.last && s.last.probe;
    const o = rowsHTML(s.old, s.ofirst, "o", s, changed, probes, p && p.old ? p.bucket : -1);
    olist.firstElementChild.innerHTML = o.h;
    olist.firstElementChild.style.width = o.width + "px";
    const evac = s.oheat.evacuated.reduce((a, b) => a + b, 0);
    $("oldTitle").innerHTML = `Old array: ${s.onb} buckets, growing (${s.h.same_size ? "same size" : "doubling"})`;
    $("oldSum").innerHTML = `nevacuate = <b>${s.h.nevacuate}</b> (red line); ${evac} of ${s.onb} old buckets evacuated. Each write evacuates the old bucket its key came from, then the one at nevacuate.`;
    $("oheat").innerHTML = heatHTML(s.oheat, s.onb, olist, "old");
  }
}

// ---- the Swiss map -----------------------------------------------------

const CTRL_EMPTY = 0x80, CTRL_DELETED = 0xfe;

function takeSwissSnapshot() {
  const w = windowOf($("slist"), ssnap ? ssnap.nrows : 1, ROW_S);
  return JSON.parse(outText(X.gm_swiss_snapshot(w.first, w.count, HEAT_CELLS)));
}

/// A table's colour, so the directory strip, the table list and the group
/// rows of one table match.
function tableColor(id) { return `hsl(${(id * 67) % 360} 55% 88%)`; }

/// The directory entry and table a hash picks in snapshot `s`.
function dirOf(s, hashHex) {
  const gd = s.h.global_depth;
  const dir = gd === 0 ? 0 : Number(BigInt("0x" + hashHex) >> BigInt(64 - gd));
  const run = s.dir.find(([, first, n]) => dir >= first && dir < first + n);
  return { dir, table: run ? s.tables[run[0]] : null };
}

/// The row of the group where a lookup of the last op's key starts now.
function keyRow(s) {
  const k = s.last && s.last.key;
  if (!k) return -1;
  if (s.small) return 0;
  const t = dirOf(s, k.hash).table;
  if (!t) return -1;
  return t.row + Number((BigInt("0x" + k.hash) >> 7n) & BigInt(t.groups - 1));
}

function renderSwiss(focus) {
  const el = $("slist");
  let s = takeSwissSnapshot();
  if (!ssnap || s.nrows !== ssnap.nrows) sizeList(el, s.nrows, Math.max(300, window.innerHeight * 0.62), ROW_S);
  if (focus && s.last) {
    const r = keyRow(s);
    if (r >= 0) scrollTo(el, r, ROW_S);
  }
  ssnap = s;
  s = takeSwissSnapshot();
  ssnap = s;
  drawSwissHeader(s);
  drawSwissStep(s);
  drawDirectory(s);
  drawGroups(s);
}

function drawSwissHeader(s) {
  const h = s.h, p = prevSwiss;
  const ch = (k) => (p && p[k] !== h[k] ? ' class="chg"' : "");
  const shape = !h.alloc ? "nothing allocated yet: the first insert allocates one group"
    : s.small ? "the small map: one group of 8 slots, no directory"
    : `= 2^globalDepth directory entries, pointing at ${h.ntables} table${h.ntables === 1 ? "" : "s"}`;
  const rows = [
    ["used", h.used, "live entries", "used"],
    ["seed", "0x" + h.seed, "64-bit seed, hashed in before every key", "seed"],
    ["dirLen", h.dir_len, shape, "dir_len"],
    ["globalDepth", h.global_depth, h.dir_len ? `the top ${h.global_depth} hash bit${h.global_depth === 1 ? "" : "s"} choose the directory entry` : "", "global_depth"],
    ["globalShift", h.global_shift, h.dir_len ? `directory index = hash >> ${h.global_shift}` : "", "global_shift"],
    ["tombstonePossible", h.tombstone_possible, `${s.tombstones} deleted slot${s.tombstones === 1 ? "" : "s"} (0xFE) in the map`, "tombstone_possible"],
    ["clearSeq", h.clear_seq, "clears that did work", "clear_seq"],
    ["groups", s.nrows, `${s.group_size} bytes each: 8 control bytes, then 8 key/value slots`, "ntables"],
  ];
  $("shdr").innerHTML = rows
    .map(([k, v, note, key]) => `<tr${ch(key)}><td>${k}</td><td><b>${esc(v)}</b> <span class="note">${esc(note)}</span></td></tr>`)
    .join("");
}

/// The hash's 64 bits: the directory bits (top globalDepth), the bits of
/// H1 that pick the first group (from bit 7), and H2 (the low 7 bits).
function swissBitsHTML(hash, gd, groupBits) {
  const bits = BigInt("0x" + hash).toString(2).padStart(64, "0");
  let out = "";
  for (let i = 0; i < 64; i++) {
    const bit = 63 - i;
    const cls = bit >= 64 - gd ? "db" : bit < 7 ? "h2" : bit < 7 + groupBits ? "gb" : "";
    out += cls ? `<span class="${cls}">${bits[i]}</span>` : bits[i];
    if (i % 8 === 7 && i < 63) out += " ";
  }
  return out;
}

/// Whether probe `p` (taken before the op) still names the groups drawn:
/// not when the op rehashed or split the table (the events say so).
function probeFits(s, p) {
  if (!p || !p.probed.length) return false;
  const rebuilt = stimeline.some((e) => e.op === s.last.index && (e.name === "rehash" || e.name === "split"));
  if (rebuilt) return false;
  if (p.table === null) return s.small;
  const t = s.tables[p.table];
  return !s.small && !!t && t.groups === p.groups && t.row === p.row0;
}

function drawSwissStep(s) {
  const d = s.last;
  let h = "";
  if (!d) {
    h = `<p class="note">No op applied yet. ${s.len ? `Next: <code>${esc(s.next)}</code>.` : "Append ops or a workload above."}</p>`;
    $("sstep").innerHTML = h;
    return;
  }
  h += `<div class="kv"><span>op ${d.index + 1}</span><span><code>${esc(d.op)}</code> → ${esc(d.result)}</span>`;
  const p = d.probe;
  if (d.key) {
    const k = d.key;
    const groupBits = p && p.groups > 1 ? Math.log2(p.groups) : 0;
    h += `<span>key</span><span><code>${esc(k.k)}</code></span>`;
    h += `<span>hash</span><span><code>0x${k.hash}</code></span></div>`;
    h += `<div class="bits">${swissBitsHTML(k.hash, k.global_depth, groupBits)}</div><div class="kv">`;
    if (p && p.table !== null) {
      h += `<span style="color:var(--dir)">directory</span><span>top ${k.global_depth} bit${k.global_depth === 1 ? "" : "s"} → entry <b>${k.dir}</b> → table <b>${p.table}</b></span>`;
      h += `<span style="text-decoration:underline">H1 → group</span><span>H1 = hash >> 7; its low ${groupBits} bit${groupBits === 1 ? "" : "s"} (${p.groups} groups) → probe starts at group <b>${p.probed[0]}</b></span>`;
    } else if (p && p.stop === "none") {
      h += `<span>table</span><span>none yet: no group is allocated</span>`;
    } else if (p) {
      h += `<span>group</span><span>the small map has one group: no directory, no H1</span>`;
    }
    h += `<span style="color:var(--h2)">H2</span><span>low 7 bits → <b>0x${hex2(k.h2)}</b>, the control byte of the key's slot</span>`;
  }
  h += "</div>";
  if (p) {
    if (p.probed.length) {
      h += `<div class="note">A lookup of this key before the op matches H2 against each group's 8 control bytes at once, group after group in probe order (the start group, then 1, 2, 3, … groups further on, wrapping):</div><div class="chips">`;
      p.probed.forEach((g, i) => {
        h += `<span class="chip grp" title="probe step ${i + 1}">${i ? "→ " : ""}g${g}</span>`;
        for (const [cg, sl, found] of p.compared) {
          if (cg === g) h += `<span class="chip ${found ? "hit" : "cmp"}" title="${found ? "key equal" : "H2 equal, key differs"}">g${cg}.${sl} ${found ? "=" : "≠"}</span>`;
        }
      });
      h += "</div>";
    }
    const last = p.probed[p.probed.length - 1];
    const stop = {
      found: "found it",
      empty: `group ${last} has an empty slot, so the key is in no later group: absent`,
      end: p.table === null ? "the small map's only group: absent" : "every group read: absent",
      none: "nothing to read",
    }[p.stop];
    const c = p.compared.length;
    const ins = d.result === "inserted" ? " The insert takes the first empty or deleted slot on this path (growing or splitting the table first if growthLeft is 0)." : "";
    h += `<div class="note">${p.probed.length} group${p.probed.length === 1 ? "" : "s"} read, ${c} key${c === 1 ? "" : "s"} compared; ${stop}.${ins}</div>`;
    if (!probeFits(s, p) && p.probed.length) h += `<div class="note">This op rebuilt the table (see the events), so the groups below are the new table's; the path above is through the old one.</div>`;
  } else if (d.key && /^[idg]/.test(d.op)) {
    h += `<div class="note">(lookup path not recorded for ops run in bulk on a large map; step one op to see it)</div>`;
  }
  if (s.next) h += `<div class="note">next: <code>${esc(s.next)}</code></div>`;
  $("sstep").innerHTML = h;
}

function drawDirectory(s) {
  const h = s.h;
  let out = "";
  if (!h.alloc) {
    out = `<p class="note">Nothing allocated: <code>make</code> without a hint (or a hint ≤ 8) gives no group until the first insert.</p>`;
  } else if (s.small) {
    out = `<p class="note">No directory yet: the small map keeps up to 8 entries in one group and compares H2 against all 8 control bytes. The 9th key moves them into a 16-slot table.</p>`;
  } else {
    const runs = s.dir.slice(0, 64);
    out += `<div class="note">Directory: ${h.dir_len} entr${h.dir_len === 1 ? "y" : "ies"} (globalDepth ${h.global_depth}); a table of localDepth d is shared by 2^(${h.global_depth} − d) neighbouring entries.</div><div class="dirstrip">`;
    for (const [id, first, n] of runs) {
      const label = n === 1 ? `${first}` : `${first}–${first + n - 1}`;
      out += `<div class="run" style="flex:${n};background:${tableColor(id)}" data-t="${id}" title="entries ${label} → table ${id}">${label}<br>t${id}</div>`;
    }
    out += "</div>";
    if (s.dir.length > runs.length) out += `<div class="note">… ${s.dir.length - runs.length} more runs of entries not drawn.</div>`;
    const key = s.last && s.last.key ? dirOf(s, s.last.key.hash).table : null;
    const shown = s.tables.slice(0, 256);
    out += `<div class="tablesbox"><table class="tables"><tr><th>table</th><th>dir entries</th><th>localDepth</th><th>capacity</th><th>used</th><th>growthLeft</th><th>deleted</th></tr>`;
    for (const t of shown) {
      const n = 1 << (h.global_depth - t.local_depth);
      const cls = key && key.id === t.id ? ' class="cur"' : "";
      out += `<tr${cls} data-t="${t.id}" title="click: scroll to its groups"><td><span class="sw" style="background:${tableColor(t.id)}"></span>t${t.id}</td><td>${n === 1 ? t.index : `${t.index}–${t.index + n - 1}`}</td><td>${t.local_depth}</td><td>${t.capacity} (${t.groups} groups)</td><td>${t.used}</td><td>${t.growth_left}</td><td>${t.tombstones}</td></tr>`;
    }
    out += "</table></div>";
    if (s.tables.length > shown.length) {
      const rest = s.tables.slice(shown.length);
      out += `<div class="note">… ${rest.length} more tables, ${rest.reduce((a, t) => a + t.used, 0)} entries, not listed.</div>`;
    }
    out += `<div class="note">A table grows (rehash into twice the slots) when an insert needs an empty slot and growthLeft is 0; at 1024 slots it splits in two by the next hash bit instead.</div>`;
  }
  $("sdir").innerHTML = out;
}

function ctrlText(c) {
  if (c === CTRL_EMPTY) return ["80", " e"];
  if (c === CTRL_DELETED) return ["FE", " del"];
  return [hex2(c), ""];
}

function drawGroups(s) {
  const el = $("slist");
  const changed = new Set();
  if (s.last && s.last.changed) for (const [r, sl] of s.last.changed) changed.add(`${r}.${sl}`);
  const p = s.last && s.last.probe;
  const probeRow = new Map(), cmp = new Map();
  if (probeFits(s, p)) {
    p.probed.forEach((g, i) => probeRow.set(p.row0 + g, i + 1));
    for (const [g, sl, found] of p.compared) cmp.set(`${p.row0 + g}.${sl}`, found ? "hit" : "cmp");
  }
  const target = keyRow(s);
  const rows = s.groups.map((g, i) => {
    const row = s.first + i;
    const t = g.t === null ? null : s.tables[g.t];
    let cls = "row srow";
    if (row === target) cls += " target";
    if (t && g.g === 0) cls += " tstart";
    const order = probeRow.get(row);
    const label = t ? `t${g.t}<br>g${g.g}` : "small<br>g0";
    let h = `<div class="${cls}" style="top:${row * ROW_S}px" data-row="${row}"><div class="bi" style="background:${t ? tableColor(g.t) : "transparent"}">${label}</div>`;
    h += `<div class="bk${order ? " probed" : ""}" data-t="${g.t === null ? "" : g.t}" data-g="${g.g}">${order ? `<div class="porder" title="probe step ${order}">${order}</div>` : ""}<div class="slots">`;
    for (let sl = 0; sl < 8; sl++) {
      const [text, c0] = ctrlText(g.ctrl[sl]);
      let c = "s" + c0;
      const id = `${row}.${sl}`;
      if (changed.has(id)) c += " chg";
      const pc = cmp.get(id);
      if (pc) c += " " + pc;
      else if (order) c += " pr";
      const k = g.k[sl], v = g.v[sl];
      h += `<div class="${c}" data-a="s" data-r="${row}" data-s="${sl}"><div class="t">${text}</div><div class="k">${k === null ? "" : esc(k)}</div><div class="v">${v === null ? "" : esc(v)}</div></div>`;
    }
    return h + "</div></div></div>";
  }).join("");
  el.firstElementChild.innerHTML = rows;
  el.firstElementChild.style.width = 60 + 8 * 44 + 24 + "px";
  $("sgTitle").textContent = s.small ? "Groups: the small map's one group" : `Groups: ${s.nrows} in ${s.tables.length} table${s.tables.length === 1 ? "" : "s"}`;
  const full = s.heat.entries.reduce((a, b) => a + b, 0), dead = s.heat.tombstones.reduce((a, b) => a + b, 0);
  $("sgSum").textContent = s.nrows ? `${full} full slots, ${dead} deleted. Drawing rows ${s.first}–${s.first + s.groups.length - 1} of ${s.nrows}; scroll or click the summary bar (bar height: full slots; orange: runs with deleted slots).` : "No group allocated yet.";
  $("sheat").innerHTML = swissHeatHTML(s.heat, s.nrows, el);
}

function swissHeatHTML(heat, n, el) {
  const first = Math.floor(el.scrollTop / ROW_S), last = first + Math.ceil((parseFloat(el.style.height) || 300) / ROW_S);
  const maxE = Math.max(1, ...heat.entries);
  return heat.entries.map((e, i) => {
    const lo = i * heat.per, hi = Math.min(n, lo + heat.per) - 1;
    const vis = hi >= first && lo <= last ? " v" : "";
    const o = heat.tombstones[i] ? " o" : "";
    return `<div class="${o}${vis}" style="height:${Math.max(4, (100 * e) / maxE)}%" data-b="${lo}" title="groups ${lo}–${hi}: ${e} full slots, ${heat.tombstones[i]} deleted"></div>`;
  }).join("");
}

function swissTipFor(el) {
  const row = +el.dataset.r, sl = +el.dataset.s;
  const g = ssnap.groups[row - ssnap.first];
  if (!g) return "";
  const c = g.ctrl[sl];
  let s = `${g.t === null ? "small map" : "table " + g.t} · group ${g.g} · slot ${sl}\n`;
  s += `ctrl    0x${hex2(c)} — ${c === CTRL_EMPTY ? "empty" : c === CTRL_DELETED ? "deleted (a tombstone: lookups probe past it)" : "full: this is the key's H2"}`;
  if (g.k[sl] !== null) {
    const hash = BigInt("0x" + g.h[sl]);
    s += `\nkey     ${g.k[sl]}\nvalue   ${g.v[sl]}\nhash    0x${g.h[sl]}\n        H2 0x${hex2(Number(hash & 0x7fn))}`;
    if (g.t !== null) {
      const t = ssnap.tables[g.t];
      const d = dirOf(ssnap, g.h[sl]);
      s += `, dir entry ${d.dir}, probe starts at group ${Number((hash >> 7n) & BigInt(t.groups - 1))}`;
    }
  }
  return s;
}

// ---- hover -------------------------------------------------------------

const MARKS = ["emptyRest: this and every later slot of the chain is empty", "emptyOne: empty, later slots may be full", "evacuatedX: moved to the same index of the new array", "evacuatedY: moved to index + old size", "evacuatedEmpty: empty when its bucket was evacuated"];

function tipFor(el) {
  const a = el.dataset.a, b = +el.dataset.b, l = +el.dataset.l, sl = +el.dataset.s;
  const chains = a === "o" ? snap.old : snap.buckets;
  const first = a === "o" ? snap.ofirst : snap.first;
  const chain = chains && chains[b - first];
  if (!chain || !chain[l]) return "";
  const bk = chain[l];
  const t = bk.top[sl];
  let s = `${a === "o" ? "old " : ""}bucket ${b} · ${l ? `overflow ${l} (${bk.at})` : "main bucket"} · slot ${sl}\n`;
  s += `tophash 0x${hex2(t)}${t < 5 ? " — " + MARKS[t] : ""}`;
  if (bk.k[sl] !== null) {
    const B = snap.h.B;
    s += `\nkey     ${bk.k[sl]}\nvalue   ${bk.v[sl]}\nhash    0x${bk.h[sl]}`;
    const hb = BigInt("0x" + bk.h[sl]);
    s += `\n        bucket bits (B = ${B}): ${Number(hb & BigInt(snap.nb - 1))}, top byte 0x${bk.h[sl].slice(0, 2)}`;
  }
  return s;
}

function bindHover(el) {
  const tip = $("tip");
  el.addEventListener("mousemove", (e) => {
    const s = e.target.closest(".s");
    if (!s) { tip.style.display = "none"; return; }
    tip.textContent = s.dataset.a === "s" ? swissTipFor(s) : tipFor(s);
    tip.style.display = "block";
    const x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    const y = e.clientY + 16 + tip.offsetHeight > window.innerHeight ? e.clientY - tip.offsetHeight - 10 : e.clientY + 16;
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  });
  el.addEventListener("mouseleave", () => { tip.style.display = "none"; });
}

// ---- wiring ------------------------------------------------------------

function keyToken(letter) {
  const k = $("key").value.trim();
  if (S.kt === "u64") {
    if (!/^\d+$/.test(k) || BigInt(k) >= 1n << 64n) { showError("a u64 key is a number below 2^64"); return null; }
  } else if (!k || /[,\s*=]/.test(k)) {
    showError("a string key here is non-empty, without commas, spaces, * or ="); return null;
  }
  showError("");
  return k;
}

/// Where each panel goes in each engine mode: columns of panel ids.
const LAYOUTS = {
  classic: [["p-hdr", "p-step", "p-range", "p-ev"], ["p-old", "p-new"], []],
  swiss: [["p-shdr", "p-sstep", "p-range", "p-ev"], ["p-sdir", "p-sgroups"], []],
  both: [["p-hdr", "p-step", "p-old", "p-new"], ["p-shdr", "p-sstep", "p-sdir", "p-sgroups"], ["p-range", "p-ev"]],
};

/// Shows engine `eng` (classic, swiss or both): moves the panels into
/// their columns and hides the other engine's.
function setEngine(eng) {
  S.eng = eng;
  $("eng").value = eng;
  document.body.className = "e-" + eng;
  const cols = [...document.querySelectorAll("main > .col")];
  const placed = new Set();
  LAYOUTS[eng].forEach((ids, c) => {
    for (const id of ids) {
      const el = document.querySelector("." + id);
      cols[c].appendChild(el);
      el.style.display = "";
      placed.add(id);
    }
    cols[c].style.display = ids.length ? "" : "none";
  });
  for (const el of document.querySelectorAll("section.panel")) {
    if (![...placed].some((id) => el.classList.contains(id))) el.style.display = "none";
  }
  snap = null;
  ssnap = null;
}

function bind() {
  $("eng").onchange = (e) => { setEngine(e.target.value); render(false); writeHash(); };
  $("newMap").onclick = () => {
    S.kt = $("kt").value; S.hint = Math.max(0, +$("hint").value | 0); S.seed = Math.max(0, +$("seed").value | 0);
    S.parts = [];
    load(0);
  };
  $("preset").onchange = (e) => { if (e.target.value) loadHash("#" + e.target.value); e.target.value = ""; };
  $("addOps").onclick = () => {
    const t = $("opsText").value.trim();
    if (!t) return;
    try {
      const parts = splitParts(t);
      for (const p of parts) S.parts.push({ tok: p.tok, n: pushPart(p.tok) });
      showError("");
      afterOps(false);
    } catch (e) { showError(e.message); }
  };
  $("addWl").onclick = () => {
    const tok = `w:${$("wl").value}:${Math.max(1, Math.min(+$("wlN").value | 0, 1000000))}`;
    S.parts.push({ tok, n: pushPart(tok) });
    afterOps(false);
  };
  const v = () => BigInt(Math.max(0, +$("val").value | 0));
  $("doIns").onclick = () => {
    const k = keyToken("i"); if (k === null) return;
    if (S.kt === "u64") typed(() => X.gm_insert_u64(BigInt(k), v()), `i${k}=${v()}`);
    else typed(() => { pushText(k); X.gm_insert_str(v()); }, `i${k}=${v()}`);
  };
  $("doDel").onclick = () => {
    const k = keyToken("d"); if (k === null) return;
    if (S.kt === "u64") typed(() => X.gm_remove_u64(BigInt(k)), `d${k}`);
    else typed(() => { pushText(k); X.gm_remove_str(); }, `d${k}`);
  };
  $("doGet").onclick = () => {
    const k = keyToken("g"); if (k === null) return;
    if (S.kt === "u64") typed(() => X.gm_get_u64(BigInt(k)), `g${k}`);
    else { typed(() => { pushText(`g${k}`); X.gm_apply_ops(); }, `g${k}`); }
  };
  for (const [id, tok] of [["rStart", "r"], ["rNext", "n"], ["rDel", "nd"], ["rIns", "ni"]]) {
    $(id).onclick = () => typed(() => { pushText(tok); X.gm_apply_ops(); }, tok);
  }
  $("toStart").onclick = () => seek(0);
  $("back").onclick = () => seek(X.gm_pos() - 1);
  $("fwd").onclick = () => step(1);
  $("toEnd").onclick = () => seek(X.gm_len());
  $("jump").onclick = jump;
  $("play").onclick = play;
  $("scrub").oninput = (e) => seek(+e.target.value);
  $("share").onclick = () => {
    writeHash();
    const done = () => { $("share").textContent = "copied"; setTimeout(() => { $("share").textContent = "copy link"; }, 1200); };
    if (navigator.clipboard) navigator.clipboard.writeText(location.href).then(done, () => showError("copy the address bar: it holds the scenario"));
  };
  for (const id of ["list", "olist", "slist"]) {
    let queued = false;
    $(id).addEventListener("scroll", () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; render(false); });
    });
    bindHover($(id));
  }
  for (const [hid, lid, row] of [["heat", "list", ROW], ["oheat", "olist", ROW], ["sheat", "slist", ROW_S]]) {
    $(hid).addEventListener("click", (e) => {
      const b = e.target.dataset && e.target.dataset.b;
      if (b !== undefined) { $(lid).scrollTop = +b * row; render(false); }
    });
  }
  $("sdir").addEventListener("click", (e) => {
    const el = e.target.closest("[data-t]");
    const t = el && ssnap && ssnap.tables[+el.dataset.t];
    if (t) { $("slist").scrollTop = t.row * ROW_S; render(false); }
  });
  $("timeline").addEventListener("click", (e) => {
    const el = e.target.closest("[data-op]");
    if (el) seek(+el.dataset.op);
  });
  window.addEventListener("hashchange", () => { if (location.hash !== writtenHash) loadHash(location.hash); });
  window.addEventListener("resize", () => { snap = null; ssnap = null; render(false); });
  document.addEventListener("keydown", (e) => {
    if (e.target.tagName === "INPUT" || e.target.tagName === "SELECT") return;
    if (e.key === "ArrowRight") step(1);
    else if (e.key === "ArrowLeft") seek(X.gm_pos() - 1);
    else if (e.key === " ") { e.preventDefault(); play(); }
  });
}

// ---- the test hook: ?auto ----------------------------------------------

/// Every row of a virtual list as drawn, read back from the DOM: the list
/// is scrolled a screen at a time and each drawn row is parsed.
function readList(el, n) {
  const rows = {};
  const h = parseFloat(el.style.height) || 300;
  for (let top = 0; ; top += Math.max(ROW, h - 2 * ROW)) {
    el.scrollTop = top;
    render(false);
    for (const row of el.querySelectorAll(".row")) {
      rows[row.dataset.row] = [...row.querySelectorAll(".bk")].map((bk) => {
        const slots = [...bk.querySelectorAll(".s")];
        const top = (s) => ({ X: 2, Y: 3, E: 4 }[s.querySelector(".t").textContent] ?? parseInt(s.querySelector(".t").textContent, 16));
        const text = (s, c) => s.querySelector(c).textContent || null;
        return { at: bk.dataset.at, top: slots.map(top), k: slots.map((s) => text(s, ".k")), v: slots.map((s) => text(s, ".v")) };
      });
    }
    if (top + h >= n * ROW) break;
  }
  return Array.from({ length: n }, (_, i) => rows[i] || null);
}

/// Every Swiss group row as drawn, read back from the DOM a screen at a time.
function readSwissList(el, n) {
  const rows = {};
  const h = parseFloat(el.style.height) || 300;
  const ctrl = (t) => parseInt(t, 16);
  for (let top = 0; ; top += Math.max(ROW_S, h - 2 * ROW_S)) {
    el.scrollTop = top;
    render(false);
    for (const row of el.querySelectorAll(".row")) {
      const bk = row.querySelector(".bk");
      const slots = [...bk.querySelectorAll(".s")];
      const text = (s, c) => s.querySelector(c).textContent || null;
      rows[row.dataset.row] = { t: bk.dataset.t === "" ? null : +bk.dataset.t, g: +bk.dataset.g, ctrl: slots.map((s) => ctrl(s.querySelector(".t").textContent)), k: slots.map((s) => text(s, ".k")), v: slots.map((s) => text(s, ".v")) };
    }
    if (top + h >= n * ROW_S) break;
  }
  return Array.from({ length: n }, (_, i) => rows[i] || null);
}

function autoRun() {
  const steps = [], ssteps = [];
  let slowest = 0;
  while (X.gm_pos() < X.gm_len()) {
    const t0 = performance.now();
    step(1);
    slowest = Math.max(slowest, performance.now() - t0);
    if (showsClassic()) {
      const h = snap.h;
      steps.push({ pos: snap.pos, op: snap.last.op, result: snap.last.result, count: h.count, B: h.B, flags: h.flags, noverflow: h.noverflow, hash0: h.hash0, nevacuate: h.nevacuate, growing: h.growing });
    }
    if (showsSwiss()) {
      const h = ssnap.h;
      ssteps.push({ pos: ssnap.pos, op: ssnap.last.op, result: ssnap.last.result, used: h.used, seed: h.seed, dir_len: h.dir_len, global_depth: h.global_depth, ntables: h.ntables, tombstones: ssnap.tombstones, tables: ssnap.tables.map((t) => [t.local_depth, t.capacity, t.growth_left, t.used]) });
    }
  }
  const state = { errors, slowest_step_ms: slowest, eng: S.eng };
  if (showsClassic()) {
    // The hover text of the first drawn slot that holds a key.
    const full = [...document.querySelectorAll("#list .s")].find((el) => el.querySelector(".k").textContent);
    Object.assign(state, {
      steps, header: snap.h, tip: full ? tipFor(full) : "",
      buckets: readList($("list"), snap.nb), old: snap.h.growing ? readList($("olist"), snap.onb) : null,
      range: snap.range, events: timeline.map((e) => e.name), skipped: timelineSkipped,
    });
  }
  if (showsSwiss()) {
    const full = [...document.querySelectorAll("#slist .s")].find((el) => el.querySelector(".k").textContent);
    Object.assign(state, {
      ssteps, sheader: ssnap.h, stip: full ? swissTipFor(full) : "",
      sgroups: readSwissList($("slist"), ssnap.nrows), sdir: ssnap.dir,
      srange: ssnap.range, sevents: stimeline.map((e) => e.name), sskipped: stimelineSkipped,
      stimeline: [...document.querySelectorAll("#timeline div[data-op]")].map((d) => d.textContent),
    });
  }
  $("state").textContent = JSON.stringify(state);
  document.title = "explorer: done";
}

/// `auto=ui`: clicks through the controls, hovers a slot, then reloads the
/// page's own URL and checks that it reproduces the state exactly.
function uiRun() {
  const pos = [];
  const click = (id) => { $(id).click(); pos.push([id, X.gm_pos(), X.gm_len()]); };
  click("toStart");
  $("evKind").value = "1";
  click("jump");
  click("jump");
  click("back");
  click("fwd");
  $("key").value = "999"; $("val").value = "5";
  click("doIns"); click("doGet"); click("doDel"); click("doIns");
  click("rStart"); click("rNext"); click("rDel"); click("rIns");
  $("opsText").value = "i500-510, d500";
  click("addOps");
  $("wl").value = "coll"; $("wlN").value = "20";
  click("addWl");
  $("wl").value = "churn"; $("wlN").value = "300";
  click("addWl");
  $("evKind").value = "8";
  click("jump");
  click("toEnd");
  const slot = [...document.querySelectorAll("#list .s")].find((el) => el.querySelector(".k").textContent);
  slot.dispatchEvent(new MouseEvent("mousemove", { bubbles: true, clientX: 200, clientY: 200 }));
  const tip = $("tip").style.display === "block" ? $("tip").textContent : "";
  $("eng").value = "both";
  $("eng").dispatchEvent(new Event("change"));
  const all = () => outText(X.gm_snapshot(0, 1 << 20, 0, 1 << 20, 64)) + outText(X.gm_swiss_snapshot(0, 1 << 20, 64));
  const before = all();
  const hash = location.hash;
  snap = null;
  loadHash(hash);
  const reproduced = all() === before;
  $("state").textContent = JSON.stringify({ errors, pos, tip, hash, reproduced, eng: S.eng });
  document.title = "explorer: done";
}

async function main() {
  try {
    const bytes = Uint8Array.from(atob(WASM_BASE64), (c) => c.charCodeAt(0));
    const { instance } = await WebAssembly.instantiate(bytes, {});
    X = instance.exports;
  } catch (e) {
    showError("could not start the engine: " + e.message);
    $("state").textContent = JSON.stringify({ errors: errors.concat(["instantiate: " + e.message]) });
    return;
  }
  bind();
  const h = loadHash(location.hash || "#kt=u64&hint=0&seed=1&ops=i1-27,i28-40,r,nd*10&pos=0");
  if (h.auto === "1") autoRun();
  else if (h.auto === "ui") uiRun();
}

main();
