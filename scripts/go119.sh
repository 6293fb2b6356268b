# Sourced (not run) by the scripts that build this repository's Go 1.19
# programs, scripts/record-oracle.sh and scripts/record-syncmap.sh: finds
# Go 1.19 and gives a build a private, offline environment, so that it
# works as root on a fresh machine and never reaches the network.
#
#   . "$root/scripts/go119.sh"
#   gobin=$(go119_find) || die "..."
#   go119_env "$work"

# Whether $1 is a Go 1.19 toolchain.
go119_is() { "$1" version 2>/dev/null | grep -Eq '^go version go1\.19(\.[0-9]+)? '; }

# Prints the first Go 1.19 of $GO, /usr/lib/go-1.19/bin/go and `go` on
# PATH; fails when there is none.
go119_find() {
	local cand
	for cand in "${GO:-}" /usr/lib/go-1.19/bin/go "$(command -v go 2>/dev/null || true)"; do
		if [ -n "$cand" ] && [ -x "$cand" ] && go119_is "$cand"; then
			echo "$cand"
			return 0
		fi
	done
	return 1
}

# Exports a build environment under the scratch directory $1: its own
# cache and module path, the local toolchain only (Go >= 1.21 would otherwise
# consider switching toolchains), no proxy, no cgo, the release's default
# experiments. The same environment serves the other Go releases
# record-oracle.sh accepts.
go119_env() {
	export GOCACHE=$1/gocache GOPATH=$1/gopath GOMODCACHE=$1/gopath/pkg/mod
	export GOTOOLCHAIN=local GOPROXY=off GOFLAGS= GO111MODULE=on GOENV=off CGO_ENABLED=0 GOWORK=off GOEXPERIMENT=
}

GO119_MISSING="Go 1.19 not found (tried \$GO, /usr/lib/go-1.19/bin/go, go on PATH); install it, e.g. apt-get install golang-1.19-go"
