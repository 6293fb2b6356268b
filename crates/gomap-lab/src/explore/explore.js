"use strict";
// The explorer page: drives the gomap engine (crates/gomap-explorer, built
// for wasm32-unknown-unknown and embedded above as base64) through its
// integer-only exports and draws the JSON snapshots it returns. Only the
// rows of the bucket lists that are on screen are drawn.

const ROW = 74;            // px per bucket row (a chain of buckets)
const HEAT_CELLS = 128;    // summary cells per array
const WORKLOADS = { seq: 0, rand: 1, coll: 2, churn: 3 };
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
const S = { kt: "u64", hint: 0, seed: 1, parts: [] }; // the scenario; parts: {tok, n}
let snap = null;              // the last snapshot
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
  const w = /^w:(seq|rand|coll|churn):(\d+)$/.exec(tok);
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
  prevHeader = null;
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

function takeEvents() {
  const e = JSON.parse(outText(X.gm_take_events(2000)));
  timelineSkipped += e.skipped;
  for (const ev of e.events) timeline.push(ev);
  if (timeline.length > 5000) {
    timelineSkipped += timeline.length - 5000;
    timeline = timeline.slice(-5000);
  }
}

function afterOps(focus) {
  prevHeader = snap ? snap.h : null;
  takeEvents();
  render(focus);
  writeHash();
}

function step(n) {
  if (X.gm_step(n) > 0) afterOps(true);
}

function seek(pos) {
  const cur = X.gm_pos();
  if (pos < cur) { timeline = []; timelineSkipped = 0; }
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
  return `#kt=${S.kt}&hint=${S.hint}&seed=${S.seed}&ops=${text}&pos=${X.gm_pos()}`;
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
  load(h.pos);
  return h;
}

// ---- drawing -----------------------------------------------------------

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
}
function hex2(n) { return n.toString(16).padStart(2, "0"); }

function showError(msg) { $("err").textContent = msg || ""; }

function windowOf(el, n) {
  const h = parseFloat(el.style.height) || el.clientHeight || 300;
  const first = Math.max(0, Math.floor(el.scrollTop / ROW) - 1);
  return { first, count: Math.max(0, Math.min(n - first, Math.ceil(h / ROW) + 3)) };
}

function sizeList(el, n, maxH) {
  el.style.height = Math.max(ROW, Math.min(n * ROW, maxH)) + 8 + "px";
  el.firstElementChild.style.height = n * ROW + "px";
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

function render(focus) {
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
  drawRange(s);
  drawEvents(s);
  drawLists(s);
  $("pos").textContent = `${s.pos} / ${s.len}`;
  const scrub = $("scrub");
  scrub.max = s.len;
  scrub.value = s.pos;
}

function scrollTo(el, b) {
  const h = parseFloat(el.style.height) || el.clientHeight;
  const top = b * ROW;
  if (top < el.scrollTop || top + ROW > el.scrollTop + h - 8) el.scrollTop = Math.max(0, top - h / 3);
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

function drawRange(s) {
  const r = s.range;
  if (!r) {
    $("range").innerHTML = `<p class="note">No cursor. <code>r</code> starts one (Go: <code>for k, v := range m</code>); it may run while the map is changed.</p>`;
    return;
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
  $("range").innerHTML = h;
}

function eventText(e) {
  switch (e.name) {
    case "make": return `make(map, ${e.hint}) → B = ${e.B}`;
    case "grow": return `growth starts (${e.kind}): B ${e.old_B} → ${e.new_B} at count ${e.count}, noverflow ${e.noverflow}`;
    case "evacuate": return `evacuate old bucket ${e.old_bucket}: ${e.to_x} → X, ${e.to_y} → Y`;
    case "grow_done": return `growth done (${e.kind}): B = ${e.B}, ${e.writes} writes did the work`;
    case "overflow": return `overflow bucket for bucket ${e.bucket} from the ${e.from === "heap" ? "heap" : "pool (#" + e.from.slice(5) + ")"}${e.by_evacuation ? ", by evacuation" : ""}`;
    case "reuse": return `insert reuses a deleted slot: bucket ${e.bucket}, link ${e.link}, slot ${e.slot}`;
    case "reseed": return `new seed (${e.cause}): hash0 = 0x${e.hash0.toString(16)}`;
    default: return e.name + (e.debug ? " " + e.debug : "");
  }
}

function drawEvents(s) {
  $("evCounts").innerHTML = Object.entries(s.event_counts)
    .map(([k, n]) => `<span class="chip ev-${k}">${esc(k)} ${n}</span>`).join("");
  const shown = timeline.slice(-300);
  const more = timelineSkipped + timeline.length - shown.length;
  const el = $("timeline");
  const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
  el.innerHTML = (more ? `<div class="note">… ${more} earlier events</div>` : "") + shown
    .map((e) => `<div class="ev-${e.name}" data-op="${e.op === null ? 0 : e.op + 1}">${e.op === null ? "start" : "op " + (e.op + 1)} · ${esc(eventText(e))}</div>`)
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
  $("oldPanel").style.display = grow ? "" : "none";
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
    tip.textContent = tipFor(s);
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

function bind() {
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
  for (const id of ["list", "olist"]) {
    let queued = false;
    $(id).addEventListener("scroll", () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; render(false); });
    });
    bindHover($(id));
  }
  for (const [hid, lid] of [["heat", "list"], ["oheat", "olist"]]) {
    $(hid).addEventListener("click", (e) => {
      const b = e.target.dataset && e.target.dataset.b;
      if (b !== undefined) { $(lid).scrollTop = +b * ROW; render(false); }
    });
  }
  $("timeline").addEventListener("click", (e) => {
    const op = e.target.dataset && e.target.dataset.op;
    if (op !== undefined) seek(+op);
  });
  window.addEventListener("hashchange", () => { if (location.hash !== writtenHash) loadHash(location.hash); });
  window.addEventListener("resize", () => { snap = null; render(false); });
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

function autoRun() {
  const steps = [];
  let slowest = 0;
  while (X.gm_pos() < X.gm_len()) {
    const t0 = performance.now();
    step(1);
    slowest = Math.max(slowest, performance.now() - t0);
    const h = snap.h;
    steps.push({ pos: snap.pos, op: snap.last.op, result: snap.last.result, count: h.count, B: h.B, flags: h.flags, noverflow: h.noverflow, hash0: h.hash0, nevacuate: h.nevacuate, growing: h.growing });
  }
  // The hover text of the first drawn slot that holds a key.
  const full = [...document.querySelectorAll("#list .s")].find((el) => el.querySelector(".k").textContent);
  const tip = full ? tipFor(full) : "";
  const buckets = readList($("list"), snap.nb);
  const old = snap.h.growing ? readList($("olist"), snap.onb) : null;
  const state = { errors, steps, header: snap.h, buckets, old, range: snap.range, events: timeline.map((e) => e.name), skipped: timelineSkipped, tip, slowest_step_ms: slowest };
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
  const all = () => outText(X.gm_snapshot(0, 1 << 20, 0, 1 << 20, 64));
  const before = all();
  const hash = location.hash;
  snap = null;
  loadHash(hash);
  const reproduced = all() === before;
  $("state").textContent = JSON.stringify({ errors, pos, tip, hash, reproduced });
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
