#!/usr/bin/env python3
"""Counts non-blank, non-comment lines of the kernel (tests excluded), generic and per architecture."""
import os
import re
import sys

BUDGET = 15000


def code_lines(path):
    text = open(path, encoding='utf-8', errors='replace').read()
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
    n = 0
    for line in text.splitlines():
        s = line.strip()
        if s and not s.startswith('//'):
            n += 1
    return n


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else 'microkernel'
    groups = {}
    for dirpath, _, files in os.walk(root):
        if '/test' in dirpath:
            continue
        for f in files:
            if not f.endswith(('.c', '.h', '.S', '.s')):
                continue
            rel = os.path.relpath(dirpath, root).split(os.sep)
            group = 'arch/' + rel[1] if rel[0] == 'arch' and len(rel) > 1 else 'generic'
            groups[group] = groups.get(group, 0) + code_lines(os.path.join(dirpath, f))
    total = 0
    for g in sorted(groups):
        print('%-16s %6d' % (g, groups[g]))
        total += groups[g]
    print('%-16s %6d  (budget %d)' % ('total', total, BUDGET))
    return 0 if total <= BUDGET else 1


if __name__ == '__main__':
    sys.exit(main())
