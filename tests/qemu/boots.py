"""The QEMU boots that `make test` runs, and how each one's serial log is judged.

Every boot yields a list of (test name, ok, reason). The kernel prints
'ktest <name> PASS|FAIL...' for each in-kernel test and ends a test run with
'veridian: exiting with status N'.
"""
import os
import re

import qemu

VERSION = '0.1.0'
EXPECTED_CPUS = qemu.SMP
# Usable memory must be most of the -m size less the root task module the boot loader
# put in RAM (its initrd inside: 42 MB on riscv64 in November 2026); less than that
# means the map was misread.
SLACK_KIB = 40 * 1024
MAX_USABLE_KIB = qemu.MEMORY_MB * 1024
MIN_KTESTS = 8
PANIC_STATUS = 3
EXT_TIMEOUT = 900


def exited_with(arch, log, rc):
    """The status the kernel exited with: the one it printed, which QEMU's exit
    code must confirm where it carries one. None if it printed none (it died
    or was killed without a word) or the two disagree."""
    m = re.findall(r'^veridian: exiting with status (\d+)$', log, re.M)
    printed = int(m[-1]) if m else None
    from_qemu = qemu.exit_status(arch, rc) if rc is not None else None
    if from_qemu is not None and printed is not None and from_qemu != printed:
        return None
    return printed


def unclear_exit(log, rc):
    """Why a boot's exit status is unclear, for the failure line (CI shows little of the log)."""
    serial, _, qemu_out = log.partition('\n[qemu] ')
    qemu_said = [l for l in qemu_out.splitlines() if l.strip()]
    last = [l for l in serial.splitlines() if l.strip()]
    why = 'QEMU exit code %s' % rc
    if rc is not None and rc < 0:
        why += ' (killed by signal %d)' % -rc
    if not re.search(r'^veridian: exiting with status', log, re.M):
        why += ', no "veridian: exiting" line'
    if qemu_said:
        why += ', QEMU said: %s' % ' | '.join(qemu_said[-3:])
    if last:
        why += ', last line: %s' % last[-1][:160]
    return why


def failed_checks(log, why):
    """A failed POSIX program's reason with its own failed checks (tests/posix/check.h's
    "<name>: FAIL line N ..." lines) added: CI shows the failure line whole, but little
    of the log."""
    m = re.match(r'POSIX program (\S+):', why)
    if not m:
        return why
    lines = re.findall(r'^%s: FAIL line .*$' % re.escape(m.group(1)), log, re.M)
    return why + ''.join(' | ' + l[:200] for l in lines[:4])


def judge_selftest(boot, log, rc):
    """Judges a normal test boot. Returns [(name, ok, why)]."""
    p = 'boot.' + boot.name
    out = []
    if rc is None:
        out.append((p + '.finished', False, 'no exit within %d s (hang)' % boot.timeout))
    banner = 'VeridianOS %s (%s) booting' % (VERSION, boot.arch)
    out.append((p + '.banner', banner in log, 'no banner "%s"' % banner))
    m = re.search(r'^memory: (\d+) KiB usable$', log, re.M)
    kib = int(m.group(1)) if m else -1
    low = MAX_USABLE_KIB - SLACK_KIB - boot.module_kib
    out.append((p + '.memory_map', low <= kib <= MAX_USABLE_KIB,
                'usable memory %d KiB, expected %d..%d' % (kib, low, MAX_USABLE_KIB)))
    m = re.search(r'^cpus: (\d+)$', log, re.M)
    cpus = int(m.group(1)) if m else -1
    out.append((p + '.cpus', cpus == EXPECTED_CPUS, '%d CPUs reported, expected %d' % (cpus, EXPECTED_CPUS)))
    ktests = re.findall(r'^ktest (\S+) (PASS|FAIL)(.*)$', log, re.M)
    for name, verdict, why in ktests:
        if name != 'summary':
            out.append(('%s.ktest.%s' % (p, name), verdict == 'PASS', failed_checks(log, why.strip(': '))))
    if boot.arch == 'riscv64' and not boot.numa:
        # QEMU's edu device is there (tools/qemu.py): ktest irq_line_pci_intx must have found it.
        m = re.search(r'^pci: edu at slot \d+, INTx line \d+, PLIC 0$', log, re.M)
        out.append((p + '.pci_intx_device', bool(m), 'no "pci: edu at slot" line'))
    count = len([k for k in ktests if k[0] != 'summary'])
    out.append((p + '.ktest_count', count >= MIN_KTESTS, 'only %d in-kernel tests ran' % count))
    panicked = 'PANIC:' in log
    status = exited_with(boot.arch, log, rc)
    if panicked:
        why = 'panic'
    elif status is None:
        why = 'exit status unclear: ' + unclear_exit(log, rc)
    else:
        why = 'exit status %s' % status
    out.append((p + '.exit', status == 0 and not panicked, why))
    return out


