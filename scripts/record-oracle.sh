#!/usr/bin/env bash
# Build the map oracle (oracle/) and record every case script in
# testdata/oracle/cases/ as OUTDIR/NAME.jsonl.gz (default OUTDIR:
# testdata/oracle/recorded).
#
#   scripts/record-oracle.sh [OUTDIR [CASE...]]
#   GOMAP_GO=/path/to/go scripts/record-oracle.sh OUTDIR
#
# CASE names (without .txt) restrict the run to those cases. The toolchain is
# GOMAP_GO when set (any release the oracle accepts: Go 1.19.x, 1.21.13,
# 1.22.10, 1.23.9; see oracle/README.md, "Versions"), else Go 1.19
# (GO=/path/to/go, else /usr/lib/go-1.19/bin/go, else `go` on PATH). Needs
# gzip. The oracle uses the standard library only: no network, no module
# downloads, no toolchain switch (GOTOOLCHAIN=local).
# Recordings differ from run to run (Go draws a random hash key per process);
# what they record about layouts does not. The oracle runs under
# GODEBUG=cpu.aes=off, so its first record carries that key and a replay
# recomputes every recorded hash (oracle/README.md, "The hashkey record").
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cases_dir=$root/testdata/oracle/cases
outdir=${1:-$root/testdata/oracle/recorded}
shift || true

die() { echo "record-oracle: $*" >&2; exit 1; }

# shellcheck source=go119.sh
. "$root/scripts/go119.sh"
if [ -n "${GOMAP_GO:-}" ]; then
	gobin=$GOMAP_GO
	[ -x "$gobin" ] || die "GOMAP_GO=$gobin is not an executable"
else
	gobin=$(go119_find) || die "$GO119_MISSING"
fi
command -v gzip >/dev/null || die "gzip not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/record-oracle.XXXXXX")
trap 'rm -rf "$work"' EXIT

go119_env "$work"

echo "record-oracle: building with $("$gobin" version)" >&2
# No -gcflags=-N and no -race: both stop the compiler from turning the
# range-delete loop into runtime.mapclear (the self-check would refuse).
# Go 1.23 links runtime.hashkey (oracle/hashkey.go) only with the linkname
# check off; older linkers do not know the flag.
ldflags=
case $("$gobin" env GOVERSION) in go1.2[3-9]*) ldflags=-checklinkname=0 ;; esac
(cd "$root/oracle" && "$gobin" build -trimpath -ldflags="$ldflags" -o "$work/oracle" .) || die "build failed"
export GODEBUG=cpu.aes=off
"$work/oracle" -check || die "oracle self-check failed (is $("$gobin" env GOVERSION) a release the oracle has been verified on?)"

if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for f in "$cases_dir"/*.txt; do
		[ -e "$f" ] || die "no cases in $cases_dir"
		n=$(basename "$f" .txt)
		names+=("$n")
	done
fi

mkdir -p "$outdir"
for n in "${names[@]}"; do
	script=$cases_dir/$n.txt
	[ -f "$script" ] || die "no such case: $script"
	tmp=$outdir/.$n.jsonl.gz.tmp
	if ! "$work/oracle" "$script" | gzip -n -9 >"$tmp"; then
		rm -f "$tmp"
		die "case $n failed"
	fi
	mv "$tmp" "$outdir/$n.jsonl.gz"
	printf 'record-oracle: %-32s %9s bytes\n' "$n.jsonl.gz" "$(wc -c <"$outdir/$n.jsonl.gz")" >&2
done

for f in "$outdir"/*.jsonl.gz; do
	[ -e "$f" ] || continue
	[ -f "$cases_dir/$(basename "$f" .jsonl.gz).txt" ] || echo "record-oracle: note: $f has no case script" >&2
done
