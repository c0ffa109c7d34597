/* The boot information record and the kernel command line. */
#include <kernel/boot.h>
#include <kernel/string.h>

struct boot_info boot_info = {
	.loader = "unknown",
	.firmware = "unknown",
	.cmdline = "",
	.ncpus = 1,
};

bool boot_add_region(paddr_t base, uint64_t size, enum mem_type type)
{
	if (size == 0)
		return true;
	if (base + size < base)	/* Clip a range that wraps around the address space. */
		size = -base;
	if (boot_info.nregions >= BOOT_MAX_REGIONS)
		return false;
	boot_info.regions[boot_info.nregions++] = (struct mem_region){base, size, type};
	return true;
}

const char *boot_cmdline_get(const char *key, size_t *len)
{
	size_t klen = strlen(key);

	for (const char *p = boot_info.cmdline; *p;) {
		while (*p == ' ')
			p++;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - word) > klen && strncmp(word, key, klen) == 0 && word[klen] == '=') {
			if (len)
				*len = p - word - klen - 1;
			return word + klen + 1;
		}
	}
	return NULL;
}

bool boot_cmdline_is(const char *key, const char *value)
{
	size_t len;
	const char *v = boot_cmdline_get(key, &len);

	return v && len == strlen(value) && strncmp(v, value, len) == 0;
}
