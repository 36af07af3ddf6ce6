#!/usr/bin/env bash
# Native unit tests of duvisor's portable core: build (tests/unit/Makefile)
# and run every test program, then print the totals.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/tests/unit
make --no-print-directory -s -C "$top/tests/unit" O="$out" || { echo "unit: build failed"; echo "0 passed, 1 failed"; exit 1; }
p=0 f=0
# The programs of this tree's sources only (not a binary left by a test since removed)
for src in "$top"/tests/unit/test_*.c; do
	t=$out/$(basename "$src" .c)
	[ -x "$t" ] || { echo "$(basename "$t") was not built"; f=$((f + 1)); continue; }
	echo "--- $(basename "$t")"
	res=$("$t" 2>&1)
	rc=$?
	echo "$res" | grep -v '^PASS '
	line=$(echo "$res" | tail -n 1)
	if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p=$((p + BASH_REMATCH[1])) f=$((f + BASH_REMATCH[2]))
	else
		echo "$(basename "$t") ended without a summary (exit $rc)"
		f=$((f + 1))
	fi
	[ $rc -ne 0 ] && [ "${BASH_REMATCH[2]:-0}" = 0 ] && f=$((f + 1))
done
echo "unit: $p passed, $f failed"
[ $f -eq 0 ]