def judge_failure(boot, log, rc):
    """A kernel that fails on purpose: the normal judge must reject it, for the right reason."""
    normal = judge_selftest(boot, log, rc)
    rejected = any(not ok for _, ok, _ in normal)
    name = 'harness.%s.%s_caught' % (boot.name, boot.mode)
    if boot.mode == 'hang':
        ok = rc is None and 'crash test: hanging' in log and rejected
        return [(name, ok, 'hang not reported as failure (rc=%s)' % rc)]
    if boot.mode == 'stack':
        # The panic comes from the tick that found the overwritten end, not from crash_inner.
        trace = re.search(r'^PANIC: thread \d+ overflowed its kernel stack', log, re.M)
    else:
        trace = re.search(r'^  #\d+ 0x[0-9a-f]+ crash_inner\+0x[0-9a-f]+$', log, re.M)
    # Where QEMU carries the status out (x86_64, aarch64) it must be the panic status.
    status = qemu.exit_status(boot.arch, rc) if rc is not None else None
    status_ok = rc is not None and status in (None, PANIC_STATUS)
    ok = 'PANIC:' in log and bool(trace) and rejected and status_ok
    why = []
    if 'PANIC:' not in log:
        why.append('no PANIC line')
    if not trace:
        why.append('no "overflowed its kernel stack" panic' if boot.mode == 'stack' else
                   'no symbolized backtrace through crash_inner')
    if not status_ok:
        why.append('QEMU exit code %s, kernel status %s, want %d' % (rc, status, PANIC_STATUS))
    if not rejected:
        why.append('the judge accepted it')
    return [(name, ok, ', '.join(why))]


def judge_numa(boot, log, rc):
    """A two-node machine: the kernel must find both nodes and pass its tests on them."""
    out = judge_selftest(boot, log, rc)
    m = re.search(r'^numa: (\d+) nodes$', log, re.M)
    nodes = int(m.group(1)) if m else 0
    out.append(('boot.%s.numa_nodes' % boot.name, nodes == 2, '%d NUMA nodes found, want 2' % nodes))
    cpus = re.findall(r'^  cpu \d+ \(id 0x[0-9a-f]+\): node (\d+)$', log, re.M)
    out.append(('boot.%s.numa_cpus' % boot.name, cpus == ['0', '0', '1', '1'],
                'CPU nodes %s, want 0 0 1 1' % ' '.join(cpus)))
    if boot.arch == 'riscv64':
        # QEMU's virt machine makes one PLIC per socket (96 sources each): both are used.
        m = re.search(r'^plic: (\d+) PLICs, (\d+) lines$', log, re.M)
        out.append(('boot.%s.plics' % boot.name, bool(m) and m.groups() == ('2', '194'),
                    m.group(0) if m else 'no "plic: 2 PLICs" line'))
    return out


