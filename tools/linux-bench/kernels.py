"""Fetches Debian's own Linux kernels for `make bench-linux` and caches their images.

Only Debian's package archive is used, through apt-get with a private
configuration kept in the cache (its own sources list, package lists and
download directory; the system's Debian archive keyring checks the signatures),
so the host's apt sources and dpkg architectures stay untouched and no root is
needed. Kernels are cached by package version; the .deb is not kept:

    ~/.cache/veridian/linux-bench/
        apt/                                 the private apt state
        <arch>/<package>_<version>/
            vmlinuz   the kernel file as Debian ships it (/boot/vmlinu[xz]-*)
            Image     what QEMU -kernel loads: vmlinuz decompressed, or a link to it
                      where QEMU loads it as it is (x86 bzImage, arm64 and riscv64 Image)
            config    the kernel's build configuration
            package   "<package> <version> <suite>"

With no network, the newest cached kernel of an architecture is used.
"""
import glob
import gzip
import io
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import time

CACHE = os.path.join(os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'),
                     'veridian', 'linux-bench')
MIRROR = os.environ.get('VERIDIAN_DEBIAN_MIRROR', 'http://deb.debian.org/debian')
SECURITY = os.environ.get('VERIDIAN_DEBIAN_SECURITY', 'http://deb.debian.org/debian-security')
KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'
LISTS_MAX_AGE = 24 * 3600

# Debian's name of each architecture and the metapackage that points at its current kernel.
DEBIAN = {
    'x86_64': ('amd64', 'linux-image-amd64'),
    'aarch64': ('arm64', 'linux-image-arm64'),
    'riscv64': ('riscv64', 'linux-image-riscv64'),
}

# bookworm has no riscv64 in Debian's archive (riscv64 became a release
# architecture with trixie), so riscv64 takes the next release's kernel.
SUITE_FOR = {('riscv64', 'bookworm'): 'trixie'}


def suite_for(arch, suite):
    return SUITE_FOR.get((arch, suite), suite)


def log(msg):
    sys.stderr.write('linux-bench: %s\n' % msg)


