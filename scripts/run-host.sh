#!/usr/bin/env bash
# Boot the emulated RISC-V host interactively on this terminal.
# Leave with 'poweroff' in the host shell, or Ctrl-A then X to kill QEMU.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$DV_BUILD/artifacts.env"
SMP=${SMP:-4}
MEM=${MEM:-2G}
echo "Booting the DuVisor host: $SMP harts, $MEM. Leave with 'poweroff' (or Ctrl-A X)."
exec "$QEMU" -M virt -cpu rv64,h=true,sstc=true,xdvext=on -smp "$SMP" -m "$MEM" \
	-bios "$OPENSBI" -kernel "$KERNEL" -initrd "$INITRAMFS" \
	-append "console=ttyS0 earlycon=sbi ${APPEND:-}" \
	-netdev user,id=net0 -device virtio-net-device,netdev=net0 \
	-nographic -no-reboot