# make run's shell, typed at through the serial console: (step, text to wait for, line to type next).
# The first text is the prompt; each later one is the answer to the line before it.
SHELL_SCRIPT = [
    ('prompt', 'built-in shell (ash)\n\n# ', 'echo hello'),
    ('echo', '\nhello\n# ', 'ls /bin | head -n 3'),
    ('ls_head', '\nash\nbasename\nbusybox\n# ', 'cat /etc/hostname'),
    ('cat', '\nveridian\n# ', 'sleep 1000'),
    # ^C: SIGINT to the foreground group (the shell's, without job control) ends the sleep at
    # once; the prompt must come long before the sleep would end. The echo of the typed line
    # comes before the shell has started the sleep, and a ^C before that (the shell gets it
    # while the command is starting) does not end it: ^C is typed again every 15 s.
    ('sleep_started', 'sleep 1000\n', '\x03'),
    ('ctrl_c', '# ', 'echo after', 120, ('\x03', 15)),
    ('after_ctrl_c', '\nafter\n# ', 'sleep 1000'),
    # Job control: ^Z stops the foreground job (SIGTSTP to its group; typed again every 15 s,
    # as ^C above: the shell's own group ignores it), jobs lists it, bg runs it in the
    # background, fg brings it back and ^C ends it; a job started with & is listed running
    # and kill %1 ends it.
    ('sleep_again', 'sleep 1000\n', '\x1a'),
    ('ctrl_z', 'Stopped', 'jobs', 120, ('\x1a', 15)),
    ('jobs_stopped', '\n[1]+  Stopped                    sleep 1000\n# ', 'bg'),
    ('bg', '\n[1] sleep 1000\n# ', 'jobs'),
    ('jobs_running', '\n[1]+  Running                    sleep 1000\n# ', 'fg'),
    ('fg', '\nsleep 1000\n', '\x03'),
    ('fg_ctrl_c', '# ', 'sleep 1000 &', 120, ('\x03', 15)),
    ('background', '\n# ', 'jobs'),
    ('jobs_background', '\n[1]+  Running                    sleep 1000\n# ', 'kill %1'),
    ('kill_job', '\n[1]+  Terminated                 sleep 1000\n# ', 'jobs'),
    ('jobs_empty', 'jobs\n# ', 'echo done'),
    ('after_jobs', '\ndone\n# ', 'initctl status'),
    # init's status table (posix/init/main.c status()): the shell is pid 2, the first service init starts.
    # (Not the prompt after it: a ^C typed again by the step before may still be echoed there.)
    ('initctl', '\nSERVICE      STATE        PID RESTARTS  INFO\n'
                'shell        running        2        0  \n', 'head -n 1 /tmp/init.log'),
    ('init_log', '\ninit: pid 1, services from /etc/services, log /tmp/init.log\n# ', 'exit'),
    ('respawned', 'built-in shell (ash)\n\n# ', 'echo again'),
    ('after_respawn', '\nagain\n# ', None),
]


def judge_shell(boot, log, seen):
    """A run-mode boot typed at: each step's answer must come, in order."""
    p = 'boot.%s' % boot.name
    out = []
    for i, (step, text, *rest) in enumerate(SHELL_SCRIPT):
        ok = i < len(seen) and seen[i]
        limit = rest[1] if len(rest) > 1 else boot.timeout
        why = 'not reached (an earlier step failed)' if i >= len(seen) else \
            'no %r within %d s' % (text, limit)
        out.append(('%s.shell.%s' % (p, step), ok, why))
    out.append((p + '.no_panic', 'PANIC:' not in log, 'panic'))
    return out


# The external test suites (docs/EXTERNAL-TESTS.md): tests/external/run.sh's lines.
EXT_SUITES = ('busybox', 'ash', 'sqlite')
EXT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'external')


def ext_results(log):
    """{suite: {name: verdict}} from run.sh's output; a name seen twice keeps its worst verdict.
    A suite whose end line is missing is left out (it did not finish)."""
    out = {}
    for suite in EXT_SUITES:
        m = re.search(r'^ext-suite %s begin$(.*?)^ext-suite %s end$' % (suite, suite), log, re.M | re.S)
        if not m:
            continue
        got = out[suite] = {}
        rank = {'PASS': 0, 'SKIP': 1, 'FAIL': 2}
        for verdict, name in re.findall(r'^ext %s (PASS|FAIL|SKIP) (.*?)\r?$' % suite, m.group(1), re.M):
            if rank[verdict] >= rank.get(got.get(name), -1):
                got[name] = verdict
    return out


def ext_expected(suite, arch):
    """tests/external/expected-<suite>-<arch>.txt: what must pass there. On Linux
    ('linux'), every name of the three architectures' lists."""
    if arch == 'linux':
        names = []
        for a in ('x86_64', 'aarch64', 'riscv64'):
            names += [n for n in ext_expected(suite, a) if n not in names]
        return names
    with open(os.path.join(EXT_DIR, 'expected-%s-%s.txt' % (suite, arch))) as f:
        return [l.rstrip('\n') for l in f if l.strip() and not l.startswith('#')]


def ext_judge(prefix, log, arch):
    """One result per suite: every name of its expected-pass list passed. Prints the counts."""
    out = []
    results = ext_results(log)
    for suite in EXT_SUITES:
        name = '%s.%s' % (prefix, suite)
        got = results.get(suite)
        if got is None:
            out.append((name, False, 'the suite did not finish'))
            continue
        counts = {v: sum(1 for x in got.values() if x == v) for v in ('PASS', 'FAIL', 'SKIP')}
        print('%s: %d PASS, %d FAIL, %d SKIP' % (name, counts['PASS'], counts['FAIL'], counts['SKIP']),
              flush=True)
        missing = [n for n in ext_expected(suite, arch) if got.get(n) != 'PASS']
        out.append((name, not missing, '%d expected to pass did not: %s' % (
            len(missing), ', '.join('%s (%s)' % (n, got.get(n, 'not run')) for n in missing[:20]))))
    return out