class Apt:
    """apt-get and apt-cache with a configuration of their own under CACHE/apt."""

    def __init__(self, root=os.path.join(CACHE, 'apt')):
        self.root = root
        for d in ('lists/partial', 'archives/partial', 'parts', 'prefs'):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        status = os.path.join(root, 'status')
        if not os.path.exists(status):
            open(status, 'w').close()
        native = subprocess.run(['dpkg', '--print-architecture'], capture_output=True,
                                text=True).stdout.strip() or 'amd64'
        self.options = [
            '-o', 'Dir::Etc::SourceList=' + os.path.join(root, 'sources.list'),
            '-o', 'Dir::Etc::SourceParts=' + os.path.join(root, 'parts'),
            '-o', 'Dir::Etc::Preferences=' + os.path.join(root, 'preferences'),
            '-o', 'Dir::Etc::PreferencesParts=' + os.path.join(root, 'prefs'),
            '-o', 'Dir::State=' + root,
            '-o', 'Dir::State::Lists=' + os.path.join(root, 'lists'),
            '-o', 'Dir::State::Status=' + status,
            '-o', 'Dir::Cache=' + root,
            '-o', 'Dir::Cache::Archives=' + os.path.join(root, 'archives'),
            '-o', 'Debug::NoLocking=1',
            '-o', 'Acquire::Languages=none',
            '-o', 'APT::Architecture=' + native,
        ]
        for debarch, _ in DEBIAN.values():
            self.options += ['-o', 'APT::Architectures::=' + debarch]
        if os.getuid() == 0:
            # The private directories are root's; apt's _apt user could not write them.
            self.options += ['-o', 'APT::Sandbox::User=root']

    def sources(self, suite):
        """Writes the sources list: for each architecture, the release it takes its kernel from
        (with that release's updates and security archives)."""
        by_suite = {}
        for arch, (debarch, _) in DEBIAN.items():
            by_suite.setdefault(suite_for(arch, suite), []).append(debarch)
        lines = []
        for s, debarches in sorted(by_suite.items()):
            opts = '[arch=%s signed-by=%s]' % (','.join(debarches), KEYRING)
            lines.append('deb %s %s %s main' % (opts, MIRROR, s))
            lines.append('deb %s %s %s-updates main' % (opts, MIRROR, s))
            lines.append('deb %s %s %s-security main' % (opts, SECURITY, s))
        text = '\n'.join(lines) + '\n'
        path = os.path.join(self.root, 'sources.list')
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            with open(path, 'w') as f:
                f.write(text)
            stamp = os.path.join(self.root, 'updated')
            if os.path.exists(stamp):
                os.unlink(stamp)

    def update(self, force=False):
        """Refreshes the package lists when they are older than a day.

        Returns apt's complaints, '' when there were none. Some indexes failing
        is common (a mirror in the middle of a sync) and not fatal: the lists
        that did arrive are used.
        """
        stamp = os.path.join(self.root, 'updated')
        if not force and os.path.exists(stamp) and \
                time.time() - os.path.getmtime(stamp) < LISTS_MAX_AGE:
            return ''
        log('apt-get update (private lists under %s)' % self.root)
        r = subprocess.run(['apt-get', '-q'] + self.options + ['update'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        open(stamp, 'w').close()
        errors = [l for l in r.stderr.splitlines() if l.startswith('E:')]
        if errors:
            log('some package indexes could not be fetched; using those that arrived')
        return r.stderr if r.returncode or errors else ''

    def field(self, package, name):
        """A field of the candidate version of a package ("pkg:arch"), or None."""
        r = subprocess.run(['apt-cache'] + self.options + ['show', '--no-all-versions', package],
                           capture_output=True, text=True)
        for line in r.stdout.splitlines():
            if line.startswith(name + ':'):
                return line.split(':', 1)[1].strip()
        return None

    def download(self, package, directory):
        subprocess.run(['apt-get', '-q'] + self.options + ['download', package], cwd=directory,
                       check=True, stdout=subprocess.DEVNULL)


def resolve(apt, arch):
    """Returns (package, version) of the kernel the metapackage currently depends on."""
    debarch, meta = DEBIAN[arch]
    depends = apt.field('%s:%s' % (meta, debarch), 'Depends')
    if not depends:
        return None
    package = depends.split(',')[0].split('|')[0].split('(')[0].strip()
    package = package.split(':')[0]
    version = apt.field('%s:%s' % (package, debarch), 'Version')
    return (package, version) if version else None


def extract(deb, directory):
    """Copies /boot/vmlinu[xz]-* and /boot/config-* out of a kernel package."""
    proc = subprocess.Popen(['dpkg-deb', '--fsys-tarfile', deb], stdout=subprocess.PIPE)
    found = {}
    with tarfile.open(fileobj=proc.stdout, mode='r|') as tar:
        for member in tar:
            name = member.name.lstrip('./')
            if not member.isfile() or not name.startswith('boot/'):
                continue
            base = os.path.basename(name)
            target = 'vmlinuz' if base.startswith('vmlinu') else \
                'config' if base.startswith('config-') else None
            if target:
                with open(os.path.join(directory, target), 'wb') as out:
                    shutil.copyfileobj(tar.extractfile(member), out)
                found[target] = base
    if proc.wait() != 0 or 'vmlinuz' not in found:
        raise SystemExit('linux-bench: no kernel image in ' + deb)
    return found['vmlinuz']


def loadable_image(data):
    """Returns a kernel image QEMU -kernel loads: gzip and EFI zboot wrappers removed."""
    if data[:2] == b'\x1f\x8b':
        return gzip.decompress(data)
    if data[:2] == b'MZ' and data[4:8] == b'zimg':
        # EFI zboot: a small EFI stub carrying the compressed Image.
        offset, size = struct.unpack_from('<II', data, 8)
        method = data[24:32].rstrip(b'\0').decode()
        payload = data[offset:offset + size]
        if method == 'gzip':
            return gzip.decompress(payload)
        tool = {'zstd': 'zstd', 'xz': 'xz', 'lzma': 'xz'}.get(method)
        if tool and shutil.which(tool):
            return subprocess.run([tool, '-dc'], input=payload, capture_output=True,
                                  check=True).stdout
        raise SystemExit('linux-bench: the kernel is EFI zboot with %s compression; '
                         'install the package with %s' % (method, tool or method))
    return data  # an uncompressed Image (arm64, riscv64) or an x86 bzImage


def cached(arch):
    """The newest kernel directory cached for arch, or None."""
    dirs = [d for d in glob.glob(os.path.join(CACHE, arch, '*')) if
            os.path.exists(os.path.join(d, 'Image'))]
    return max(dirs, key=os.path.getmtime) if dirs else None


def fetch(arch, release='bookworm'):
    """Returns the cache directory holding arch's kernel, downloading it when not cached."""
    suite = suite_for(arch, release)
    apt = Apt()
    apt.sources(release)
    problems = apt.update()
    found = resolve(apt, arch)
    if not found and not problems:
        # The lists may be fresh but older than this suite's kernel, or gone.
        problems = apt.update(force=True)
        found = resolve(apt, arch)
    if not found:
        sys.stderr.write(problems)
        old = cached(arch)
        if old:
            log('%s: no kernel in the package lists, using the cached %s' % (arch, old))
            return old
        raise SystemExit('linux-bench: no %s kernel found in Debian %s' % (arch, suite))
    package, version = found
    directory = os.path.join(CACHE, arch, '%s_%s' % (package, version))
    if os.path.exists(os.path.join(directory, 'Image')):
        return directory
    log('%s: downloading %s %s' % (arch, package, version))
    tmp = directory + '.tmp'
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    apt.download('%s:%s' % (package, DEBIAN[arch][0]), tmp)
    deb = glob.glob(os.path.join(tmp, '*.deb'))[0]
    extract(deb, tmp)
    os.unlink(deb)
    with open(os.path.join(tmp, 'vmlinuz'), 'rb') as f:
        data = f.read()
    image = loadable_image(data)
    if image is data:
        os.symlink('vmlinuz', os.path.join(tmp, 'Image'))
    else:
        with open(os.path.join(tmp, 'Image'), 'wb') as f:
            f.write(image)
    with open(os.path.join(tmp, 'package'), 'w') as f:
        f.write('%s %s %s\n' % (package, version, suite))
    shutil.rmtree(directory, ignore_errors=True)
    os.rename(tmp, directory)
    return directory


def describe(directory):
    """ "package version suite" of a cached kernel."""
    with open(os.path.join(directory, 'package')) as f:
        return f.read().strip()
