"""The one place that runs the external test suites' Linux reference (docs/EXTERNAL-TESTS.md):
tests/external/run.sh over build/host/ext-linux on this machine, for tools/testrun.py
(linux.ext) and tools/ext-full.py.

The build machine is shared, so the run is kept apart from everything else on it:
- in a pid namespace of its own (unshare, where this user may: root), so that a test's
  `kill PID` (ash's signal tests kill their own children and shells by pid) can never
  reach another process of the machine, even one that got a pid the test saw before, and
  so that every process a test leaves behind ends with the run (the kernel kills a
  namespace's processes when its first one ends; --kill-child ends that one when unshare
  is killed); elsewhere in a session of its own, whose process group is killed at the end;
- with every signal's action the default one (`env --default-signal`): a signal ignored
  by whoever started make test (a background job of a non-interactive shell ignores
  SIGINT and SIGQUIT; nohup, SIGHUP) stays ignored through exec, and a non-interactive
  shell cannot trap a signal ignored when it started, so ash-signals/continue_and_trap1
  (`trap ... INT`, then `kill -s INT $$` while the shell spins in a loop) spun to its time
  limit and took linux.ext past its own.
"""
import os
import signal
import subprocess
import tempfile

RUN_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'external', 'run.sh')
UNSHARE = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child']
_isolation = None


def isolation():
    """The command prefix that starts a program in a pid namespace of its own, or [] where
    this user may not make one."""
    global _isolation
    if _isolation is None:
        try:
            ok = subprocess.run(UNSHARE + ['true'], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=60).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        _isolation = UNSHARE if ok else []
    return _isolation


def run(top, timeout=None):
    """Runs run.sh over the Linux build TOP (all suites). Returns (output, timed_out); on a
    timeout the output is what came before it."""
    env = {k: v for k, v in os.environ.items() if k != 'VERIDIAN_TEST'}
    with tempfile.TemporaryDirectory() as work:
        cmd = isolation() + ['env', '--default-signal', 'sh', RUN_SH, os.path.abspath(top),
                             os.path.join(work, 'ext')]
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=env, start_new_session=True)
        timed_out = False
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            # Whatever is left (the run on a timeout or an interrupt, or a process that
            # outlived it in the session) goes with it.
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if timed_out:
            try:
                out, _ = p.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                # A process of its own session still holds the pipe (no pid namespace here).
                out = b''
    return out.decode('utf-8', 'replace'), timed_out
