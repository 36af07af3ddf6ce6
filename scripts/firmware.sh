#!/usr/bin/env bash
# OpenSBI's generic fw_dynamic firmware, unmodified, from Debian's opensbi.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
FW=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
[ -f "$FW" ] || dv_die "$FW missing; run 'make deps'"
echo "opensbi: $(dv_pkg_version opensbi) ($FW)" | tee "$DV_LOGS/opensbi.log"
dv_artifact OPENSBI "$FW"
