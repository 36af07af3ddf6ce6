#!/usr/bin/env bash
# Build qemu-system-riscv64 from Debian's QEMU 7.2 source plus
# platform/qemu/patches/, cached under $DV_CACHE keyed by its inputs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
dv_lock

PATCHES=$DV_TOP/platform/qemu/patches
LOG=$DV_LOGS/qemu.log
: >"$LOG"

CONFIGURE_ARGS=(
	--target-list=riscv64-softmmu
	--without-default-features
	--enable-slirp --enable-fdt=system --enable-tcg
	--disable-install-blobs --disable-docs --disable-tools
	--disable-werror --with-git-submodules=ignore
	--enable-plugins
)

fetch() {
	cd "$DV_CACHE/dl"
	ls qemu_7.2*.dsc >/dev/null 2>&1 || apt-get source --download-only qemu
	ls qemu_7.2*.dsc >/dev/null 2>&1 || { echo "no QEMU 7.2 source in the archive"; return 1; }
}
dv_step "qemu: fetch source" "$LOG" fetch
DSC=$(ls "$DV_CACHE"/dl/qemu_7.2*.dsc | sort -V | tail -n 1)
VER=$(basename "$DSC" .dsc)
VER=${VER#qemu_}
echo "qemu source version: $VER" | tee -a "$LOG"

KEY=$(dv_hash "qemu $VER" "${CONFIGURE_ARGS[*]}" "$PATCHES" "$0")
OUT=$DV_CACHE/out/qemu-$KEY
if [ -x "$OUT/qemu-system-riscv64" ]; then
	echo "qemu: up to date ($OUT)"
	dv_artifact QEMU "$OUT/qemu-system-riscv64"
	exit 0
fi

PRISTINE=$DV_CACHE/src/qemu-$VER
extract() {
	[ -d "$PRISTINE" ] && return 0
	rm -rf "$PRISTINE.tmp"
	dpkg-source -x "$DSC" "$PRISTINE.tmp"
	mv "$PRISTINE.tmp" "$PRISTINE"
}
dv_step "qemu: extract $VER" "$LOG" extract

WORK=$DV_CACHE/work/qemu
patch_tree() {
	dv_prepare_tree "$PRISTINE" "$PATCHES" "$WORK/src"
}
dv_step "qemu: apply patches" "$LOG" patch_tree

configure() {
	local stamp
	stamp=$(dv_hash "${CONFIGURE_ARGS[*]}" "$VER")
	if [ -f "$WORK/build/build.ninja" ] && [ "$(cat "$WORK/build/.dv-configured" 2>/dev/null)" = "$stamp" ]; then
		echo "already configured"
		return 0
	fi
	rm -rf "$WORK/build"
	mkdir -p "$WORK/build"
	(cd "$WORK/build" && "$WORK/src/configure" "${CONFIGURE_ARGS[@]}")
	echo "$stamp" >"$WORK/build/.dv-configured"
}
dv_step "qemu: configure" "$LOG" configure

dv_step "qemu: compile (cold: ~8 min)" "$LOG" ninja -C "$WORK/build" -j "$DV_JOBS" qemu-system-riscv64

install_out() {
	rm -rf "$OUT.tmp"
	mkdir -p "$OUT.tmp"
	cp "$WORK/build/qemu-system-riscv64" "$OUT.tmp/"
	# The TCG plugin API the binary was built with (bench/prof/ builds against it)
	mkdir -p "$OUT.tmp/include"
	cp "$WORK/src/include/qemu/qemu-plugin.h" "$OUT.tmp/include/"
	echo "$VER" >"$OUT.tmp/VERSION"
	mv "$OUT.tmp" "$OUT"
}
dv_step "qemu: install to cache" "$LOG" install_out
dv_artifact QEMU "$OUT/qemu-system-riscv64"
