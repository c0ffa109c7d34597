"""Writes the Linux comparison boot's initramfs: an uncompressed newc cpio archive.

It holds /init (the benchmark program), /dev/console (so that the kernel can give
init its standard output before anything is mounted) and an empty /sys. Written
here rather than with cpio(1) because a device node needs no root this way, and
every field is fixed (mtime 0), so the same program gives the same archive.
"""
import stat

CONSOLE = (5, 1)  # the character device /dev/console


def _entry(ino, name, mode, data=b'', rdev=(0, 0), nlink=1):
    name_bytes = name.encode() + b'\0'
    fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0)
    header = b'070701' + b''.join(b'%08X' % f for f in fields)
    out = header + name_bytes
    out += b'\0' * (-len(out) % 4)
    out += data
    out += b'\0' * (-len(data) % 4)
    return out


def build(init_program):
    """Returns the archive's bytes for the given /init executable."""
    entries = [
        ('dev', stat.S_IFDIR | 0o755, b'', (0, 0), 2),
        ('dev/console', stat.S_IFCHR | 0o600, b'', CONSOLE, 1),
        ('sys', stat.S_IFDIR | 0o755, b'', (0, 0), 2),
        ('init', stat.S_IFREG | 0o755, init_program, (0, 0), 1),
    ]
    out = b''.join(_entry(i + 1, name, mode, data, rdev, nlink)
                   for i, (name, mode, data, rdev, nlink) in enumerate(entries))
    out += _entry(0, 'TRAILER!!!', 0)
    return out


def write(path, init_program):
    with open(path, 'wb') as f:
        f.write(build(init_program))
