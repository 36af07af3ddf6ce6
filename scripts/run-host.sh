#!/usr/bin/env bash
# Boot the emulated RISC-V host interactively on this terminal, and in it a
# guest under duvisor (GUEST_CPUS, GUEST_MEM, BACKEND=dvext|kvm); HOST_ONLY=1 stops at the host
# shell. Leave the guest with 'poweroff' (or Ctrl-] x, duvisor's escape),
# the host with 'poweroff', QEMU with Ctrl-A then X.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$DV_BUILD/artifacts.env"
SMP=${SMP:-4}
MEM=${MEM:-2G}
GUEST=
[ -n "${HOST_ONLY:-}" ] || GUEST="dv.guest=${GUEST_CPUS:-2},${GUEST_MEM:-256M},${BACKEND:-dvext}"
echo "Booting the DuVisor host: $SMP harts, $MEM${GUEST:+, then a guest ($GUEST)}."
echo "Leave with 'poweroff'; Ctrl-] x quits duvisor, Ctrl-A X (in the host) kills QEMU."
exec "$QEMU" -M virt -cpu rv64,h=true,sstc=true,xdvext=on -smp "$SMP" -m "$MEM" \
	-bios "$OPENSBI" -kernel "$KERNEL" -initrd "$INITRAMFS" \
	-append "console=ttyS0 earlycon=sbi cma=768M $GUEST ${APPEND:-}" \
	-netdev user,id=net0 -device virtio-net-device,netdev=net0 \
	-nographic -no-reboot
