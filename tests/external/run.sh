#!/bin/sh
# Runs the external test suites (docs/EXTERNAL-TESTS.md) and prints one line
# per test case, "ext SUITE PASS|FAIL|SKIP NAME", between "ext-suite SUITE
# begin" and "ext-suite SUITE end". The same script runs inside VeridianOS
# (/ext/run.sh, in the ext boot mode) and on Linux (tools/testrun.py), each
# over the builds for its own platform:
#   run.sh DIR WORK [SUITE...]
# DIR holds busybox/ (ports/busybox-tests: busybox, .config, testsuite/,
# shell/ash_test/) and sqlite/ (ports/sqlite: fuzzcheck and the fuzz
# databases to run); WORK is a writable directory the busybox tree is copied
# into, since its tests write where they run. SUITE: busybox, ash, sqlite
# (all three if none is named).
set -u
dir=$1 work=$2
shift 2
[ $# -gt 0 ] || set -- busybox ash sqlite
exec </dev/null

# Every command the suites run is the test busybox's, on both platforms.
rm -rf "$work"
mkdir -p "$work"
cp -R "$dir/busybox" "$work/busybox"
mkdir "$work/bin"
"$work/busybox/busybox" --install -s "$work/bin"
PATH=$work/bin:$PATH
export PATH

for suite; do
	echo "ext-suite $suite begin"
	case "$suite" in
	busybox)
		# runtest: "PASS: name", "FAIL: name", "SKIPPED: name", "UNTESTED: name".
		(cd "$work/busybox/testsuite" && sh ./runtest 2>&1) | sed \
			-e 's/^PASS: /ext busybox PASS /' -e 's/^FAIL: /ext busybox FAIL /' \
			-e 's/^SKIPPED: /ext busybox SKIP /' -e 's/^UNTESTED: /ext busybox SKIP /'
		;;
	ash)
		# run-all: "ash-module/name.tests: ok" or "... fail".
		(cd "$work/busybox/shell/ash_test" && sh ./run-all 2>&1) | sed \
			-e 's/^\(ash-[^ ]*\): ok$/ext ash PASS \1/' -e 's/^\(ash-[^ ]*\): fail$/ext ash FAIL \1/'
		;;
	sqlite)
		# fuzzcheck stops at a database's first failing case: one result per database.
		for db in "$dir"/sqlite/fuzzdata*.db; do
			name=${db##*/}
			if "$dir/sqlite/fuzzcheck" "$db" 2>&1; then
				echo "ext sqlite PASS $name"
			else
				echo "ext sqlite FAIL $name"
			fi
		done
		;;
	*) echo "run.sh: no suite $suite" ;;
	esac
	echo "ext-suite $suite end"
done
rm -rf "$work"
