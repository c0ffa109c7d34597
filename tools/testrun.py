#!/usr/bin/env python3
"""Runs every VeridianOS test and prints one line per test, then 'N passed, N failed'.

Host unit tests come first (build/host/unit/*/test_*), then QEMU boots on all
three architectures (tests/qemu/boots.py lists them). A boot is judged from
its serial log and QEMU's exit status; a boot that does not finish within its
timeout is a failure and its log is shown. Harness self-checks boot kernels
that panic, fault or hang on purpose and check that the judge catches them.
"""
import argparse
import concurrent.futures
import glob
import os
import re
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'qemu'))
import qemu  # noqa: E402
import boots  # noqa: E402
import ext_linux  # noqa: E402

LOG_TAIL = 80


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def report(self, name, ok, why='', log=None):
        if ok:
            self.passed += 1
            print('PASS ' + name, flush=True)
            return
        self.failed += 1
        print('FAIL %s%s' % (name, ': ' + why if why else ''), flush=True)
        if log is not None:
            lines = log.splitlines()
            print('---- output of %s (last %d lines) ----' % (name, min(LOG_TAIL, len(lines))))
            print('\n'.join(lines[-LOG_TAIL:]))
            print('---- end of log ----', flush=True)


def run_unit_tests(res, build, only):
    fixtures = os.path.join(build, 'host', 'fixtures')
    for exe in sorted(glob.glob(os.path.join(build, 'host', 'unit', '*', 'test_*'))):
        name = 'unit.' + os.path.basename(os.path.dirname(exe)) + '.' + os.path.basename(exe)
        if only and not re.search(only, name):
            continue
        try:
            p = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=300, env=dict(os.environ, UNIT_FIXTURES=fixtures))
            out, rc = p.stdout.decode('utf-8', 'replace'), p.returncode
        except subprocess.TimeoutExpired:
            res.report(name, False, 'timed out')
            continue
        seen = 0
        for line in out.splitlines():
            m = re.match(r'utest (\S+) (PASS|FAIL)$', line)
            if m:
                seen += 1
                res.report('unit.' + m.group(1), m.group(2) == 'PASS',
                           log=None if m.group(2) == 'PASS' else out)
        if rc != 0 and seen == 0 or rc < 0:
            res.report(name, False, 'exit status %d' % rc, out)
        elif seen == 0:
            res.report(name, False, 'ran no test', out)


def run_posix_linux_tests(res, build, only):
    """tests/posix/*.c built with Debian's musl-gcc and run on this Linux: each must exit 0."""
    for exe in sorted(glob.glob(os.path.join(build, 'host', 'posix-linux', '*'))):
        name = 'linux.posix.' + os.path.basename(exe)
        if only and not re.search(only, name):
            continue
        env = {k: v for k, v in os.environ.items() if k != 'VERIDIAN_TEST'}
        with tempfile.TemporaryDirectory() as cwd:
            try:
                p = subprocess.run([os.path.abspath(exe), 'linux'], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, timeout=300, cwd=cwd, env=env,
                                   stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                res.report(name, False, 'timed out')
                continue
        out = p.stdout.decode('utf-8', 'replace')
        res.report(name, p.returncode == 0, 'exit status %d' % p.returncode,
                   None if p.returncode == 0 else out)


def run_ext_linux(res, build, only):
    """The external test suites built against Debian's musl and run on this Linux, the
    reference (docs/EXTERNAL-TESTS.md): linux.ext.<suite> passes when every name of the
    suite's expected-pass lists (all three architectures') passes here too."""
    top = os.path.join(build, 'host', 'ext-linux')
    if not os.path.isdir(top) or only and not re.search(only, 'linux.ext.'):
        return
    log, timed_out = ext_linux.run(top, timeout=1800)
    if timed_out:
        res.report('linux.ext', False, 'timed out', log)
        return
    for name, ok, why in boots.ext_judge('linux.ext', log, 'linux'):
        res.report(name, ok, why, None if ok else log)


def run_gdb_test(res, build, arch):
    """`make debug` works: QEMU waits for gdb, tools/gdbinit attaches and stops in kmain."""
    name = 'tools.gdb_attach.' + arch
    with socket.socket() as s:
        s.bind(('localhost', 0))
        port = s.getsockname()[1]
    cmd = qemu.command(arch, build, 'test') + ['-gdb', 'tcp:localhost:%d' % port, '-S',
                                               '-display', 'none', '-serial', 'null',
                                               '-monitor', 'none']
    vm = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    try:
        gdb = subprocess.run(['gdb-multiarch', '-nx', '-batch', '-x', 'tools/gdbinit',
                              '-ex', 'continue', '-ex', 'bt 1',
                              os.path.join(build, arch, 'kernel.elf')],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=120,
                             env=dict(os.environ, VERIDIAN_GDB_PORT=str(port)))
        out = gdb.stdout.decode('utf-8', 'replace')
        ok = re.search(r'^#0 .*kmain \(\) at microkernel/kern/main\.c', out, re.M) is not None
        res.report(name, ok, 'gdb did not stop in kmain', None if ok else out)
    except subprocess.TimeoutExpired:
        res.report(name, False, 'gdb timed out')
    finally:
        vm.kill()
        vm.wait()


def run_boot(boot, build):
    boot.set_build(build)
    if boot.shell:
        # The shell's script (boots.SHELL_SCRIPT); its judge gets which answers came.
        cmd = qemu.command(boot.arch, build, boot.mode, boot.firmware, boot.cpu)
        log, seen = qemu.run_console(cmd, [s[1:] for s in boots.SHELL_SCRIPT], boot.timeout)
        return boot, log, seen
    log, rc = qemu.boot(boot.arch, boot.mode, boot.timeout, build, boot.firmware, boot.cpu,
                       numa=boot.numa, smp=boot.smp or qemu.SMP)
    return boot, log, rc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--only', help='regular expression: run only matching tests')
    ap.add_argument('--jobs', type=int, default=2)
    args = ap.parse_args()

    res = Results()
    run_unit_tests(res, args.build, args.only)
    run_posix_linux_tests(res, args.build, args.only)
    run_ext_linux(res, args.build, args.only)

    todo = [b for b in boots.BOOTS if not args.only or re.search(args.only, b.label)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for boot, log, rc in pool.map(lambda b: run_boot(b, args.build), todo):
            for name, ok, why in boot.judge(log, rc):
                res.report(name, ok, why, None if ok else log)

    for arch in qemu.FIRMWARES:
        if not args.only or re.search(args.only, 'tools.gdb_attach.' + arch):
            run_gdb_test(res, args.build, arch)

    print('%d passed, %d failed' % (res.passed, res.failed))
    return 1 if res.failed or res.passed == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
