#!/usr/bin/env python3
"""Writes a cpio "newc" archive (the initial ramdisk) without a host cpio.

Usage: mkcpio.py -o OUT [--strip] [--tree DIR] SPEC...
  DEST=SRC          the file SRC as DEST (mode 0755 if SRC is executable, else 0644)
  DEST/             a directory (0755); DEST/:MODE with an octal mode
  DEST->TARGET      a symbolic link
  --tree DIR        everything under DIR (files, directories, links), as in DIR
  --tree DEST=DIR   the same under DEST/
  --strip           ELF files without their symbols and debug sections (llvm-strip;
                    shared libraries keep what linking needs): the build keeps
                    the unstripped ones for the debugger
Owners are root; times are 0, so the same inputs give the same archive.
Directories leading to an entry are added as needed.
"""
import argparse
import os
import stat
import subprocess
import sys
import tempfile


class Archive:
    def __init__(self, strip=False):
        self.entries = {}   # path -> (mode, data)
        self.ino = 1
        self.strip = strip

    def add(self, path, mode, data=b''):
        path = path.strip('/')
        parts = path.split('/')
        for i in range(1, len(parts)):
            d = '/'.join(parts[:i])
            if d not in self.entries:
                self.entries[d] = (stat.S_IFDIR | 0o755, b'')
        if path in self.entries and not stat.S_ISDIR(mode):
            sys.exit('mkcpio: %s given twice' % path)
        if self.strip and stat.S_ISREG(mode) and data[:4] == b'\x7fELF':
            data = stripped(data, '.so' in os.path.basename(path))
        self.entries[path] = (mode, data)

    def header(self, name, mode, size):
        name_bytes = name.encode() + b'\0'
        fields = [self.ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0, size, 0, 0, 0, 0,
                  len(name_bytes), 0]
        self.ino += 1
        h = b'070701' + b''.join(b'%08x' % f for f in fields) + name_bytes
        return h + b'\0' * (-len(h) % 4)

    def write(self, out):
        blob = bytearray()
        for path in sorted(self.entries):
            mode, data = self.entries[path]
            blob += self.header(path, mode, len(data))
            blob += data + b'\0' * (-len(data) % 4)
        blob += self.header('TRAILER!!!', 0, 0)
        blob += b'\0' * (-len(blob) % 512)
        with open(out, 'wb') as f:
            f.write(blob)


def stripped(data, shared):
    """@data, an ELF file, run through llvm-strip (--strip-unneeded if @shared)."""
    with tempfile.TemporaryDirectory(prefix='mkcpio-') as d:
        path = os.path.join(d, 'elf')
        with open(path, 'wb') as f:
            f.write(data)
        subprocess.run(['llvm-strip', '--strip-unneeded' if shared else '--strip-all', path],
                       check=True)
        with open(path, 'rb') as f:
            return f.read()


def add_tree(a, top, prefix=''):
    for dirpath, dirnames, filenames in os.walk(top):
        rel = os.path.relpath(dirpath, top)
        for name in sorted(dirnames + filenames):
            src = os.path.join(dirpath, name)
            dest = prefix + (name if rel == '.' else rel + '/' + name)
            st = os.lstat(src)
            if stat.S_ISLNK(st.st_mode):
                a.add(dest, stat.S_IFLNK | 0o777, os.readlink(src).encode())
            elif stat.S_ISDIR(st.st_mode):
                a.add(dest, stat.S_IFDIR | (st.st_mode & 0o7777))
            else:
                with open(src, 'rb') as f:
                    a.add(dest, stat.S_IFREG | (0o755 if st.st_mode & 0o111 else 0o644), f.read())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('-o', required=True)
    p.add_argument('--tree', action='append', default=[])
    p.add_argument('--strip', action='store_true')
    p.add_argument('specs', nargs='*')
    args = p.parse_args()
    a = Archive(args.strip)
    a.add('', stat.S_IFDIR | 0o755)
    for t in args.tree:
        dest, _, top = t.rpartition('=')
        add_tree(a, top, dest.strip('/') + '/' if dest else '')
    for s in args.specs:
        if '->' in s:
            dest, target = s.split('->', 1)
            a.add(dest, stat.S_IFLNK | 0o777, target.encode())
        elif '=' in s:
            dest, src = s.split('=', 1)
            with open(src, 'rb') as f:
                data = f.read()
            a.add(dest, stat.S_IFREG | (0o755 if os.stat(src).st_mode & 0o111 else 0o644), data)
        elif s.endswith('/') or '/:' in s:
            dest, _, mode = s.partition(':')
            a.add(dest, stat.S_IFDIR | (int(mode, 8) if mode else 0o755))
        else:
            sys.exit('mkcpio: cannot read spec %r' % s)
    # The root entry is named "."
    root = a.entries.pop('')
    a.entries = dict([('.', root)] + list(a.entries.items()))
    a.write(args.o)


if __name__ == '__main__':
    main()
