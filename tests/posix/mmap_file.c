/*
 * File mappings the way a dynamic loader makes them (musl's ldso maps a
 * shared library so): the whole span of a program file reserved with one
 * private mapping that reaches past the end of the file, a part of it mapped
 * again at a page offset with PROT_EXEC over the reservation (MAP_FIXED), the
 * rest replaced by anonymous zeroed memory, then mprotect and munmap. The
 * file is this program itself. Exits with the number of failed checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096UL


#define TEST_NAME "mmap_file"
#include "check.h"

static unsigned char want[2 * PAGE];

static void check_loader_maps(int fd, size_t size)
{
	size_t file_pages = (size + PAGE - 1) / PAGE * PAGE, span = file_pages + 3 * PAGE;

	/* The reservation: longer than the file, as a library's bss makes it. */
	unsigned char *base = mmap(NULL, span, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(base != MAP_FAILED, "mmap of %zu bytes of a %zu-byte file: errno %d", span, size,
	      errno);
	if (base == MAP_FAILED)
		return;
	CHECK(memcmp(base, "\177ELF", 4) == 0, "the mapping does not start with the ELF header");
	/* What the file has past its end in its last page reads as zeros. */
	size_t zeros = 0;
	for (size_t i = size; i < file_pages; i++)
		zeros += base[i] == 0;
	CHECK(zeros == file_pages - size, "%zu of %zu bytes past the end are zero", zeros,
	      file_pages - size);

	/* The second page of the file again, at its own offset, executable. */
	unsigned char *text =
	    mmap(base + PAGE, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd, PAGE);
	CHECK(text == base + PAGE, "MAP_FIXED at offset %lu: %p, not %p (errno %d)", PAGE,
	      (void *)text, (void *)(base + PAGE), errno);
	CHECK(pread(fd, want, PAGE, PAGE) == (ssize_t)PAGE, "pread at %lu", PAGE);
	if (text == base + PAGE)
		CHECK(memcmp(text, want, PAGE) == 0, "the page at offset %lu differs from the file",
		      PAGE);

	/* The bss: anonymous, zeroed and writable, over the part beyond the file. */
	unsigned char *bss = mmap(base + file_pages, 3 * PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
	CHECK(bss == base + file_pages, "anonymous MAP_FIXED: %p, not %p (errno %d)", (void *)bss,
	      (void *)(base + file_pages), errno);
	if (bss == base + file_pages) {
		zeros = 0;
		for (size_t i = 0; i < 3 * PAGE; i++)
			zeros += bss[i] == 0;
		CHECK(zeros == 3 * PAGE, "%zu of %lu bss bytes are zero", zeros, 3 * PAGE);
		bss[5] = 42;
		CHECK(bss[5] == 42, "the bss is not writable");
	}
	/* The first page still holds the file's first page. */
	CHECK(pread(fd, want, PAGE, 0) == (ssize_t)PAGE && memcmp(base, want, PAGE) == 0,
	      "the first page changed");
	CHECK(mprotect(base, PAGE, PROT_READ) == 0, "mprotect: errno %d", errno);
	CHECK(munmap(base, span) == 0, "munmap: errno %d", errno);
}

/* A private writable mapping at an offset is a copy: the file does not change. */
static void check_private_copy(int fd)
{
	unsigned char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PAGE);
	CHECK(m != MAP_FAILED, "private writable mapping at %lu: errno %d", PAGE, errno);
	if (m == MAP_FAILED)
		return;
	unsigned char old = m[7], now = 0;
	m[7] = (unsigned char)(old + 1);
	CHECK(pread(fd, &now, 1, PAGE + 7) == 1 && now == old, "writing the copy changed the file");
	CHECK(munmap(m, PAGE) == 0, "munmap: errno %d", errno);
	errno = 0;
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED && errno == EINVAL,
	      "an offset not on a page: errno %d", errno);
}

int main(int argc, char **argv)
{
	struct stat st;
	int fd = argc > 0 ? open(argv[0], O_RDONLY | O_CLOEXEC) : -1;

	CHECK(fd >= 0, "open %s: errno %d", argc > 0 ? argv[0] : "(no argv[0])", errno);
	if (fd < 0)
		return failures;
	CHECK(fstat(fd, &st) == 0 && st.st_size > (off_t)(2 * PAGE), "fstat: size %lld",
	      (long long)st.st_size);
	if (st.st_size > (off_t)(2 * PAGE)) {
		check_loader_maps(fd, (size_t)st.st_size);
		check_private_copy(fd);
	}
	close(fd);
	if (!failures)
		printf("mmap_file: all checks passed\n");
	return failures;
}
