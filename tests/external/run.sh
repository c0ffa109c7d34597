#!/bin/sh
# Runs the external test suites (docs/EXTERNAL-TESTS.md) and prints one line
# per test case, "ext SUITE PASS|FAIL|SKIP NAME", between "ext-suite SUITE
# begin" and "ext-suite SUITE end". The same script runs inside VeridianOS
# (/ext/run.sh, in the ext boot mode) and on Linux (tools/testrun.py), each
# over the builds for its own platform:
#   run.sh [--subset] DIR WORK [SUITE...]
# DIR holds busybox/ (ports/busybox-tests: busybox, .config, testsuite/,
# shell/ash_test/) and sqlite/ (ports/sqlite: fuzzcheck and the fuzz
# databases to run); WORK is a writable directory the busybox tree is copied
# into, since its tests write where they run. SUITE: busybox, ash, sqlite
# (all three if none is named). --subset (make test in VeridianOS, where
# all of it takes too long under emulation) runs only the busybox applets of
# SUBSET_APPLETS and the ash modules of SUBSET_ASH; sqlite runs the databases
# DIR has (the guest's initrd carries fewer).
set -u
subset=""
if [ "$1" = --subset ]; then
	subset=yes
	shift
fi
dir=$1 work=$2
shift 2
[ $# -gt 0 ] || set -- sqlite ash busybox
# busybox's tests of these applets a whole run runs last, each with a time
# limit of SLOW_LIMIT seconds: under emulation they take far longer than the
# others (bc.tests pipes some five million lines from one bc to another, each
# printed with a write of its own: over half an hour in VeridianOS, about two on
# Linux; docs/EXTERNAL-TESTS.md). The subset does not have them.
SLOW_APPLETS="bc"
SLOW_LIMIT=10800
SUBSET_APPLETS="awk basename cat cmp comm cut diff dirname echo expand expr factor false fold grep head hexdump hostname od paste printf pwd rev sed seq sort tac tail tee tr true uniq unexpand uuencode wc xargs xxd"
SUBSET_ASH="ash-alias ash-arith ash-comm ash-getopts ash-glob ash-heredoc ash-invert ash-quoting ash-standalone"
# ash tests a whole run leaves out in VeridianOS (reported SKIP there; the
# subset does not have them): many_ifs.tests forks
# some 20,000 times (22 s on Linux), far over its time limit under emulation.
SLOW_ASH="ash-z_slow/many_ifs.tests"
exec </dev/null

# Every command the suites run is the test busybox's, on both platforms.
rm -rf "$work"
mkdir -p "$work"
cp -R "$dir/busybox" "$work/busybox"
mkdir "$work/bin"
"$work/busybox/busybox" --install -s "$work/bin"
PATH=$work/bin:$PATH
export PATH
# runtest starts each *.tests script by its "#!/bin/sh" line: that must be the
# test busybox's ash too (on Linux /bin/sh is another shell).
for f in $(grep -l '^#!/bin/sh' "$work"/busybox/testsuite/*.tests "$work"/busybox/testsuite/runtest); do
	sed -i "1s|^#!/bin/sh|#!$work/bin/sh|" "$f"
done
# Each test runs under the test busybox's timeout with a limit far above what
# it needs (LIMIT seconds; a whole *.tests file of an applet, an old-style
# test, an ash test, a fuzz database), so that one which never ends is one
# failure, not the end of the suite. Its output goes to a file, not to the
# pipe the runner reads: a process it leaves behind cannot hold that open.
# The limit is the same on both platforms; a whole run (not --subset) gets a
# longer one, since under emulation some applets' *.tests take minutes, and
# SLOW_APPLETS longer still (runtest takes its limit from EXT_LIMIT).
LIMIT=1200
[ -z "$subset" ] || LIMIT=300
limit="timeout -s KILL $LIMIT"
# shellcheck disable=SC2016 # runtest expands it
runtest_limit='timeout -s KILL $EXT_LIMIT'
sed -i -f - "$work/busybox/testsuite/runtest" <<EOF
s|^\([[:space:]]*\)sh -x -e "\$testcase" >|\1$runtest_limit sh -x -e "\$testcase" >|
s|^\([[:space:]]*\)"\$tsdir/\$applet.tests"\$|\1$runtest_limit "\$tsdir/\$applet.tests" >"\$applet.out" 2>\&1|
s|^\([[:space:]]*\)rc=\$?\$|\1rc=\$?; cat "\$applet.out"; rm -f "\$applet.out"; [ \$rc -ne 137 ] \|\| echo "FAIL: \$applet.tests (time limit)"|
EOF
sed -i -f - "$work/busybox/shell/ash_test/run-all" <<EOF
s|^\([[:space:]]*\)"\$THIS_SH" "./\$x" 2>&1 |\1$limit "\$THIS_SH" "./\$x" >"\$name.out" 2>\&1; cat "\$name.out" |
EOF
grep -qF "$runtest_limit" "$work/busybox/testsuite/runtest" || echo "run.sh: no time limit in testsuite/runtest"
grep -qF "$limit" "$work/busybox/shell/ash_test/run-all" || echo "run.sh: no time limit in shell/ash_test/run-all"

for suite; do
	echo "ext-suite $suite begin"
	case "$suite" in
	busybox)
		# runtest: "PASS: name", "FAIL: name", "SKIPPED: name", "UNTESTED: name".
		applets=$("$work/busybox/busybox" --list | grep -vxF "$(printf '%s\n' $SLOW_APPLETS)")
		slow=$SLOW_APPLETS
		[ -z "$subset" ] || applets=$SUBSET_APPLETS slow=""
		# shellcheck disable=SC2086
		(cd "$work/busybox/testsuite" || exit
			EXT_LIMIT=$LIMIT sh ./runtest busybox $applets 2>&1
			[ -z "$slow" ] || EXT_LIMIT=$SLOW_LIMIT sh ./runtest $slow 2>&1) | sed \
			-e 's/^PASS: /ext busybox PASS /' -e 's/^FAIL: /ext busybox FAIL /' \
			-e 's/^SKIPPED: /ext busybox SKIP /' -e 's/^UNTESTED: /ext busybox SKIP /'
		;;
	ash)
		t=$work/busybox/shell/ash_test
		if [ -z "$subset" ] && [ "$(uname -s)" != Linux ]; then
			for x in $SLOW_ASH; do
				rm -f "$t/$x" "$t/${x%.tests}.right"
				echo "ext ash SKIP $x"
			done
		fi
		# run-all: "ash-module/name.tests: ok" or "... fail".
		modules=""
		[ -z "$subset" ] || modules=$SUBSET_ASH
		# shellcheck disable=SC2086
		(cd "$t" && sh ./run-all $modules 2>&1) | sed \
			-e 's/^\(ash-[^ ]*\): ok$/ext ash PASS \1/' -e 's/^\(ash-[^ ]*\): fail$/ext ash FAIL \1/'
		# run-all keeps each failure's output or diff in TOPDIR/<module>-<test>.fail:
		# its first lines, for finding out why.
		for f in "$t"/*.fail; do
			[ -f "$f" ] || continue
			echo "ext-why ash ${f##*/}:"
			head -n 12 "$f" | sed 's/^/ext-why | /'
		done
		;;
	sqlite)
		# fuzzcheck stops at a database's first failing case: one result per database.
		for db in "$dir"/sqlite/fuzzdata*.db; do
			name=${db##*/}
			if $limit "$dir/sqlite/fuzzcheck" "$db" 2>&1; then
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
