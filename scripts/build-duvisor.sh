#!/usr/bin/env bash
# Build duvisor (static riscv64) into build/duvisor; make keeps it incremental.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$DV_BUILD/artifacts.env"
LOG=$DV_LOGS/duvisor.log
: >"$LOG"
[ -f "$KHEADERS/linux/duvisor.h" ] || dv_die "kernel headers without linux/duvisor.h; run 'make linux'"
# libfdt: Debian's device-tree-compiler source is the intended origin, but its
# files are not on this archive mirror; linux-source-6.1 carries the same
# upstream libfdt in scripts/dtc/libfdt.
LIBFDT_SRC=$KSRC/scripts/dtc/libfdt
[ -f "$LIBFDT_SRC/libfdt.h" ] || dv_die "libfdt sources missing at $LIBFDT_SRC"
dv_step "duvisor: compile" "$LOG" make -C "$DV_TOP/duvisor" -j "$DV_JOBS" O="$DV_BUILD/duvisor" \
	KHEADERS="$KHEADERS" LIBFDT_SRC="$LIBFDT_SRC"
dv_artifact DUVISOR "$DV_BUILD/duvisor/duvisor"
