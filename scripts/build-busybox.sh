#!/usr/bin/env bash
# Build a static riscv64 busybox from Debian's busybox source, cached.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
dv_lock

LOG=$DV_LOGS/busybox.log
: >"$LOG"
BBMAKE=(make CROSS_COMPILE=riscv64-linux-gnu- -j "$DV_JOBS")

fetch() {
	cd "$DV_CACHE/dl"
	ls busybox_*.dsc >/dev/null 2>&1 || apt-get source --download-only busybox
	ls busybox_*.dsc >/dev/null 2>&1 || { echo "no busybox source in the archive"; return 1; }
}
dv_step "busybox: fetch source" "$LOG" fetch
DSC=$(ls "$DV_CACHE"/dl/busybox_*.dsc | sort -V | tail -n 1)
VER=$(basename "$DSC" .dsc)
VER=${VER#busybox_}
echo "busybox source version: $VER" | tee -a "$LOG"

KEY=$(dv_hash "busybox $VER" "$0")
OUT=$DV_CACHE/out/busybox-$KEY
if [ -x "$OUT/busybox" ]; then
	echo "busybox: up to date ($OUT)"
	dv_artifact BUSYBOX "$OUT/busybox"
	exit 0
fi

SRC=$DV_CACHE/src/busybox-$VER
extract() {
	[ -d "$SRC" ] && return 0
	rm -rf "$SRC.tmp"
	dpkg-source -x "$DSC" "$SRC.tmp"
	mv "$SRC.tmp" "$SRC"
}
dv_step "busybox: extract $VER" "$LOG" extract

BUILD=$DV_CACHE/work/busybox-$KEY
configure() {
	[ -f "$BUILD/.config" ] && [ -f "$BUILD/.dv-configured" ] && return 0
	rm -rf "$BUILD"
	mkdir -p "$BUILD"
	"${BBMAKE[@]}" -C "$SRC" O="$BUILD" defconfig
	# Static, so the initramfs needs no C library; no tc (it does not
	# build against recent kernel headers and nothing here uses it).
	sed -i -e 's/^# CONFIG_STATIC is not set/CONFIG_STATIC=y/' \
		-e 's/^CONFIG_TC=y/# CONFIG_TC is not set/' "$BUILD/.config"
	"${BBMAKE[@]}" -C "$BUILD" oldconfig </dev/null
	grep -qx 'CONFIG_STATIC=y' "$BUILD/.config"
	touch "$BUILD/.dv-configured"
}
dv_step "busybox: configure" "$LOG" configure
dv_step "busybox: compile (cold: ~2 min)" "$LOG" "${BBMAKE[@]}" -C "$BUILD" busybox busybox.links

install_out() {
	rm -rf "$OUT.tmp"
	mkdir -p "$OUT.tmp"
	cp "$BUILD/busybox" "$BUILD/busybox.links" "$OUT.tmp/"
	echo "$VER" >"$OUT.tmp/VERSION"
	mv "$OUT.tmp" "$OUT"
}
dv_step "busybox: install to cache" "$LOG" install_out
dv_artifact BUSYBOX "$OUT/busybox"
