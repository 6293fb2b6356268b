#!/usr/bin/env bash
# Build the Go 1.19 sync.Map recorder (oracle/syncmap/) and record every
# script in testdata/syncmap/ as OUTDIR/NAME.jsonl (default OUTDIR:
# testdata/syncmap, next to the scripts, where the committed recordings live).
#
#   scripts/record-syncmap.sh [OUTDIR]
#
# Needs Go 1.19 (GO=/path/to/go, else /usr/lib/go-1.19/bin/go, else `go` on
# PATH). Standard library only: no network. A sync.Map's state does not depend
# on hashing, so recordings are the same on every run: CI records into a
# fresh directory and diffs against the committed ones.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scripts_dir=$root/testdata/syncmap
outdir=${1:-$scripts_dir}

die() { echo "record-syncmap: $*" >&2; exit 1; }

# shellcheck source=go119.sh
. "$root/scripts/go119.sh"
gobin=$(go119_find) || die "$GO119_MISSING"

work=$(mktemp -d "${TMPDIR:-/tmp}/record-syncmap.XXXXXX")
trap 'rm -rf "$work"' EXIT
go119_env "$work"

echo "record-syncmap: building with $("$gobin" version)" >&2
(cd "$root/oracle" && "$gobin" build -trimpath -o "$work/syncmap" ./syncmap) || die "build failed"
"$work/syncmap" -check || die "self-check failed"

mkdir -p "$outdir"
for script in "$scripts_dir"/*.txt; do
	[ -e "$script" ] || die "no scripts in $scripts_dir"
	n=$(basename "$script" .txt)
	tmp=$outdir/.$n.jsonl.tmp
	if ! "$work/syncmap" "$script" >"$tmp"; then
		rm -f "$tmp"
		die "script $n failed"
	fi
	mv "$tmp" "$outdir/$n.jsonl"
	printf 'record-syncmap: %-24s %4d ops\n' "$n.jsonl" "$(wc -l <"$outdir/$n.jsonl")" >&2
done
