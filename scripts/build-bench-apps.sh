#!/usr/bin/env bash
# Cross-build static, stripped riscv64 benchmark programs from Debian 12's
# source packages, cached by their inputs like busybox: one directory
# $DV_CACHE/out/bench-apps-<key>/ with bin/<program> and VERSIONS, recorded
# as BENCH_APPS in build/artifacts.env. What is built and why, and what
# is not: bench/apps/README.md. Smoke test on the emulated host:
# bench/apps/smoke.py.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
dv_lock

LOG=$DV_LOGS/bench-apps.log
: >"$LOG"
APPS=$DV_TOP/bench/apps
DL=$DV_CACHE/dl
T=riscv64-linux-gnu
command -v $T-g++ >/dev/null || dv_die "$T-g++ missing; run 'make deps'"
for t in cmake autoreconf libtoolize; do
	command -v $t >/dev/null || dv_die "$t missing; run 'make deps'"
done

# Debian source packages that must be there.
REQUIRED=(libevent memcached libmemcached iperf fio qperf 7zip stress)
# Built when the archive serves all their files (it does not at the time of
# writing: bench/apps/README.md).
OPTIONAL=(iperf3 stress-ng)
# libmemcached: the archive serves the .dsc and the upstream tarball but not
# the Debian tarball. While that is so, the upstream tarball alone is used,
# checked against the .dsc's checksum, without Debian's patches ("orig" in
# VERSIONS); the full Debian source when the archive serves it (see fetch).
ORIG_OK=" libmemcached "

# dsc_files DSC: "sha256 name" of each file the .dsc lists.
dsc_files() {
	sed -n '/^Checksums-Sha256:/,/^[^ ]/{/^ /p}' "$1" | awk '{print $1, $3}'
}

# dscs PKG: the .dsc files of PKG in $DL, newest first.
dscs() {
	local f
	for f in "$DL/$1"_*.dsc; do
		[ ! -f "$f" ] || echo "$f"
	done | sort -Vr
}

# dsc_has DSC all|orig: are all the files DSC lists (or its upstream
# tarball) in $DL?
dsc_has() {
	local sum name
	while read -r sum name; do
		case "$2:$name" in
		all:* | orig:*.orig.tar.*) [ -f "$DL/$name" ] || return 1 ;;
		esac
	done < <(dsc_files "$1")
}

# src_dsc PKG: "DSC MODE" for the newest .dsc of PKG in $DL that can be
# built: MODE full (all its files here) or, for an ORIG_OK package, orig
# (its upstream tarball here); empty if none.
src_dsc() {
	local dsc
	for dsc in $(dscs "$1"); do
		if dsc_has "$dsc" all; then
			echo "$dsc full"
			return 0
		fi
		case "$ORIG_OK" in *" $1 "*)
			if dsc_has "$dsc" orig; then
				echo "$dsc orig"
				return 0
			fi
			;;
		esac
	done
}

# Ask the archive for each package once per .dsc version: a package whose
# files it did not all serve gets a marker in $DL and is not asked for again
# (remove the marker to ask again), so that a warm run needs no network.
fetch() {
	local pkg dsc have
	cd "$DL"
	for pkg in "${REQUIRED[@]}" "${OPTIONAL[@]}"; do
		have=$(src_dsc "$pkg")
		[ "${have##* }" = full ] && continue
		dsc=$(dscs "$pkg" | head -n 1)
		if [ -z "$dsc" ] || [ ! -f "$DL/.unavailable-$(basename "$dsc")" ]; then
			echo "--- apt-get source --download-only $pkg"
			apt-get source --download-only "$pkg" || true
			have=$(src_dsc "$pkg")
			[ "${have##* }" = full ] && continue
			dsc=$(dscs "$pkg" | head -n 1)
			# a required package that cannot be built is asked for every time
			if [ -n "$dsc" ] && { [ -n "$have" ] || [[ " ${OPTIONAL[*]} " = *" $pkg "* ]]; }; then
				touch "$DL/.unavailable-$(basename "$dsc")"
			fi
		fi
		if [ -n "$have" ]; then
			echo "$pkg: the archive does not serve all of $(basename "$dsc"); using its upstream tarball"
		elif [[ " ${OPTIONAL[*]} " = *" $pkg "* ]]; then
			echo "$pkg: the archive does not serve its source; not built (bench/apps/README.md)"
		else
			echo "the archive does not serve the source package $pkg (${dsc:-no .dsc})"
			return 1
		fi
	done
}
dv_step "bench-apps: fetch sources" "$LOG" fetch

