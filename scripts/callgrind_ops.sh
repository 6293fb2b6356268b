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
set -euo pipefail
bin=$1
n=${2:-100000}
shift $(($# >= 2 ? 2 : 1))
works=("$@")
[[ ${#works[@]} -gt 0 ]] || works=(insert insert_hint lookup_hit lookup_miss remove iterate)
ir() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$n" "$2" 2>&1 |
    sed -n 's/.*I *refs: *//p' | tr -d ,
}
for w in "${works[@]}"; do
  a=$(ir "$w" 1)
  b=$(ir "$w" 3)
  python3 -c "print(f'{\"$w\":<12} {($b - $a) / 2 / $n:8.1f}')"
done
