#!/usr/bin/env bash
# Instructions per operation of the hotpath example's workloads, counted by
# callgrind: the difference between a run with 3 repetitions and one with 1,
# divided by 2N, so the setup (key generation, the map a lookup reads) cancels.
# Reproducible to a few instructions on a noisy machine, unlike time.
#
#   cargo build --release -p gomap --example hotpath
#   scripts/callgrind_ops.sh target/release/examples/hotpath [N] [WORKLOAD...]
#
# Workloads default to: insert insert_hint lookup_hit lookup_miss remove iterate
# (remove includes a clone of the full map per repetition).
#
# GOMAP_CG_CACHE=1 also simulates this machine's caches (32 KiB 8-way L1d,
# 1 MiB 8-way L2 as callgrind's last level, 64-byte lines) and prints, per
# operation, the data reads that miss L1 and those that miss L2: the memory
# cost of a workload, deterministic where its time is not. Callgrind's
# caches are a model (no prefetcher, no TLB), so compare workloads with one
# another, not with the hardware. GOMAP_CG_D1 and GOMAP_CG_LL replace the two
# caches (callgrind's SIZE,WAYS,LINE), e.g. GOMAP_CG_LL=33554432,16,64 for a
# 32 MiB L3 as the last level.
#
# GOMAP_CG_RUNS=K (default 1) repeats each measurement K times and prints
# the mean: maps draw a random seed per run, which moves a count by up to
# ±3 instructions per operation.
set -euo pipefail
bin=$1
n=${2:-100000}
shift $(($# >= 2 ? 2 : 1))
works=("$@")
[[ ${#works[@]} -gt 0 ]] || works=(insert insert_hint lookup_hit lookup_miss remove iterate)
cache=${GOMAP_CG_CACHE:-0}
opts=()
[[ $cache == 0 ]] || opts=(--cache-sim=yes "--D1=${GOMAP_CG_D1:-32768,8,64}" "--LL=${GOMAP_CG_LL:-1048576,8,64}")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Prints "Ir D1mr DLmr" (event totals; the misses are 0 without the cache
# simulation) for one run of workload $1 with $2 repetitions.
counts() {
  valgrind --tool=callgrind "${opts[@]}" --callgrind-out-file="$out" "$bin" "$1" "$n" "$2" >/dev/null 2>&1
  python3 - "$out" <<'PY'
import sys
events, totals = [], []
for line in open(sys.argv[1]):
    if line.startswith("events:"):
        events = line.split()[1:]
    elif line.startswith("summary:") or line.startswith("totals:"):
        totals = [int(x) for x in line.split()[1:]]
t = dict(zip(events, totals))
print(t.get("Ir", 0), t.get("D1mr", 0), t.get("DLmr", 0))
PY
}
if [[ $cache == 0 ]]; then
  printf '%-20s %8s\n' workload instr/op
else
  printf '%-20s %8s %8s %8s\n' workload instr/op L1miss/op L2miss/op
fi
runs=${GOMAP_CG_RUNS:-1}
for w in "${works[@]}"; do
  pairs=()
  for _ in $(seq "$runs"); do
    read -r a1 a2 a3 < <(counts "$w" 1)
    read -r b1 b2 b3 < <(counts "$w" 3)
    pairs+=("$a1" "$a2" "$a3" "$b1" "$b2" "$b3")
  done
  python3 - "$w" "$n" "$cache" "${pairs[@]}" <<'PY'
import sys
w, n, cache = sys.argv[1], int(sys.argv[2]), sys.argv[3] != "0"
v = [int(x) for x in sys.argv[4:]]
runs = [v[i:i + 6] for i in range(0, len(v), 6)]
per = [sum((r[k + 3] - r[k]) / 2 / n for r in runs) / len(runs) for k in range(3)]
per = [p if abs(p) >= 0.005 else 0.0 for p in per]
if cache:
    print(f"{w:<20} {per[0]:8.1f} {per[1]:8.2f} {per[2]:8.2f}")
else:
    print(f"{w:<20} {per[0]:8.1f}")
PY
done
