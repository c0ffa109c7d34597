#!/usr/bin/env python3
"""`make bench-compare`: VeridianOS's benchmarks next to their nearest Linux equivalents.

Both sides are instruction counts per operation under QEMU -icount shift=0 on
the same machines: VeridianOS from `make bench` (tools/qemu.py), Linux from
`make bench-linux` (tools/linux-bench/run.py, Debian's kernel).

    benchcmp.py [--arch A]... [--jobs N]     boot both systems and compare
    benchcmp.py VERIDIAN.txt LINUX.txt       compare saved outputs ('-' is stdin)
    --markdown                               print a Markdown table instead

The ratio is VeridianOS / Linux: below 1 means VeridianOS retires fewer
instructions for the operation.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)

import qemu  # noqa: E402

ARCHES = ('x86_64', 'aarch64', 'riscv64')
TIMEOUT = 600  # seconds per VeridianOS boot, as `make bench`

# (VeridianOS benchmark, Linux benchmark, factor applied to the Linux count, what that is).
# Linux's ping-pongs report one direction; a VeridianOS call/reply is a round trip.
PAIRS = [
    ('calib_loop', 'calib_loop', 1, 'calibration loop (both must be 2.00)'),
    ('null_syscall', 'null_syscall', 1, 'getppid()'),
    ('ipc_call_reply', 'futex_pingpong', 2, '2 x futex ping-pong one-way'),
    ('ipc_call_reply', 'pipe_pingpong', 2, '2 x pipe ping-pong one-way (1 byte)'),
    ('notify_switch', 'futex_pingpong', 1, 'futex ping-pong one-way'),
    ('ctx_switch_yield', 'ctx_switch_yield', 1, 'sched_yield(), 2 processes, 1 CPU'),
    ('page_fault_anon', 'page_fault_anon', 1, 'first write to an anonymous 4 KiB page'),
    ('proc_spawn_exit', 'proc_spawn_exit', 1, 'fork() + _exit() + wait4()'),
    # The POSIX layer (tests/bench/posix_bench.c, run by the proc server) against the same calls.
    ('getpid', 'getpid', 1, 'getpid()'),
    ('open_close', 'open_close', 1, 'open() + close() of a tmpfs file'),
    ('read_4k_tmpfs', 'read_4k_tmpfs', 1, 'pread() of 4 KiB from tmpfs'),
    ('pipe_pingpong', 'pipe_pingpong', 1, 'pipe ping-pong one-way (1 byte)'),
    ('unix_socket_pingpong', 'unix_socket_pingpong', 1, 'AF_UNIX stream ping-pong one-way'),
    ('futex_pingpong', 'futex_pingpong', 1, 'futex ping-pong one-way (threads here, processes on Linux)'),
    ('posix_spawn_wait', 'posix_spawn_wait', 1, 'posix_spawn() + exit + waitpid()'),
    ('fork_wait', 'proc_spawn_exit', 1, 'fork() + _exit() + waitpid()'),
]


def parse(text):
    """{(arch, name): instructions} from `bench <name> <arch> <count>` lines."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == 'bench':
            try:
                out[(parts[2], parts[1])] = float(parts[3])
            except ValueError:
                pass
    return out


def veridian(arch, build, timeout):
    """Boots VeridianOS in bench mode; returns its bench lines (possibly none)."""
    lines, _ = qemu.bench(arch, build, timeout)
    if not lines:
        sys.stderr.write('benchcmp: VeridianOS %s printed no bench lines\n' % arch)
    return '\n'.join(lines)


def linux(arch, build, timeout):
    """Runs the Linux comparison for one architecture; returns its output."""
    r = subprocess.run([sys.executable, os.path.join(TOOLS, 'linux-bench', 'run.py'),
                        '--arch', arch, '--build', build, '--jobs', '1',
                        '--timeout', str(timeout)],
                       stdout=subprocess.PIPE, text=True)
    return r.stdout


def run_all(arches, build, jobs, timeout):
    """Both systems on every architecture, `jobs` QEMUs at a time; returns (veridian, linux)."""
    # Fetch the kernels first: the downloads share one apt state.
    subprocess.run([sys.executable, os.path.join(TOOLS, 'linux-bench', 'run.py'), '--print',
                    '--build', build] + sum((['--arch', a] for a in arches), []),
                   stdout=subprocess.DEVNULL, check=True)
    work = [(veridian, a) for a in arches] + [(linux, a) for a in arches]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        texts = list(pool.map(lambda w: w[0](w[1], build, timeout), work))
    return '\n'.join(texts[:len(arches)]), '\n'.join(texts[len(arches):])


def rows(v, l, arches):
    """One row per pair and architecture: (arch, ours, theirs, what, v, l, ratio) as strings."""
    def num(x):
        return '-' if x is None else '%.2f' % x

    out = []
    for arch in arches:
        for ours, theirs, factor, what in PAIRS:
            a = v.get((arch, ours))
            b = l.get((arch, theirs))
            b = None if b is None else b * factor
            ratio = '%.2f' % (a / b) if a is not None and b else '-'
            label = theirs if factor == 1 else '%d x %s' % (factor, theirs)
            out.append((arch, ours, label, what, num(a), num(b), ratio))
    return out


def table(rs, markdown):
    head = ('arch', 'VeridianOS', 'Linux', 'Linux operation', 'VeridianOS instr',
            'Linux instr', 'ratio')
    if markdown:
        lines = ['| ' + ' | '.join(head) + ' |', '|' + ' --- |' * len(head)]
        lines += ['| ' + ' | '.join(r) + ' |' for r in rs]
        return '\n'.join(lines)
    widths = [max(len(str(r[i])) for r in rs + [head]) for i in range(len(head))]
    right = {4, 5, 6}

    def fmt(r):
        return '  '.join(str(c).rjust(w) if i in right else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(r, widths))).rstrip()

    lines = [fmt(head)]
    arch = None
    for r in rs:
        if arch is not None and r[0] != arch:
            lines.append('')
        arch = r[0]
        lines.append(fmt(r))
    return '\n'.join(lines)


def read(path):
    if path == '-':
        return sys.stdin.read()
    with open(path) as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('veridian', nargs='?', help='saved `make bench` output')
    ap.add_argument('linux', nargs='?', help='saved `make bench-linux` output')
    ap.add_argument('--arch', action='append', choices=ARCHES)
    ap.add_argument('--build', default='build')
    ap.add_argument('--jobs', '-j', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--timeout', type=int, default=TIMEOUT, help='seconds per boot')
    ap.add_argument('--markdown', action='store_true')
    args = ap.parse_args()
    if (args.veridian is None) != (args.linux is None):
        ap.error('give both saved outputs, or neither')
    if args.veridian:
        v, l = read(args.veridian), read(args.linux)
    else:
        v, l = run_all(args.arch or ARCHES, args.build, args.jobs, args.timeout)
    v, l = parse(v), parse(l)
    arches = args.arch or [a for a in ARCHES if any(k[0] == a for k in list(v) + list(l))]
    if not arches:
        sys.stderr.write('benchcmp: no bench lines at all\n')
        return 1
    print(table(rows(v, l, arches), args.markdown))
    return 0


if __name__ == '__main__':
    sys.exit(main())
