#!/usr/bin/env python3
"""Where the instructions of one operation go: an exact per-function count.

Boots the bench image under -icount with QEMU's gdb stub, lets the kernel
function --at (e.g. sys_ipc_call, once per ipc_call_reply round trip) be hit
--skip times (the warm-up), then single-steps the CPU that hit it until it
reaches --at again, and prints how many instructions each function (kernel
or root task) retired on the way: one iteration of the benchmark loop.

    tools/profile.py --arch x86_64 --at sys_ipc_call [--skip 300]
    tools/profile.py --arch aarch64 --at sys_null
    tools/profile.py --arch x86_64 --posix --at sys_process_fork --skip 22
    tools/profile.py --arch x86_64 --posix --at syscall_ipc --hits 4 --skip 3000

--hits N steps until --at was reached N times (an operation of several
entries: open_close is four IPC system calls, the client's two calls and
the server's two answers).

--posix profiles the POSIX benchmarks' boot (one CPU, /bin/posix-bench) and,
on x86_64, names user-space code too: each step also records cr3, and the
program of each address space is found by comparing the bytes at one of its
addresses with the user programs of the build (posix-bench, /sbin/proc,
/sbin/vfs, the root task); every function is printed as program:function,
and a total per address space follows.

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
spaces = {}
user = %(user)r
space = 0
hits = 0
while True:
    gdb.execute('stepi', to_string=True)
    pc = int(gdb.parse_and_eval('$pc')) & 0xffffffffffffffff
    if pc == %(addr)#x:
        hits += 1
    if hits == %(hits)d or len(pcs) >= %(limit)d:
        break
    if user:
        space = int(gdb.parse_and_eval('$cr3')) & ~0xfff
        if pc < (1 << 47) and space not in spaces:
            try:
                spaces[space] = (pc, bytes(gdb.selected_inferior().read_memory(pc, 16)).hex())
            except gdb.MemoryError:
                pass
    pcs.append((pc, space))
with open(%(out)r, 'w') as f:
    f.write('\n'.join('%%x %%x' %% p for p in pcs))
with open(%(out)r + '.spaces', 'w') as f:
    f.write('\n'.join('%%x %%x %%s' %% (k, v[0], v[1]) for k, v in spaces.items()))
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


def user_programs(out):
    """The user programs of a build: (name, path) for the ones an address space may run."""
    progs = [('root', os.path.join(out, 'root.elf')),
             ('posix-bench', os.path.join(out, 'posix', 'bench', 'posix-bench')),
             ('proc', os.path.join(out, 'posix', 'sbin', 'proc')),
             ('vfs', os.path.join(out, 'posix', 'sbin', 'vfs'))]
    return [(n, p) for n, p in progs if os.path.exists(p)]


def elf_bytes(path, vaddr, n):
    """The @n bytes an ELF file loads at @vaddr, or None (not in a PT_LOAD segment's file part)."""
    import struct
    with open(path, 'rb') as f:
        data = f.read()
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
    for i in range(phnum):
        typ, _, off, va, _, filesz = struct.unpack_from('<IIQQQQ', data, phoff + i * phentsize)
        if typ == 1 and va <= vaddr and vaddr + n <= va + filesz:
            return data[off + vaddr - va:off + vaddr - va + n]
    return None


def name_spaces(spaces, progs):
    """Maps each address space (cr3) to the program whose bytes match those seen at one address."""
    names = {}
    for space, (pc, seen) in spaces.items():
        names[space] = '?'
        for name, path in progs:
            if elf_bytes(path, pc, len(seen) // 2) == bytes.fromhex(seen):
                names[space] = name
                break
    return names


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
    ap.add_argument('--hits', type=int, default=1,
                    help='hits of --at one operation spans (e.g. 4 syscall_ipc for open+close)')
    ap.add_argument('--trace', help='also write every stepped address (function+offset) here')
    ap.add_argument('--posix', action='store_true',
                    help='the POSIX benchmarks\' boot; on x86_64 user space named per program')
    args = ap.parse_args()

    out = os.path.join(args.build, args.arch)
    user = args.posix and args.arch == 'x86_64'
    progs = user_programs(out) if user else []
    ksyms = symbols(os.path.join(out, 'kernel.elf'))
    syms = sorted(ksyms + ([] if user else symbols(os.path.join(out, 'root.elf'))))
    usyms = {name: sorted(symbols(path)) for name, path in progs}
    addr = [a for a, n in syms if n == args.at]
    if not addr:
        raise SystemExit('no kernel function %s' % args.at)
    port = free_port()
    if args.posix:
        cmd = qemu.command(args.arch, args.build, 'bench-posix', icount=True, smp=1)
    else:
        cmd = qemu.command(args.arch, args.build, 'bench', icount=True)
    cmd += ['-display', 'none', '-serial', 'null', '-monitor', 'none',
            '-gdb', 'tcp:localhost:%d' % port, '-S']
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, 'pcs')
        script = os.path.join(tmp, 'profile.py')
        with open(script, 'w') as f:
            f.write(GDB_SCRIPT % {'port': port, 'addr': addr[0], 'skip': args.skip,
                                  'limit': args.limit, 'hits': args.hits, 'out': trace,
                                  'user': user})
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
        pcs = [tuple(int(w, 16) for w in l.split()) for l in open(trace).read().splitlines() if l]
        spaces = {}
        if os.path.exists(trace + '.spaces'):
            for l in open(trace + '.spaces').read().splitlines():
                k, pc, seen = l.split()
                spaces[int(k, 16)] = (int(pc, 16), seen)
    space_names = name_spaces(spaces, progs)
    tables = {None: (syms, [a for a, _ in syms])}
    for name, s in usyms.items():
        tables[name] = (s, [a for a, _ in s])

    def where(pc, space):
        """(address space label, function+offset) of one stepped address."""
        if not user or pc >= 1 << 47:
            prog, label = None, 'kernel'
        else:
            prog = space_names.get(space, '?')
            label = '%s@%x' % (prog, space)
        s, starts = tables.get(prog, ([], []))
        i = bisect.bisect_right(starts, pc) - 1
        fn = s[i][1] if i >= 0 else '?'
        if prog is not None:
            fn = '%s:%s' % (prog, fn)
        return label, fn, pc - s[i][0] if i >= 0 else 0

    counts, order, per_space = {}, [], {}
    trace_lines = []
    for pc, space in pcs:
        label, name, off = where(pc, space)
        if name not in counts:
            order.append(name)
        counts[name] = counts.get(name, 0) + 1
        per_space[label] = per_space.get(label, 0) + 1
        if args.trace:
            trace_lines.append('%x %s+%#x' % (pc, name, off))
    if args.trace:
        with open(args.trace, 'w') as f:
            f.write('\n'.join(trace_lines) + '\n')
    print('%d instructions from %s to %s (%d hits, %s)' % (len(pcs) + 1, args.at, args.at, args.hits,
                                                          args.arch))
    for name in sorted(order, key=lambda n: -counts[n]):
        print('%7d  %s' % (counts[name], name))
    if user:
        print('per address space:')
        for label in sorted(per_space, key=lambda n: -per_space[n]):
            print('%7d  %s' % (per_space[label], label))
    return 0


if __name__ == '__main__':
    sys.exit(main())
