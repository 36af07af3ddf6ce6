#!/usr/bin/env bash
# Assemble the initramfs images:
# - GUEST_INITRD: static busybox, its applet links and the init scripts from
#   platform/initramfs/ (also the base of the host's);
# - INITRAMFS (the host's): that, plus duvisor, and a guest kernel and
#   root filesystem in /guest for `make run`.
# Tests add their own files on top (tests/lib/hostvm.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BUSYBOX_DIR=$(dirname "$(grep '^BUSYBOX=' "$DV_BUILD/artifacts.env" | cut -d= -f2-)")
[ -x "$BUSYBOX_DIR/busybox" ] || dv_die "busybox not built; run 'make busybox'"
SRC=$DV_TOP/platform/initramfs
LOG=$DV_LOGS/initramfs.log
: >"$LOG"

. "$DV_BUILD/artifacts.env"
KEY=$(dv_hash "$BUSYBOX_DIR/busybox" "$BUSYBOX_DIR/busybox.links" "$SRC" "$DV_TOP/scripts/mkcpio.py" "$0")
OUT=$DV_CACHE/out/initramfs-$KEY.cpio.gz
HOST_KEY=$(dv_hash "$OUT" "$DUVISOR" "$KERNEL" "$KEY")
HOST_OUT=$DV_CACHE/out/host-initramfs-$HOST_KEY.cpio.gz

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
	[ -f "$OUT" ] && return 0
	make_list >"$DV_BUILD/initramfs.list"
	python3 "$DV_TOP/scripts/mkcpio.py" "$DV_BUILD/initramfs.list" "$OUT"
}
# Linux unpacks concatenated archives in order: the host's is the guest's
# plus one more archive with duvisor and the guest's files.
build_host() {
	[ -f "$HOST_OUT" ] && return 0
	{
		echo "file /usr/bin/duvisor $DUVISOR 0755 0 0"
		echo "dir /guest 0755 0 0"
		echo "file /guest/Image $KERNEL 0644 0 0"
		echo "file /guest/rootfs.cpio.gz $OUT 0644 0 0"
	} >"$DV_BUILD/host-extra.list"
	python3 "$DV_TOP/scripts/mkcpio.py" "$DV_BUILD/host-extra.list" "$DV_BUILD/host-extra.cpio.gz"
	cat "$OUT" "$DV_BUILD/host-extra.cpio.gz" >"$HOST_OUT.tmp"
	mv "$HOST_OUT.tmp" "$HOST_OUT"
}
if [ -f "$OUT" ] && [ -f "$HOST_OUT" ]; then
	echo "initramfs: up to date ($HOST_OUT)"
else
	dv_step "initramfs: assemble" "$LOG" build
	dv_step "initramfs: host image" "$LOG" build_host
fi
dv_artifact GUEST_INITRD "$OUT"
dv_artifact INITRAMFS "$HOST_OUT"
