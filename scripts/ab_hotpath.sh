#!/usr/bin/env bash
# Times two builds of the hotpath example against each other on one noisy
# machine: the runs alternate (before, after, before, after, ...), so load
# that comes and goes falls on both, and each side's median is printed with
# every run and the ratio after ÷ before.
#
#   git checkout OLD && cargo build --release -p gomap --example hotpath
#   cp target/release/examples/hotpath /tmp/hotpath.before
#   git checkout NEW && cargo build --release -p gomap --example hotpath
#   cp target/release/examples/hotpath /tmp/hotpath.after
#   scripts/ab_hotpath.sh /tmp/hotpath.before /tmp/hotpath.after RUNS N REPS WORKLOAD...
#
# Each run is `BIN WORKLOAD N REPS` (ns per operation, thread CPU time; see
# examples/hotpath.rs for the workload names).
set -euo pipefail
if [[ $# -lt 6 ]]; then
  echo "usage: $0 BEFORE AFTER RUNS N REPS WORKLOAD..." >&2
  exit 2
fi
before=$1 after=$2 runs=$3 n=$4 reps=$5
shift 5
ns() { "$1" "$2" "$n" "$reps" | grep -o '[0-9.]* ns/op' | cut -d' ' -f1; }
for w in "$@"; do
  a=() b=()
  for _ in $(seq "$runs"); do
    a+=("$(ns "$before" "$w")")
    b+=("$(ns "$after" "$w")")
  done
  python3 - "$w" "$n" "${a[*]}" "${b[*]}" <<'PY'
import statistics, sys
w, n, a, b = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
a, b = [float(x) for x in a], [float(x) for x in b]
ma, mb = statistics.median(a), statistics.median(b)
print(f"{w:<22} N={n:<8} before {ma:8.2f}  after {mb:8.2f}  after/before {mb / ma:.3f}"
      f"   (before {' '.join(f'{x:.1f}' for x in a)} | after {' '.join(f'{x:.1f}' for x in b)})")
PY
done
