#!/usr/bin/env bash
# Build the Linux 6.1 riscv64 kernel (host and guest) from Debian's
# linux-source-6.1 plus platform/linux/patches/, configured from
# allnoconfig + platform/linux/duvisor.config, cached by its inputs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
dv_lock

PATCHES=$DV_TOP/platform/linux/patches
FRAGMENT=$DV_TOP/platform/linux/duvisor.config
TARBALL=/usr/src/linux-source-6.1.tar.xz
LOG=$DV_LOGS/linux.log
: >"$LOG"
KMAKE=(make ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- -j "$DV_JOBS")

[ -f "$TARBALL" ] || dv_die "$TARBALL missing; run 'make deps'"
VER=$(dv_pkg_version linux-source-6.1)
echo "linux source version: linux-source-6.1 $VER" | tee -a "$LOG"

KEY=$(dv_hash "linux $VER" "$FRAGMENT" "$PATCHES" "$0")
OUT=$DV_CACHE/out/linux-$KEY
if [ -f "$OUT/Image" ]; then
	echo "linux: up to date ($OUT)"
	dv_artifact KERNEL "$OUT/Image"
	dv_artifact KHEADERS "$OUT/headers/include"
	dv_artifact KSRC "$DV_CACHE/src/linux-$VER"
	dv_artifact KBUILD "$DV_CACHE/work/linux/build"
	exit 0
fi

PRISTINE=$DV_CACHE/src/linux-$VER
extract() {
	[ -d "$PRISTINE" ] && return 0
	rm -rf "$PRISTINE.tmp"
	mkdir -p "$PRISTINE.tmp"
	tar -xf "$TARBALL" -C "$PRISTINE.tmp" --strip-components=1
	mv "$PRISTINE.tmp" "$PRISTINE"
}
dv_step "linux: extract $VER" "$LOG" extract

WORK=$DV_CACHE/work/linux
dv_step "linux: apply patches" "$LOG" dv_prepare_tree "$PRISTINE" "$PATCHES" "$WORK/src"

# Every option the fragment sets must survive Kconfig's dependency
# resolution; a silently dropped option would make a broken kernel.
check_config() {
	local bad=0 line opt val
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			opt=${line%%=*}
			if ! grep -qxF "$line" "$WORK/build/.config"; then
				val=$(grep -E "^(# )?$opt[= ]" "$WORK/build/.config" || echo "absent")
				echo "config: wanted '$line', got '$val'"
				bad=1
			fi
			;;
		esac
	done <"$FRAGMENT"
	return $bad
}

configure() {
	local stamp
	stamp=$(dv_hash "$FRAGMENT" "$VER")
	mkdir -p "$WORK/build"
	if [ "$(cat "$WORK/build/.dv-configured" 2>/dev/null)" = "$stamp" ] && [ -f "$WORK/build/.config" ]; then
		echo "already configured"
		return 0
	fi
	rm -f "$WORK/build/.dv-configured"
	"${KMAKE[@]}" -C "$WORK/src" O="$WORK/build" KCONFIG_ALLCONFIG="$FRAGMENT" allnoconfig
	check_config
	echo "$stamp" >"$WORK/build/.dv-configured"
}
dv_step "linux: configure" "$LOG" configure

dv_step "linux: compile (cold: ~6 min)" "$LOG" "${KMAKE[@]}" -C "$WORK/build" Image modules
# User-space API headers (linux/duvisor.h among them) for duvisor and tests
dv_step "linux: headers" "$LOG" "${KMAKE[@]}" -C "$WORK/build" headers_install INSTALL_HDR_PATH="$WORK/headers"

install_out() {
	rm -rf "$OUT.tmp"
	mkdir -p "$OUT.tmp"
	cp "$WORK/build/arch/riscv/boot/Image" "$WORK/build/.config" "$WORK/build/System.map" "$OUT.tmp/"
	cp -a "$WORK/headers" "$OUT.tmp/headers"
	echo "linux-source-6.1 $VER" >"$OUT.tmp/VERSION"
	mv "$OUT.tmp" "$OUT"
}
dv_step "linux: install to cache" "$LOG" install_out
dv_artifact KERNEL "$OUT/Image"
dv_artifact KHEADERS "$OUT/headers/include"
dv_artifact KSRC "$PRISTINE"
dv_artifact KBUILD "$WORK/build"
