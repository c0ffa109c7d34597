#!/usr/bin/env python3
"""Writes tests/external/expected-<suite>-<arch>.txt from a VeridianOS ext boot's
serial log and the Linux reference's output (tests/external/run.sh on both):
the tests that passed on both. Prints the exceptions (passed on Linux, not in
VeridianOS), for docs/EXTERNAL-TESTS.md.
    mkexpected.py ARCH GUEST-LOG LINUX-LOG
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'qemu'))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools'))
import boots  # noqa: E402


def main():
    arch, guest_log, linux_log = sys.argv[1:4]
    guest = boots.ext_results(open(guest_log, errors='replace').read())
    linux = boots.ext_results(open(linux_log, errors='replace').read())
    for suite in boots.EXT_SUITES:
        g, l = guest.get(suite, {}), linux.get(suite, {})
        names = sorted(n for n, v in g.items() if v == 'PASS' and l.get(n) == 'PASS')
        path = os.path.join(boots.EXT_DIR, 'expected-%s-%s.txt' % (suite, arch))
        with open(path, 'w') as f:
            f.write('# %s tests that passed in VeridianOS on %s and on Linux (mkexpected.py)\n'
                    % (suite, arch))
            f.write(''.join(n + '\n' for n in names))
        for n in sorted(n for n, v in g.items() if v != 'PASS' and l.get(n) == 'PASS'):
            print('%s %s %s: %s' % (arch, suite, n, g[n]))
        if suite not in guest:
            print('%s %s: did not finish' % (arch, suite))


if __name__ == '__main__':
    main()
