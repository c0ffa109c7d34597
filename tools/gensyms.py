#!/usr/bin/env python3
"""Turns `llvm-nm -n --defined-only kernel.elf` into a C symbol table for backtraces.

Only text (function) symbols are kept. With --empty, writes the table that the
first link pass uses. The three objects go to section .ksyms, which every
linker script places after all code, so filling them in moves no function.
"""
import sys

HEADER = '#include <kernel/ksyms.h>\n#define KS __attribute__((section(".ksyms"), aligned(8)))\n'


def c_string(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '\\0"'


def main():
    if '--empty' in sys.argv[1:]:
        sys.stdout.write(HEADER)
        sys.stdout.write('KS const uint64_t ksym_count = 0;\n')
        sys.stdout.write('KS const struct ksym ksyms[1];\n')
        sys.stdout.write('KS const char ksym_names[1];\n')
        return
    syms = []
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 3 or parts[1] not in ('t', 'T', 'w', 'W'):
            continue
        name = parts[2]
        if name.startswith('.L') or name.startswith('$'):
            continue
        syms.append((int(parts[0], 16), name))
    syms.sort()
    names, offsets, pos = [], [], 0
    for _, name in syms:
        offsets.append(pos)
        names.append(name)
        pos += len(name) + 1
    out = [HEADER, 'KS const uint64_t ksym_count = %d;\n' % len(syms),
           'KS const struct ksym ksyms[%d] = {\n' % max(1, len(syms))]
    for (addr, _), off in zip(syms, offsets):
        out.append('\t{%#xull, %d, 0},\n' % (addr, off))
    out.append('};\nKS const char ksym_names[] =\n')
    for name in names:
        out.append('\t' + c_string(name) + '\n')
    out.append('\t"";\n')
    sys.stdout.write(''.join(out))


if __name__ == '__main__':
    main()
