/* ELF64 file and program headers (System V ABI, chapter 4-5): what the kernel and libveridian load. */
#pragma once

#include <stdint.h>

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define ET_EXEC 2
#define ET_DYN 3	/* position-independent: loaded at a bias */
#define PT_LOAD 1
#define PT_INTERP 3	/* the path of the program's dynamic linker */
#define PT_PHDR 6
#define PF_X 1
#define PF_W 2
#define PF_R 4
