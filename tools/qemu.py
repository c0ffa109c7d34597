#!/usr/bin/env python3
"""The one place that knows how to start VeridianOS in QEMU on each architecture.

Used by `make run`, `make debug`, `make bench` and tools/testrun.py.
    qemu.py run   --arch A [--firmware bios|uefi] [--cpu MODEL]
    qemu.py debug --arch A            (QEMU waits for gdb on :1234)
    qemu.py bench --arch A            (boots under -icount shift=0 and prints the bench lines)
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

OVMF = '/usr/share/ovmf/OVMF.fd'
SMP = 4
MEMORY_MB = 256

# The kernel command line for each boot mode; x86_64 gets one ISO per mode
# (GRUB's menu is fixed at image time), the others take -append.
MODES = {
    'run': '',
    'test': 'mode=test',
    'bench': 'mode=bench bench=native',
    'bench-posix': 'mode=bench bench=posix',
    'panic': 'mode=test crash=panic',
    'fault': 'mode=test crash=fault',
    'hang': 'mode=test crash=hang',
    'stack': 'mode=test crash=stack',
    'ext': 'mode=ext',
    'ext-full': 'mode=ext ext=full',
}

FIRMWARES = {
    'x86_64': ('bios', 'uefi'),
    'aarch64': ('default',),
    'riscv64': ('opensbi',),
}

DEFAULT_CPU = {'x86_64': 'qemu64', 'aarch64': 'cortex-a72', 'riscv64': 'rv64'}


# Two NUMA nodes of half the memory each, CPUs 0-1 on node 0 and 2-3 on node 1.
NUMA = ['-object', 'memory-backend-ram,id=m0,size=%dM' % (MEMORY_MB // 2),
        '-object', 'memory-backend-ram,id=m1,size=%dM' % (MEMORY_MB // 2),
        '-numa', 'node,nodeid=0,cpus=0-1,memdev=m0', '-numa', 'node,nodeid=1,cpus=2-3,memdev=m1']


def command(arch, build='build', mode='test', firmware=None, cpu=None, icount=False,
            smp=SMP, memory=MEMORY_MB, numa=False):
    """Returns the QEMU argument list (without serial/display options)."""
    firmware = firmware or FIRMWARES[arch][0]
    cpu = cpu or DEFAULT_CPU[arch]
    out = os.path.join(build, arch)
    if arch == 'x86_64':
        cmd = ['qemu-system-x86_64', '-M', 'q35', '-cpu', cpu,
               '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
               '-cdrom', os.path.join(out, 'veridian-%s.iso' % mode)]
        if firmware == 'uefi':
            cmd += ['-bios', OVMF]
    elif arch == 'aarch64':
        cmd = ['qemu-system-aarch64', '-M', 'virt,gic-version=3', '-cpu', cpu,
               '-semihosting-config', 'enable=on,target=native',
               '-kernel', os.path.join(out, 'Image'), '-append', MODES[mode]]
    elif arch == 'riscv64':
        cmd = ['qemu-system-riscv64', '-M', 'virt', '-cpu', cpu, '-bios', 'default',
               '-kernel', os.path.join(out, 'Image'), '-append', MODES[mode]]
        # edu: a PCI device that raises INTx when told (tests/kernel/riscv64/ktest_irq_pci_intx.c);
        # not with two sockets, whose second PLIC (PCIe's there) delivers nothing yet.
        if not numa:
            cmd += ['-device', 'edu']
    else:
        raise SystemExit('unknown architecture ' + arch)
    # The root task rides along as the initrd (x86_64: as a GRUB module inside the ISO).
    # The ext mode (the external test suites) has its own, with their initrd.
    root = root_module(build, arch, mode)
    if arch != 'x86_64' and os.path.exists(root):
        cmd += ['-initrd', root]
    cmd += ['-smp', str(smp), '-m', str(memory), '-no-reboot']
    if numa:
        cmd += NUMA
    if icount:
        # One instruction per nanosecond of virtual time: cycle counters count instructions.
        cmd += ['-icount', 'shift=0,sleep=off']
    return cmd


def root_module(build, arch, mode):
    """The root task module a boot of @mode loads (x86_64's is inside its ISO)."""
    out = os.path.join(build, arch)
    return os.path.join(out, 'root-%s.elf' % mode if mode.startswith('ext') else 'root.elf')


def exit_status(arch, returncode):
    """Maps QEMU's exit code to the status the kernel passed to arch_exit(), or None."""
    if arch == 'x86_64':
        # isa-debug-exit: QEMU exits with (value << 1) | 1.
        return returncode >> 1 if returncode & 1 else None
    if arch == 'aarch64':
        return returncode  # semihosting SYS_EXIT_EXTENDED passes the code through
    return None  # SBI system reset carries no status out of QEMU; the serial line tells


def run_serial(cmd, timeout):
    """Runs the QEMU command @cmd headless with the serial console in a file;
    returns (log text, QEMU return code or None on timeout)."""
    with tempfile.NamedTemporaryFile(prefix='veridian-serial-', suffix='.log', delete=False) as f:
        log_path = f.name
    cmd = cmd + ['-display', 'none', '-serial', 'file:' + log_path, '-monitor', 'none']
    # An x86 triple fault resets the machine without a word, and -no-reboot makes that an
    # ordinary exit: QEMU's reset log is the only witness.
    reset_log = log_path + '.qemu' if cmd[0] == 'qemu-system-x86_64' else None
    if reset_log:
        cmd += ['-d', 'cpu_reset', '-D', reset_log]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        rc = None
    with open(log_path, 'rb') as f:
        log = f.read().decode('utf-8', 'replace').replace('\r', '')
    os.unlink(log_path)
    if reset_log and os.path.exists(reset_log):
        with open(reset_log, 'rb') as f:
            if b'Triple fault' in f.read():
                out = (out or b'') + b'Triple fault (the CPU reset itself: -d cpu_reset)\n'
        os.unlink(reset_log)
    if out:
        log += '\n[qemu] ' + out.decode('utf-8', 'replace')
    return log, rc


def run_console(cmd, script, timeout):
    """Runs the QEMU command @cmd headless with the serial console on pipes, as
    a person at the console: for each (text, line[, seconds[, (again, every)]])
    of @script it waits up to @seconds (default @timeout) s for @text (in the
    output since the last line typed, carriage returns dropped), typing
    @again every @every s meanwhile, then types @line and Enter (None: types
    nothing).
    Returns (log text, [whether each text came]); QEMU is killed at the end."""
    import select
    import time
    cmd = cmd + ['-display', 'none', '-monitor', 'none', '-serial', 'stdio']
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out, since, seen = b'', 0, []
    try:
        for text, line, *more in script:
            limit = more[0] if more else timeout
            resend = more[1] if len(more) > 1 else None
            want, end, found = text.encode(), time.time() + limit, False
            next_resend = time.time() + resend[1] if resend else None
            while not found and time.time() < end:
                if next_resend and time.time() >= next_resend:
                    proc.stdin.write(resend[0].encode())
                    proc.stdin.flush()
                    next_resend = time.time() + resend[1]
                if select.select([proc.stdout], [], [], 1)[0]:
                    data = os.read(proc.stdout.fileno(), 65536)
                    if not data:
                        break
                    out += data
                found = want in out[since:].replace(b'\r', b'')
            seen.append(found)
            if not found:
                break
            since = len(out)
            if line is not None:
                proc.stdin.write(line.encode() + b'\r')
                proc.stdin.flush()
    finally:
        proc.kill()
        rest, _ = proc.communicate()
        out += rest or b''
    return out.decode('utf-8', 'replace').replace('\r', ''), seen


def boot(arch, mode, timeout, build='build', firmware=None, cpu=None, icount=False, numa=False,
         smp=SMP):
    """Boots once, returns (log text, QEMU return code or None on timeout)."""
    return run_serial(command(arch, build, mode, firmware, cpu, icount, smp=smp, numa=numa),
                      timeout)


def bench(arch, build='build', timeout=600, firmware=None, cpu=None):
    """`make bench` for one architecture: returns (bench lines, log of a failed boot or None).

    The kernel's and the native benchmarks run on the usual 4 CPUs. The POSIX
    benchmarks (/bin/posix-bench) run in a second boot on one CPU, as
    `make bench-linux`'s Linux does: under -icount QEMU runs all vCPUs round
    robin in one thread and takes an IPI to a halted vCPU only when the
    sender's turn ends, so cross-CPU wake-ups between a program and the
    servers would make their numbers depend on code layout (docs/PERFORMANCE.md)."""
    lines, names = [], set()
    for mode, smp in (('bench', SMP), ('bench-posix', 1)):
        log, _ = boot(arch, mode, timeout, build, firmware, cpu, icount=True, smp=smp)
        got = [l for l in log.splitlines() if l.startswith('bench ') and len(l.split()) == 4]
        if not got or 'PANIC' in log:
            return lines, log
        # The second boot's kernel benchmarks repeat the first's on one CPU: dropped.
        got = [l for l in got if l.split()[1] not in names]
        names |= {l.split()[1] for l in got}
        lines += got
    return lines, None


def has_display():
    return bool(os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('action', choices=('run', 'debug', 'bench', 'print'))
    ap.add_argument('--arch', default='x86_64')
    ap.add_argument('--build', default='build')
    ap.add_argument('--firmware')
    ap.add_argument('--cpu')
    ap.add_argument('--mode', default=None)
    args = ap.parse_args()

    if args.action == 'bench':
        lines, log = bench(args.arch, args.build, 600, args.firmware, args.cpu)
        if log is not None:
            sys.stderr.write(log)
            sys.stderr.write('\nbench: %s produced no results\n' % args.arch)
            return 1
        print('\n'.join(lines))
        return 0

    mode = args.mode or 'run'
    cmd = command(args.arch, args.build, mode, args.firmware, args.cpu)
    if args.action == 'debug':
        cmd += ['-s', '-S', '-nographic']
        elf = os.path.join(args.build, args.arch, 'kernel.elf')
        print('QEMU waits for gdb on localhost:1234. In another terminal:\n'
              '    gdb-multiarch -x tools/gdbinit %s\n' % elf, flush=True)
    elif has_display():
        cmd += ['-serial', 'mon:stdio']
    else:
        cmd += ['-nographic']
    if args.action == 'print':
        print(' '.join(cmd))
        return 0
    print('Starting: ' + ' '.join(cmd), flush=True)
    if not has_display():
        print('(serial console; quit with Ctrl-A X)', flush=True)
    return subprocess.call(cmd)


if __name__ == '__main__':
    sys.exit(main())
