#!/usr/bin/env python3
"""make test-ext-full: the whole of the external test suites (docs/EXTERNAL-TESTS.md) in
VeridianOS, outside make test (under emulation it takes well over 20 minutes per
architecture). Boots each architecture named, one after the other, in the ext-full mode
(/ext/run.sh without --subset), keeps the serial log in build/<arch>/ext-full.log and
prints each suite's PASS/FAIL/SKIP counts beside the Linux reference's (run.sh over
build/host/ext-linux, everything; its log in build/host/ext-full-linux.log) and the names that passed on Linux and not here.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'qemu'))
import qemu  # noqa: E402
import boots  # noqa: E402
import ext_linux  # noqa: E402

# The ext-full initrd carries all eight fuzz databases (about 64 MB), and the
# root task and the vfs server each hold a copy of it: more than make test's 256 MB.
EXT_FULL_MEMORY_MB = 1024


def counts(got):
    return '%d / %d / %d' % tuple(sum(1 for v in got.values() if v == k)
                                   for k in ('PASS', 'FAIL', 'SKIP'))


def linux_reference(build):
    path = os.path.join(build, 'host', 'ext-full-linux.log')
    top = os.path.join(build, 'host', 'ext-linux')
    out, _ = ext_linux.run(top)
    with open(path, 'wb') as f:
        f.write(out.encode('utf-8'))
    with open(path, encoding='utf-8', errors='replace') as f:
        return boots.ext_results(f.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--timeout', type=int, default=4 * 3600)
    ap.add_argument('arches', nargs='+')
    args = ap.parse_args()
    logs = {}
    for arch in args.arches:
        log_path = os.path.join(args.build, arch, 'ext-full.log')
        cmd = qemu.command(arch, args.build, 'ext-full', memory=EXT_FULL_MEMORY_MB) + [
            '-display', 'none', '-serial', 'file:' + log_path, '-monitor', 'none']
        try:
            rc = subprocess.run(cmd, stdin=subprocess.DEVNULL, timeout=args.timeout).returncode
        except subprocess.TimeoutExpired:
            rc = None
        logs[arch] = (log_path, rc)
    linux = linux_reference(args.build)
    for arch, (log_path, rc) in logs.items():
        with open(log_path, encoding='utf-8', errors='replace') as f:
            got = boots.ext_results(f.read().replace('\r', ''))
        status = None if rc is None else qemu.exit_status(arch, rc)
        print('%s: QEMU %s' % (arch, 'did not exit within %d s' % args.timeout if rc is None
                                else 'exit status %d%s' % (rc, '' if status is None else
                                                           ' (the guest\'s %d)' % status)))
        for suite in boots.EXT_SUITES:
            ref = linux.get(suite, {})
            mine = got.get(suite)
            print('  %s: Linux %s, %s %s' % (suite, counts(ref), arch,
                                            counts(mine) if mine is not None else 'did not finish'))
            for name in sorted(n for n, v in ref.items() if v == 'PASS'):
                if (mine or {}).get(name) != 'PASS':
                    print('    passes on Linux, not here: %s (%s)' % (
                        name, (mine or {}).get(name, 'not run')))


if __name__ == '__main__':
    main()