def judge_ext(boot, log, rc):
    """The external test suites in VeridianOS: ext.<arch>.<suite>, and no panic."""
    p = 'ext.' + boot.arch
    out = ext_judge(p, log, boot.arch)
    if rc is None:
        out.append((p + '.finished', False, 'no exit within %d s (hang)' % boot.timeout))
    out.append((p + '.no_panic', 'PANIC:' not in log, 'panic'))
    return out


def judge_sparse(boot, log, rc):
    """CPUs whose ids have holes: every one comes online, and the whole suite passes on them."""
    out = judge_selftest(boot, log, rc)
    m = re.search(r'^smp: (\d+) of (\d+) CPUs online$', log, re.M)
    out.append(('boot.%s.smp_all_online' % boot.name, bool(m) and m.group(1) == m.group(2) == str(EXPECTED_CPUS),
                m.group(0) if m else 'no smp line'))
    return out


# A boot's limit only catches a hang: every boot that ends ends in about a minute alone, but
# with make test's other boots and other work on a shared 2-core machine (load 15-20) a whole
# riscv64 test boot has taken more than 180 s with every check passed. A hang costs the limit.
BOOT_TIMEOUT = 600


class Boot:
    def __init__(self, name, arch, mode='test', firmware=None, cpu=None, timeout=BOOT_TIMEOUT, numa=False,
                 shell=False, smp=None):
        self.name, self.arch, self.mode, self.numa, self.smp = name, arch, mode, numa, smp
        self.firmware, self.cpu, self.timeout, self.shell = firmware, cpu, timeout, shell
        self.module_kib = 0  # the root task module's size (set_build)
        # What --only matches: the prefix of the names this boot's results carry.
        self.label = 'boot.' + name if mode == 'test' or shell else 'harness.%s.%s' % (name, mode)
        if mode == 'ext':
            self.label = 'ext.' + arch

    def set_build(self, build):
        """Notes what the boot loads from @build that its memory map must leave out."""
        root = qemu.root_module(build, self.arch, self.mode)
        self.module_kib = os.path.getsize(root) // 1024 if os.path.exists(root) else 0

    def judge(self, log, rc):
        if self.shell:
            return judge_shell(self, log, rc)
        if self.numa:
            return judge_numa(self, log, rc)
        if self.smp:
            return judge_sparse(self, log, rc)
        if self.mode == 'ext':
            return judge_ext(self, log, rc)
        if self.mode == 'test':
            return judge_selftest(self, log, rc)
        return judge_failure(self, log, rc)


BOOTS = [
    Boot('x86_64-bios', 'x86_64', firmware='bios'),
    Boot('x86_64-uefi', 'x86_64', firmware='uefi'),
    Boot('aarch64-cortex-a72', 'aarch64', cpu='cortex-a72'),
    Boot('aarch64-max', 'aarch64', cpu='max'),
    Boot('riscv64', 'riscv64'),
    # The NUMA boots run the whole suite too; aarch64's took 171 s alone on the shared build
    # machine (most of it the native process tests), so 180 s was a coin toss under load.
    Boot('x86_64-numa', 'x86_64', numa=True),
    Boot('aarch64-numa', 'aarch64', numa=True),
    Boot('riscv64-numa', 'riscv64', numa=True),
    # Sparse APIC ids: 2 sockets of 3 cores with 4 CPUs present are ids 0, 1, 2 and 4 (QEMU's
    # riscv64 and aarch64 virt machines number harts and MPIDRs from the CPU index, no holes).
    Boot('x86_64-sparse', 'x86_64', smp='4,sockets=2,cores=3,threads=1,maxcpus=6'),
]
# make run's shell (mode run), typed at; timeouts are per step.
for _arch in ('x86_64', 'aarch64', 'riscv64'):
    BOOTS.append(Boot(_arch + '-shell', _arch, mode='run', timeout=300, shell=True))
for _arch, _name in (('x86_64', 'x86_64-bios'), ('aarch64', 'aarch64-cortex-a72'), ('riscv64', 'riscv64')):
    BOOTS.append(Boot(_name, _arch, mode='panic'))
    BOOTS.append(Boot(_name, _arch, mode='fault'))
    BOOTS.append(Boot(_name, _arch, mode='stack'))
    BOOTS.append(Boot(_name, _arch, mode='hang', timeout=30))
# The external test suites, once per architecture (docs/EXTERNAL-TESTS.md).
for _arch in ('x86_64', 'aarch64', 'riscv64'):
    BOOTS.append(Boot(_arch + '-ext', _arch, mode='ext', timeout=EXT_TIMEOUT))
