# Shared helpers for the build scripts: step progress, logs, cache keys.
# shellcheck shell=bash

DV_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DV_CACHE=${DV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/duvisor}
DV_BUILD=${DV_BUILD:-$DV_TOP/build}
DV_LOGS=$DV_BUILD/logs
DV_JOBS=${DV_JOBS:-$(nproc)}
mkdir -p "$DV_CACHE"/{dl,src,work,out} "$DV_LOGS"

# Serialise builds sharing one cache: two concurrent `make` runs would
# otherwise race on the incremental work trees.
dv_lock() {
	exec 9>"$DV_CACHE/.lock"
	if ! flock -n 9; then
		echo "waiting for another build holding $DV_CACHE/.lock ..."
		flock 9
	fi
}

dv_now() { date +%s; }

# dv_step NAME LOGFILE CMD...: run CMD with all output in LOGFILE, print one
# line when it starts and one when it ends; on failure show the log's tail.
dv_step() {
	local name=$1 log=$2 t0 rc
	shift 2
	t0=$(dv_now)
	printf '==> %-28s log: %s\n' "$name" "$log"
	# Not inside `if`: bash ignores errexit in any function called from a
	# condition, so a failing command in a step would go unnoticed.
	set +e
	(
		set -e
		"$@"
	) >>"$log" 2>&1
	rc=$?
	set -e
	if [ $rc -eq 0 ]; then
		printf '<== %-28s done in %ss\n' "$name" "$(($(dv_now) - t0))"
	else
		printf '!!! %-28s FAILED after %ss (exit %d); last lines of %s:\n' \
			"$name" "$(($(dv_now) - t0))" "$rc" "$log"
		tail -n 40 "$log" | sed 's/^/    /'
		exit 1
	fi
}

dv_die() {
	echo "error: $*" >&2
	exit 1
}

# dv_hash ARGS...: a short key from strings and file contents (dirs recursed).
dv_hash() {
	local a
	for a in "$@"; do
		if [ -d "$a" ]; then
			find "$a" -type f -print0 | LC_ALL=C sort -z |
				xargs -0 -r sha256sum | sed "s|$DV_TOP/||"
		elif [ -f "$a" ]; then
			printf '%s ' "${a#"$DV_TOP"/}"
			sha256sum <"$a"
		else
			printf 'str:%s\n' "$a"
		fi
	done | sha256sum | cut -c1-16
}

# dv_pkg_version PKG: installed version of a Debian package.
dv_pkg_version() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null || dv_die "package $1 is not installed; run 'make deps'"
}

# dv_apply_patches DIR SERIESDIR: apply SERIESDIR/*.patch to DIR in order.
# A patch that does not apply stops the build and is named.
dv_apply_patches() {
	local dir=$1 series=$2 p
	shopt -s nullglob
	for p in "$series"/*.patch; do
		echo "applying $(basename "$p")"
		if ! git -C "$dir" apply --whitespace=nowarn -p1 "$p"; then
			echo "PATCH DOES NOT APPLY: $p" >&2
			return 1
		fi
	done
	shopt -u nullglob
}

# dv_prepare_tree PRISTINE SERIESDIR WORKSRC: make WORKSRC equal to PRISTINE
# with the patch series applied. A hard-linked staging copy keeps this cheap;
# files a patch touches are unshared first. Only files whose contents differ
# are rewritten in WORKSRC (and get a new mtime), so an incremental build
# rebuilds just what the change touches, including a reverted patch.
dv_prepare_tree() {
	local pristine=$1 series=$2 work=$3 staging=$3.staging f
	rm -rf "$staging"
	mkdir -p "$(dirname "$staging")"
	cp -al "$pristine" "$staging"
	shopt -s nullglob
	for f in $(cat /dev/null "$series"/*.patch | sed -n -E 's@^(---|\+\+\+) [ab]/([^\t]*).*@\2@p' | sort -u); do
		if [ -f "$staging/$f" ]; then
			cp --remove-destination "$pristine/$f" "$staging/$f"
		fi
	done
	shopt -u nullglob
	dv_apply_patches "$staging" "$series" || return 1
	mkdir -p "$work"
	rsync -rlpc --delete "$staging"/ "$work"/
	rm -rf "$staging"
}

# dv_artifact NAME PATH: record an artifact for the runners in build/artifacts.env.
dv_artifact() {
	local f=$DV_BUILD/artifacts.env
	touch "$f"
	grep -v "^$1=" "$f" >"$f.tmp" || true
	echo "$1=$2" >>"$f.tmp"
	mv "$f.tmp" "$f"
}
