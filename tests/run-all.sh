#!/usr/bin/env bash
# Run every test suite (tests/*/*_test.py|sh, or those named in $SUITES),
# print each suite's 'N passed, N failed' and a total; exit non-zero on any
# failure. A suite that dies without its summary line counts as one failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$top/build/logs
mkdir -p "$logs"

suites=()
if [ -n "${SUITES:-}" ]; then
	for s in $SUITES; do suites+=("$(ls "$top"/tests/"$s"/*_test.* 2>/dev/null | head -n 1)"); done
else
	for f in "$top"/tests/*/*_test.py "$top"/tests/*/*_test.sh; do [ -e "$f" ] && suites+=("$f"); done
fi

# Suites that boot guests under duvisor (they read DV_BACKEND) run once per
# backend, as name[backend]; BACKENDS narrows that.
runs=()
for s in "${suites[@]}"; do
	if [ -n "$s" ] && grep -q 'backend()' "$s"; then
		for b in ${BACKENDS:-dvext kvm}; do runs+=("$s:$b"); done
	else
		runs+=("$s:")
	fi
done

total_p=0 total_f=0 summary=()
for run in "${runs[@]}"; do
	s=${run%:*} b=${run##*:}
	[ -n "$s" ] || { echo "unknown suite in SUITES=$SUITES"; total_f=$((total_f + 1)); continue; }
	name=$(basename "$(dirname "$s")")${b:+[$b]}
	log=$logs/suite-${name/[/-}; log=${log%]}.log
	echo "=== suite $name ($s)"
	t0=$(date +%s)
	DV_BACKEND=${b:-dvext} "$s" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
	else
		p=0 f=0
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "suite $name exited $rc without reporting a failure; counting one"
		f=$((f + 1))
	fi
	total_p=$((total_p + p)) total_f=$((total_f + f))
	summary+=("$(printf '%-14s %d passed, %d failed (%ss)' "$name" "$p" "$f" "$(($(date +%s) - t0))")")
done

echo
echo "=== summary"
for l in "${summary[@]}"; do echo "$l"; done
echo "total: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ] && [ "$total_p" -gt 0 ]
