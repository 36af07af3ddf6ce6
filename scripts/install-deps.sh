#!/usr/bin/env bash
# Install everything the build needs from Debian's archive.
# Idempotent: when every package is present it only checks and returns.
set -euo pipefail

PKGS=(
	build-essential pkg-config git python3 xz-utils zstd cpio rsync file
	bc flex bison kmod libssl-dev libelf-dev dwarves
	gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu libc6-dev-riscv64-cross
	ninja-build meson libglib2.0-dev libpixman-1-dev libfdt-dev libslirp-dev
	zlib1g-dev
	# <linux/virtio_*.h> for the native unit tests and fuzzers (duvisor uses the built kernel's)
	linux-libc-dev
	dpkg-dev device-tree-compiler e2fsprogs
	opensbi linux-source-6.1
	clang lld llvm libclang-rt-14-dev clang-format
	# make bench-apps (scripts/build-bench-apps.sh): C++ programs, libmemcached's
	# CMake build, and autoreconf as Debian's own builds run it
	g++-riscv64-linux-gnu cmake autoconf automake libtool
	# make bench: its plots (bench/bench.py, matplotlib's Agg backend)
	python3-matplotlib
)

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

# Source packages (QEMU, busybox, dtc) come from deb-src entries of the
# archive this machine already uses; add them when they are missing.
add_deb_src() {
	local src=/etc/apt/sources.list.d/debian.sources
	local out=/etc/apt/sources.list.d/duvisor-deb-src.sources
	if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 1
	fi
	if [ -f "$src" ]; then
		sed -e 's/^Types:.*/Types: deb-src/' "$src" | $SUDO tee "$out" >/dev/null
	elif [ -f /etc/apt/sources.list ]; then
		grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
			$SUDO tee /etc/apt/sources.list.d/duvisor-deb-src.list >/dev/null
	else
		echo "install-deps: no Debian apt source found to derive deb-src from" >&2
		exit 1
	fi
	return 0
}

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

updated=0
if add_deb_src; then
	$SUDO apt-get update -q
	updated=1
fi
# apt-get source needs deb-src package lists; make sure they have been fetched.
if ! ls /var/lib/apt/lists/*_source_Sources* >/dev/null 2>&1 && [ $updated -eq 0 ]; then
	$SUDO apt-get update -q
	updated=1
fi

if [ ${#missing[@]} -gt 0 ]; then
	[ $updated -eq 1 ] || $SUDO apt-get update -q
	echo "install-deps: installing ${missing[*]}"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "install-deps: all build dependencies present"