# The package set and versions, for the cache key and VERSIONS.
declare -A DSC MODE VER SRC
PKGS=()
for pkg in "${REQUIRED[@]}" "${OPTIONAL[@]}"; do
	d=$(src_dsc "$pkg")
	[ -n "$d" ] || continue
	DSC[$pkg]=${d% *}
	MODE[$pkg]=${d##* }
	VER[$pkg]=$(sed -n 's/^Version: //p' "${DSC[$pkg]}")
	SRC[$pkg]=$DV_CACHE/src/$pkg-${VER[$pkg]}
	if [ "${MODE[$pkg]}" = orig ]; then
		VER[$pkg]="${VER[$pkg]} (orig)"
		SRC[$pkg]=${SRC[$pkg]}-orig
	fi
	PKGS+=("$pkg")
done
# hackbench: the kernel's copy of it (perf bench sched messaging), from
# Debian's linux-source-6.1, which the kernel build uses too.
KTARBALL=/usr/src/linux-source-6.1.tar.xz
[ -f "$KTARBALL" ] || dv_die "$KTARBALL missing; run 'make deps'"
KVER=$(dv_pkg_version linux-source-6.1)
{
	echo "bench-apps sources:"
	for pkg in "${PKGS[@]}"; do echo "  $pkg ${VER[$pkg]}"; done
	echo "  linux-source-6.1 $KVER"
	for pkg in "${OPTIONAL[@]}"; do
		[ -n "${DSC[$pkg]:-}" ] || echo "  (not built: $pkg, its source is not served by the archive)"
	done
} | tee -a "$LOG"

KEY=$(dv_hash bench-apps "${PKGS[@]/#/pkg:}" "${SRC[@]##*/}" "linux-source-6.1 $KVER" \
	"$(dv_pkg_version gcc-riscv64-linux-gnu)" "$APPS/hackbench-main.c" "$APPS/patches" "$0")
OUT=$DV_CACHE/out/bench-apps-$KEY
if [ -f "$OUT/VERSIONS" ]; then
	echo "bench-apps: up to date ($OUT)"
	dv_artifact BENCH_APPS "$OUT"
	exit 0
fi

# Pristine trees, one per source version, in $DV_CACHE/src.
extract() {
	local pkg src dsc sum name
	for pkg in "${PKGS[@]}"; do
		dsc=${DSC[$pkg]}
		src=${SRC[$pkg]}
		[ -d "$src" ] && continue
		rm -rf "$src.tmp"
		if [ "${MODE[$pkg]}" = orig ]; then
			read -r sum name < <(dsc_files "$dsc" | grep '\.orig\.tar\.')
			echo "$sum  $DL/$name" | sha256sum -c
			mkdir -p "$src.tmp"
			tar -xf "$DL/$name" -C "$src.tmp" --strip-components=1
		else
			dpkg-source --no-copy -x "$dsc" "$src.tmp"
		fi
		mv "$src.tmp" "$src"
	done
	# Only tools/ of the kernel; build-linux.sh's full tree is reused if there.
	src=$DV_CACHE/src/linux-tools-$KVER
	if [ ! -d "$src" ] && [ ! -d "$DV_CACHE/src/linux-$KVER/tools" ]; then
		rm -rf "$src.tmp"
		mkdir -p "$src.tmp"
		tar -xf "$KTARBALL" -C "$src.tmp" --strip-components=1 linux-source-6.1/tools
		mv "$src.tmp" "$src"
	fi
}
dv_step "bench-apps: extract sources" "$LOG" extract
KSRC=$DV_CACHE/src/linux-$KVER
[ -d "$KSRC/tools" ] || KSRC=$DV_CACHE/src/linux-tools-$KVER

WORK=$DV_CACHE/work/bench-apps-$KEY
SYSROOT=$WORK/sysroot
STAGE=$WORK/stage
mkdir -p "$SYSROOT" "$STAGE"
export CC=$T-gcc CXX=$T-g++ AR=$T-ar RANLIB=$T-ranlib STRIP=$T-strip
export CFLAGS="-O2" CXXFLAGS="-O2" LDFLAGS="-static"
export PKG_CONFIG_LIBDIR=$SYSROOT/lib/pkgconfig PKG_CONFIG_PATH=
CONF=("--host=$T" "--build=$(gcc -dumpmachine)")
MAKE=(make -j "$DV_JOBS")

# Each build runs in a fresh copy of the pristine tree, in $WORK/<pkg>,
# with bench/apps/patches/<pkg>/*.patch applied.
fresh_tree() {
	rm -rf "${WORK:?}/$1"
	cp -a "${SRC[$1]}" "$WORK/$1"
	dv_apply_patches "$WORK/$1" "$APPS/patches/$1"
	cd "$WORK/$1"
}

build_libevent() {
	fresh_tree libevent
	# As Debian's build (dh_autoreconf): a Debian patch changes Makefile.am.
	autoreconf -fi
	./configure "${CONF[@]}" --prefix="$SYSROOT" --disable-shared --enable-static \
		--disable-openssl --disable-samples --disable-libevent-regress \
		--disable-doxygen-doc
	"${MAKE[@]}"
	make install
}

build_memcached() {
	fresh_tree memcached
	# Cross-compiling, configure cannot run its alignment probe: ask for
	# aligned accesses (a misaligned one traps on most RISC-V cores).
	./configure "${CONF[@]}" --with-libevent="$SYSROOT" --enable-static \
		--disable-sasl --disable-tls --disable-docs --disable-coverage \
		ac_cv_c_alignment=need
	"${MAKE[@]}" memcached
	cp memcached "$STAGE/"
}

build_libmemcached() {
	fresh_tree libmemcached
	cmake -S . -B build -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=riscv64 \
		-DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
		-DCMAKE_FIND_ROOT_PATH="$SYSROOT" -DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER \
		-DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY \
		-DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=ONLY \
		-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTING=OFF \
		-DBUILD_DOCS=OFF -DBUILD_DOCS_MAN=OFF -DENABLE_SASL=OFF -DENABLE_DTRACE=OFF \
		-DENABLE_OPENSSL_CRYPTO=OFF -DENABLE_MEMASLAP=ON \
		-DCMAKE_EXE_LINKER_FLAGS=-static
	cmake --build build -j "$DV_JOBS" --target aslap
	cp build/contrib/bin/memaslap/memaslap "$STAGE/"
}

build_iperf() {
	fresh_tree iperf
	autoreconf -fi # as Debian's build: its patches change configure.ac, Makefile.am
	./configure "${CONF[@]}" --enable-static-bin --enable-fastsampling
	"${MAKE[@]}"
	cp src/iperf "$STAGE/"
}

build_iperf3() {
	fresh_tree iperf3
	autoreconf -fi # as Debian's build (dh_autoreconf)
	./configure "${CONF[@]}" --disable-shared --enable-static --enable-static-bin \
		--without-openssl --without-sctp
	"${MAKE[@]}"
	cp src/iperf3 "$STAGE/"
}

build_fio() {
	fresh_tree fio
	# No optional library: psync/sync/mmap and the other built-in engines.
	./configure --cc="$CC" --cpu=riscv64 --build-static --disable-native --disable-numa \
		--disable-rdma --disable-rados --disable-rbd --disable-http \
		--disable-gfapi --disable-libnfs --disable-pmem --disable-xnvme \
		--disable-libzbc --disable-tcmalloc --disable-dfs
	"${MAKE[@]}" fio
	cp fio "$STAGE/"
}

build_qperf() {
	fresh_tree qperf
	# Without RDMA it is five C files; no need for its autotools.
	cd src
	perl ./mkhelp
	$CC $CFLAGS -Wall $LDFLAGS -o qperf qperf.c socket.c rds.c support.c help.c
	cp qperf "$STAGE/"
}

build_7zip() {
	fresh_tree 7zip
	# 7zr: the 7z format and LZMA only; "7zr b" is 7-Zip's CPU benchmark.
	"${MAKE[@]}" -C CPP/7zip/Bundles/Alone7z -f ../../cmpl_gcc.mak \
		CROSS_COMPILE=$T- DEB_7Z_CFLAGS="$CFLAGS" DEB_7Z_CXXFLAGS="$CXXFLAGS" \
		DEB_7Z_LDFLAGS="$LDFLAGS"
	cp CPP/7zip/Bundles/Alone7z/b/g/7zr "$STAGE/"
}

build_stress() {
	fresh_tree stress
	autoreconf -fi # the tarball has no configure; Debian's build makes it so too
	# AC_FUNC_MALLOC cannot run its probe when cross-compiling (glibc passes).
	./configure "${CONF[@]}" ac_cv_func_malloc_0_nonnull=yes
	"${MAKE[@]}"
	cp src/stress "$STAGE/"
}

build_stress-ng() {
	fresh_tree stress-ng
	"${MAKE[@]}" STATIC=1
	cp stress-ng "$STAGE/"
}

build_hackbench() {
	rm -rf "$WORK/hackbench"
	mkdir -p "$WORK/hackbench"
	cd "$WORK/hackbench"
	local t=$KSRC/tools
	$CC $CFLAGS $LDFLAGS -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DHAVE_PTHREAD_ATTR_SETAFFINITY_NP \
		-I"$t/include" -I"$t/lib" -I"$t/perf" -o hackbench \
		"$APPS/hackbench-main.c" "$t/perf/bench/sched-messaging.c" \
		"$t"/lib/subcmd/{parse-options,help,exec-cmd,pager,run-command,sigchain,subcmd-config}.c \
		"$t"/lib/{string,str_error_r,ctype}.c -lpthread
	cp hackbench "$STAGE/"
}

# One step per package; a package already built for this key is not rebuilt
# after a later one failed.
for pkg in "${PKGS[@]}" hackbench; do
	[ -f "$WORK/.done-$pkg" ] && continue
	dv_step "bench-apps: build $pkg" "$LOG" "build_$pkg"
	touch "$WORK/.done-$pkg"
done

# program -> source package it comes from
declare -A FROM=([memcached]=memcached [memaslap]=libmemcached [iperf]=iperf
	[iperf3]=iperf3 [fio]=fio [qperf]=qperf [7zr]=7zip [stress]=stress
	[stress-ng]=stress-ng [hackbench]=linux-source-6.1)
VER[linux-source-6.1]=$KVER

install_out() {
	local f p
	rm -rf "$OUT.tmp"
	mkdir -p "$OUT.tmp/bin"
	for f in "$STAGE"/*; do
		p=$(basename "$f")
		$STRIP -o "$OUT.tmp/bin/$p" "$f"
		# Static: no program interpreter, no shared library.
		if $T-readelf -ld "$OUT.tmp/bin/$p" | grep -qE 'INTERP|NEEDED'; then
			echo "$p is not statically linked"
			return 1
		fi
		printf '%-10s %-16s %s\n' "$p" "${FROM[$p]}" "${VER[${FROM[$p]}]}" >>"$OUT.tmp/VERSIONS"
	done
	if [ -n "${VER[libevent]:-}" ]; then
		printf '%-10s %-16s %s\n' "(lib)" libevent "${VER[libevent]}" >>"$OUT.tmp/VERSIONS"
	fi
	mv "$OUT.tmp" "$OUT"
	rm -rf "$WORK"
}
dv_step "bench-apps: strip and install to cache" "$LOG" install_out
(cd "$OUT/bin" && ls -l --block-size=K | awk 'NR>1 {printf "  %-10s %6s\n", $9, $5}')
dv_artifact BENCH_APPS "$OUT"
