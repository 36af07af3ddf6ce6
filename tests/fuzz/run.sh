#!/usr/bin/env bash
# Build the libFuzzer targets (tests/fuzz/Makefile) and run each for
# FUZZ_SECONDS (default 60) on a copy of its seed corpus in the build
# directory; print per target the executions and whether it found anything.
# Exits non-zero if a target failed to build or found a problem.
#   FUZZ_SECONDS=20 tests/fuzz/run.sh [target...]     (default: all targets)
#   FUZZ_OUT=dir (default build/fuzz), FUZZ_ARGS="extra libFuzzer flags"
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
src=$top/tests/fuzz
out=${FUZZ_OUT:-$top/build/fuzz}
secs=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(virtq virtio_mmio blk net insn plic uart loader fdt sbi)

if ! command -v clang >/dev/null; then
	echo "fuzz: clang not found (make deps installs it)" >&2
	exit 1
fi
bins=()
for t in "${targets[@]}"; do bins+=("$out/fuzz_$t"); done
if ! make --no-print-directory -s -C "$src" O="$out" "${bins[@]}"; then
	echo "fuzz: build failed" >&2
	exit 1
fi

bad=0
results=()
for t in "${targets[@]}"; do
	corpus=$out/corpus/$t       # grows from run to run; the repository's seeds stay as they are
	artifacts=$out/artifacts/$t # crash-*, leak-*, timeout-*, oom-*, slow-unit-* of this run
	log=$out/$t.log
	mkdir -p "$corpus"
	rm -rf "$artifacts"
	mkdir -p "$artifacts"
	cp -f "$src"/corpus/"$t"/* "$corpus"/ 2>/dev/null
	echo "=== fuzz_$t: ${secs}s (log $log)"
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
	"$out/fuzz_$t" -max_total_time="$secs" -timeout=25 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} \
		"$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	found=$(find "$artifacts" -type f | wc -l)
	if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then
		verdict="FOUND (exit $rc, $found artifact(s) in $artifacts)"
		bad=1
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant failed|.*runtime error)' "$log" | head -n 5
	else
		verdict="nothing found"
	fi
	results+=("$(printf '%-12s %12s execs  %s' "$t" "${execs:-?}" "$verdict")")
done

echo "=== fuzz summary (${secs}s per target)"
printf '%s\n' "${results[@]}"
exit $bad
