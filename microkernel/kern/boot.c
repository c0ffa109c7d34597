/* The boot information record and the kernel command line. */
#include <kernel/boot.h>
#include <kernel/string.h>

struct boot_info boot_info = {
	.loader = "unknown",
	.firmware = "unknown",
	.cmdline = "",
	.ncpus = 0,	/* boot_add_cpu() counts them; kmain assumes 1 if none were found */
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

bool boot_add_module(paddr_t base, uint64_t size, const char *name)
{
	if (boot_info.nmodules >= BOOT_MAX_MODULES)
		return false;
	boot_info.modules[boot_info.nmodules++] = (struct boot_module){base, size, name};
	return true;
}

int boot_add_cpu(uint64_t arch_id, unsigned node)
{
	unsigned n = boot_info.ncpus;

	if (n >= BOOT_MAX_CPUS)
		return -1;
	boot_info.cpu_arch_id[n] = arch_id;
	boot_info.cpu_node[n] = node;
	boot_info.ncpus = n + 1;
	return (int)n;
}

void boot_add_numa_range(paddr_t base, uint64_t size, unsigned node)
{
	if (boot_info.nnuma < BOOT_MAX_NUMA_RANGES && size)
		boot_info.numa[boot_info.nnuma++] = (struct numa_range){base, size, node};
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
