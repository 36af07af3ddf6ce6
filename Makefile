# DuVisor: top-level build. `make run` boots the emulated host, `make test`
# runs every suite. Builds are cached under ~/.cache/duvisor (see README).

SHELL := /bin/bash
S := scripts

.PHONY: bench bench-quick format format-check test-bins all deps qemu linux busybox duvisor initramfs firmware host run test fuzz clean distclean help

all: host

help:
	@echo "make run    build what is needed and boot the emulated host"
	@echo "make test   build what is needed and run every test suite"
	@echo "make deps   install build dependencies from Debian's archive"
	@echo "make host   build QEMU, the kernel, busybox and the initramfs"
	@echo "make format-check  check the C style (.clang-format)"
	@echo "make bench  benchmarks, both backends, -icount: table and plots (docs/benchmarks.md)"
	@echo "make bench-quick  the micro-benchmarks only, one boot per two-hart run (~1 min)"
	@echo "make bench-apps  static riscv64 benchmark programs (bench/apps/README.md)"
	@echo "make fuzz   run the libFuzzer targets (virtio, decoder, PLIC, UART, loader, FDT, SBI), FUZZ_SECONDS (60) each"
	@echo "make clean  remove build/ (the cache in ~/.cache/duvisor stays)"

deps:
	@$(S)/install-deps.sh

qemu: deps
	@$(S)/build-qemu.sh

linux: deps
	@$(S)/build-linux.sh

busybox: deps
	@$(S)/build-busybox.sh

duvisor: linux
	@$(S)/build-duvisor.sh

initramfs: busybox duvisor linux
	@$(S)/build-initramfs.sh

firmware: deps
	@$(S)/firmware.sh

host: qemu linux initramfs firmware

run: host
	@$(S)/run-host.sh

# Suites with C or assembly parts keep a Makefile in their folder that
# builds into build/tests/<suite>/; every one is built before the suites run.
TEST_MAKEFILES := $(wildcard tests/*/Makefile)

test-bins: host
	@set -e; for m in $(TEST_MAKEFILES); do \
		d=$$(dirname $$m); echo "==> build $$d"; \
		$(MAKE) --no-print-directory -C $$d O=$(CURDIR)/build/tests/$$(basename $$d) \
			KHEADERS=$$(sed -n 's/^KHEADERS=//p' build/artifacts.env); \
	done

test: host test-bins
	@tests/run-all.sh

# Benchmarks on both backends under -icount (bench/bench.py; not part of make test):
# results in build/bench/, the table and plots in docs/benchmarks.md
bench: host bench-apps
	@bench/bench.py

bench-quick: host
	@bench/bench.py --quick

# Static riscv64 iperf, fio, memcached, ... from Debian sources (bench/apps/README.md)
.PHONY: bench-apps
bench-apps: deps
	@$(S)/build-bench-apps.sh

# libFuzzer targets of the virtio code, FUZZ_SECONDS each (tests/fuzz/README.md)
FUZZ_SECONDS ?= 60

fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

# The one C style of the repository (.clang-format), for duvisor and its unit tests
FORMAT_FILES = $(wildcard duvisor/src/*.c duvisor/src/*/*.[ch] duvisor/src/*/*/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] tests/e2e/*.[ch] tests/security/*.[ch])

format-check:
	@clang-format --dry-run -Werror $(FORMAT_FILES) && echo "format: $(words $(FORMAT_FILES)) files clean"

format:
	@clang-format -i $(FORMAT_FILES)

clean:
	rm -rf build

distclean: clean
	rm -rf $${XDG_CACHE_HOME:-$$HOME/.cache}/duvisor
