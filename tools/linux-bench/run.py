#!/usr/bin/env python3
"""`make bench-linux`: Debian's Linux kernel on the machines `make bench` uses.

For each architecture: fetch Debian's kernel (kernels.py), build the benchmark
init (bench.c) with clang against raw system calls, pack it into an initramfs
(initramfs.py), boot it in QEMU under -icount shift=0,sleep=off and print the
`bench <name> <arch> <instructions-per-op>` lines it writes to the console.
A line starting with '#' says which kernel ran, on how many CPUs.

    run.py [--arch A]... [--release bookworm] [--timeout S] [--jobs N]
           [--append ARGS] [--all-cpus] [--print]
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import initramfs  # noqa: E402
import kernels  # noqa: E402
import qemu  # noqa: E402  tools/qemu.py: the machines VeridianOS runs on

ARCHES = ('x86_64', 'aarch64', 'riscv64')
CONSOLE = {'x86_64': 'ttyS0', 'aarch64': 'ttyAMA0', 'riscv64': 'ttyS0'}
TARGET_FLAGS = {
    'x86_64': [],
    'aarch64': [],
    # No linker relaxation: the program never sets up gp.
    'riscv64': ['-march=rv64gc', '-mabi=lp64d', '-mno-relax'],
}
# panic=-1 reboots at once on a panic, and QEMU's -no-reboot turns that into an exit.
APPEND = 'quiet panic=-1'

# QEMU 7.2 (bookworm) under -icount runs all vCPUs round robin in one thread,
# and Linux's secondary-CPU bring-up never completes there on x86_64 (the boot
# CPU and the new one wait for each other in do_boot_cpu / wait_for_master_cpu)
# nor on riscv64 (a hart stays in OpenSBI while another waits for its remote
# fence). The machine keeps its 4 CPUs; Linux brings up only the first.
# aarch64 boots all four. --all-cpus tries all of them everywhere.
ONE_CPU = {'x86_64': 'maxcpus=1', 'riscv64': 'maxcpus=1'}

# Boot and benchmarks take 10-60 s per architecture on a 2-core host.
TIMEOUT = 300


def build_init(arch, out):
    """Compiles bench.c for arch into out/init and returns its path."""
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, 'init')
    cmd = ['clang', '--target=%s-linux-gnu' % arch] + TARGET_FLAGS[arch] + [
        '-std=c11', '-O2', '-Wall', '-Wextra', '-Werror',
        '-ffreestanding', '-fno-stack-protector', '-fno-pic', '-nostdlib', '-nostdlibinc',
        '-static', '-fuse-ld=lld', '-I', os.path.join(HERE, 'arch', arch),
        '-o', path, os.path.join(HERE, 'bench.c')]
    subprocess.run(cmd, check=True)
    return path


def command(arch, kernel, initrd, append=''):
    """The QEMU command: tools/qemu.py's machine for arch, booting Linux directly."""
    cpu = qemu.DEFAULT_CPU[arch]
    if arch == 'x86_64':
        cmd = ['qemu-system-x86_64', '-M', 'q35', '-cpu', cpu]
    elif arch == 'aarch64':
        cmd = ['qemu-system-aarch64', '-M', 'virt,gic-version=3', '-cpu', cpu]
    else:
        cmd = ['qemu-system-riscv64', '-M', 'virt', '-cpu', cpu, '-bios', 'default']
    cmdline = ' '.join(filter(None, ['console=' + CONSOLE[arch], APPEND, append]))
    cmd += ['-kernel', kernel, '-initrd', initrd, '-append', cmdline,
            '-smp', str(qemu.SMP), '-m', str(qemu.MEMORY_MB), '-no-reboot',
            '-icount', 'shift=0,sleep=off']
    return cmd


def prepare(arch, args):
    """Fetches the kernel and builds the initramfs; returns (kernel directory, QEMU command)."""
    directory = kernels.fetch(arch, args.release)
    out = os.path.join(args.build, 'linux-bench', arch)
    init = build_init(arch, out)
    initrd = os.path.join(out, 'initramfs.cpio')
    with open(init, 'rb') as f:
        initramfs.write(initrd, f.read())
    append = ' '.join(filter(None, [None if args.all_cpus else ONE_CPU.get(arch), args.append]))
    return directory, command(arch, os.path.join(directory, 'Image'), initrd, append)


def result(arch, directory, log, rc, timeout):
    """Turns one boot's log into (printed text, errors text or '')."""
    lines = [l for l in log.splitlines() if l.startswith('bench ')]
    info = [l[len('linux-bench '):] for l in log.splitlines() if l.startswith('linux-bench ')]
    text = '# linux %s: Debian %s; %s\n' % (arch, kernels.describe(directory),
                                           '; '.join(i for i in info if i != 'done'))
    text += ''.join(l + '\n' for l in lines)
    if 'done' in info:
        return text, ''
    why = 'timed out after %d s' % timeout if rc is None else 'QEMU exited %d' % rc
    return text, '%s\nbench-linux: %s did not finish (%s)\n' % (log[-6000:], arch, why)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--arch', action='append', choices=ARCHES,
                    help='architecture (repeatable; default: all three)')
    ap.add_argument('--release', default=os.environ.get('LINUX_RELEASE') or 'bookworm',
                    help='Debian release to take the kernels from (default bookworm; '
                         'riscv64 takes trixie instead of bookworm, which has no riscv64)')
    ap.add_argument('--build', default='build')
    ap.add_argument('--timeout', type=int, default=TIMEOUT, help='seconds per boot')
    ap.add_argument('--jobs', '-j', type=int, default=os.cpu_count() or 1,
                    help='QEMU boots at once (the counts do not depend on it)')
    ap.add_argument('--append', default='', help='extra kernel command line arguments')
    ap.add_argument('--all-cpus', action='store_true',
                    help='let Linux bring up every CPU on every architecture')
    ap.add_argument('--print', action='store_true', help='print the QEMU commands, run nothing')
    args = ap.parse_args()
    arches = args.arch or ARCHES

    # Fetching shares one apt state, so it runs one architecture at a time.
    prepared = [prepare(arch, args) for arch in arches]
    if args.print:
        for _, cmd in prepared:
            print(' '.join("'%s'" % c if ' ' in c else c for c in cmd))
        return 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        boots = list(pool.map(lambda p: qemu.run_serial(p[1], args.timeout), prepared))
    ok = True
    for arch, (directory, _), (log, rc) in zip(arches, prepared, boots):
        text, errors = result(arch, directory, log, rc, args.timeout)
        sys.stdout.write(text)
        sys.stdout.flush()
        if errors:
            sys.stderr.write(errors)
            ok = False
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
