#!/bin/sh
# SQLite's fuzzcheck (test/fuzzcheck.c and the amalgamation sqlite3.c) from
# Debian bookworm's sqlite3 source package, with the options of SQLite's own
# Makefile (FUZZCHECK_OPT), built with tools/cc for one architecture or with
# Debian's musl-gcc for this Linux (--arch linux, the reference run), and the
# fuzz databases test/fuzzdata*.db it runs over.
#   ports/sqlite/build.sh --arch x86_64 --out build/x86_64/ports/sqlite
# --out DIR gets fuzzcheck and fuzzdata1.db ... fuzzdata8.db.
# The source tree with its amalgamation (made by the package's own configure
# and `make sqlite3.c`, which needs tclsh) and the compiled objects are cached
# in ~/.cache/veridian/ports/sqlite-<hash>/ (VERIDIAN_CACHE moves it); every
# build links fuzzcheck again against the current sysroot.
set -eu
PORT=sqlite
# shellcheck source=ports/lib.sh
. "$(dirname "$0")/../lib.sh"
port_args "--arch ARCH|linux --out DIR" "$@"

if [ "$arch" = linux ]; then
	cc="musl-gcc -static"
	compiler=$(musl-gcc --version | head -n 1)
	headers=""
else
	port_sysroot
	cc="$root/tools/cc --arch $arch"
	compiler=$(clang --version | head -n 1)
	headers=$(cd "$sysroot_dir/include" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum)
fi

hash=$(port_hash </dev/null)
top=$cache_root/sqlite-$hash
# The source tree depends only on Debian's package and the amalgamation step
# below: SRC_KEY names it, changed when that step changes.
SRC_KEY=bookworm-amalgamation-1
src=$cache_root/sqlite-src-$SRC_KEY

# The source tree and its amalgamation: the same for every architecture.
if [ ! -f "$src/.done" ]; then
	echo "  PORT    sqlite: Debian's source package and its amalgamation (recipe $hash)"
	port_work
	port_source sqlite3 "$work/tree"
	(mkdir -p "$work/tree/bld" && cd "$work/tree/bld" && ../configure --disable-tcl && make sqlite3.c) >>"$log" 2>&1 ||
		port_fail "making the amalgamation failed (tclsh: make setup)" "$log"
	rm -rf "$src"
	mv "$work/tree" "$src"
	: >"$src/.done"
fi

# fuzzcheck's sources and options, as SQLite's Makefile.in has them.
FUZZCHECK_SRC="test/fuzzcheck.c test/ossfuzz.c test/fuzzinvariants.c ext/recover/dbdata.c
	ext/recover/sqlite3recover.c test/vt02.c bld/sqlite3.c"
FUZZCHECK_OPT="-I$src/test -I$src/ext/recover -I$src/bld -DSQLITE_OMIT_LOAD_EXTENSION
	-DSQLITE_ENABLE_MEMSYS5 -DSQLITE_OSS_FUZZ -DSQLITE_MAX_MEMORY=50000000
	-DSQLITE_PRINTF_PRECISION_LIMIT=1000 -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_FTS3_PARENTHESIS
	-DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_GEOPOLY -DSQLITE_ENABLE_DBSTAT_VTAB
	-DSQLITE_ENABLE_BYTECODE_VTAB"

# Objects: keyed by the compiler and (for our architectures) the sysroot's headers.
key=$(printf '%s\n%s\n%s\n' "$compiler" "$headers" "$(sha256sum <"$root/tools/cc")" | sha256sum | cut -c1-16)
objs=$top/$arch-$key
if [ ! -f "$objs/.done" ]; then
	echo "  PORT    sqlite ($arch): compiling fuzzcheck"
	rm -rf "$objs"
	mkdir -p "$objs"
	for f in $FUZZCHECK_SRC; do
		o=$objs/$(basename "$f" .c).o
		# shellcheck disable=SC2086
		$cc -O2 -w $FUZZCHECK_OPT -c "$src/$f" -o "$o" || port_fail "compiling $f failed"
	done
	: >"$objs/.done"
fi

mkdir -p "$out"
# shellcheck disable=SC2086
$cc -Wno-unused-command-line-argument -o "$out/fuzzcheck" "$objs"/*.o -lm || port_fail "linking fuzzcheck failed"
for db in "$src"/test/fuzzdata*.db; do
	cp "$db" "$out/"
done
