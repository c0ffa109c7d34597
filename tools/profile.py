#!/usr/bin/env python3
"""Where the instructions of one operation go: an exact per-function count.

Boots the bench image under -icount with QEMU's gdb stub, lets the kernel
function --at (e.g. sys_ipc_call, once per ipc_call_reply round trip) be hit
--skip times (the warm-up), then single-steps the CPU that hit it until it
reaches --at again, and prints how many instructions each function (kernel
or root task) retired on the way: one iteration of the benchmark loop.

    tools/profile.py --arch x86_64 --at sys_ipc_call [--skip 300]
    tools/profile.py --arch aarch64 --at sys_null

Single-stepping keeps interrupts and timers off (QEMU's default), so the
count is the pure path; on x86_64 it matches `make bench` exactly. On
aarch64 and riscv64 QEMU 7.2's gdb stub loses the stepped CPU in the middle
of some paths (an IPC round trip, a system call), so there the tool works
only for paths that stay in one place; QEMU's `-d exec,nochain` trace is the
fallback.
"""
import argparse
import bisect
import os
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

GDB_SCRIPT = r'''
import gdb
gdb.execute('set pagination off')
gdb.execute('target remote localhost:%(port)d')
gdb.execute('break *%(addr)#x')
gdb.execute('ignore 1 %(skip)d')
gdb.execute('continue')
gdb.execute('delete')
pcs = []
while True:
    gdb.execute('stepi', to_string=True)
    pc = int(gdb.parse_and_eval('$pc')) & 0xffffffffffffffff
    if pc == %(addr)#x or len(pcs) >= %(limit)d:
        break
    pcs.append(pc)
with open(%(out)r, 'w') as f:
    f.write('\n'.join('%%x' %% p for p in pcs))
gdb.execute('kill')
'''


def symbols(elf):
    out = subprocess.run(['llvm-nm', '-n', '--defined-only', elf], capture_output=True,
                         text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].lower() in 'tw':
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def free_port():
    with socket.socket() as s:
        s.bind(('localhost', 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--arch', default='x86_64')
    ap.add_argument('--build', default='build')
    ap.add_argument('--at', required=True, help='kernel function entered once per operation')
    ap.add_argument('--skip', type=int, default=300, help='hits to let pass first (warm-up)')
    ap.add_argument('--limit', type=int, default=20000, help='most instructions to step')
    ap.add_argument('--trace', help='also write every stepped address (function+offset) here')
    args = ap.parse_args()

    out = os.path.join(args.build, args.arch)
    syms = sorted(symbols(os.path.join(out, 'kernel.elf')) + symbols(os.path.join(out, 'root.elf')))
    addr = [a for a, n in syms if n == args.at]
    if not addr:
        raise SystemExit('no kernel function %s' % args.at)
    port = free_port()
    cmd = qemu.command(args.arch, args.build, 'bench', icount=True)
    cmd += ['-display', 'none', '-serial', 'null', '-monitor', 'none',
            '-gdb', 'tcp:localhost:%d' % port, '-S']
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, 'pcs')
        script = os.path.join(tmp, 'profile.py')
        with open(script, 'w') as f:
            f.write(GDB_SCRIPT % {'port': port, 'addr': addr[0], 'skip': args.skip,
                                  'limit': args.limit, 'out': trace})
        vm = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        try:
            gdb = subprocess.run(['gdb-multiarch', '-nx', '-batch', '-x', script], timeout=900,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        finally:
            vm.kill()
            vm.wait()
        if not os.path.exists(trace):
            sys.stderr.write(gdb.stdout.decode('utf-8', 'replace'))
            raise SystemExit('profile: gdb collected nothing (did %s run %d times?)'
                             % (args.at, args.skip))
        pcs = [int(l, 16) for l in open(trace).read().split()]
    starts = [a for a, _ in syms]
    counts, order = {}, []
    for pc in pcs:
        i = bisect.bisect_right(starts, pc) - 1
        name = syms[i][1] if i >= 0 else '?'
        if name not in counts:
            order.append(name)
        counts[name] = counts.get(name, 0) + 1
    if args.trace:
        with open(args.trace, 'w') as f:
            for pc in pcs:
                i = bisect.bisect_right(starts, pc) - 1
                f.write('%x %s+%#x\n' % (pc, syms[i][1] if i >= 0 else '?',
                                         pc - syms[i][0] if i >= 0 else 0))
    print('%d instructions from %s to %s (%s)' % (len(pcs) + 1, args.at, args.at, args.arch))
    for name in sorted(order, key=lambda n: -counts[n]):
        print('%7d  %s' % (counts[name], name))
    return 0


if __name__ == '__main__':
    sys.exit(main())
