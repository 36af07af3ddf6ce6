#!/usr/bin/env bash
# Assemble the host initramfs: static busybox, its applet links, the init
# scripts from platform/initramfs/. Tests add their own files on top (see
# tests/lib/hostvm.py), so this archive changes only with its inputs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BUSYBOX_DIR=$(dirname "$(grep '^BUSYBOX=' "$DV_BUILD/artifacts.env" | cut -d= -f2-)")
[ -x "$BUSYBOX_DIR/busybox" ] || dv_die "busybox not built; run 'make busybox'"
SRC=$DV_TOP/platform/initramfs
LOG=$DV_LOGS/initramfs.log
: >"$LOG"

KEY=$(dv_hash "$BUSYBOX_DIR/busybox" "$BUSYBOX_DIR/busybox.links" "$SRC" "$DV_TOP/scripts/mkcpio.py" "$0")
OUT=$DV_CACHE/out/initramfs-$KEY.cpio.gz
if [ -f "$OUT" ]; then
	echo "initramfs: up to date ($OUT)"
	dv_artifact INITRAMFS "$OUT"
	exit 0
fi

make_list() {
	local d
	for d in bin sbin usr usr/bin usr/sbin etc etc/init.d proc sys dev tmp run root test mnt; do
		echo "dir /$d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	echo "file /bin/busybox $BUSYBOX_DIR/busybox 0755 0 0"
	grep -v '^/bin/busybox$' "$BUSYBOX_DIR/busybox.links" | sort -u |
		while read -r l; do echo "slink $l /bin/busybox 0777 0 0"; done
	echo "slink /init /bin/busybox 0777 0 0"
	echo "file /etc/inittab $SRC/inittab 0644 0 0"
	echo "file /etc/init.d/rcS $SRC/rcS 0755 0 0"
	echo "file /etc/profile $SRC/profile 0644 0 0"
}
build() {
	make_list >"$DV_BUILD/initramfs.list"
	python3 "$DV_TOP/scripts/mkcpio.py" "$DV_BUILD/initramfs.list" "$OUT"
}
dv_step "initramfs: assemble" "$LOG" build
dv_artifact INITRAMFS "$OUT"
