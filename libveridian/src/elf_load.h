/*
 * Loading an ELF image's segments into a new process: shared by vr_spawn
 * (spawn.c), which shares read-only segments between children of one image,
 * and vr_exec (exec.c), which maps read-only segments from the image and copies
 * the rest. Internal to libveridian.
 */
#pragma once

#include <veridian/vr.h>
#include <uapi/veridian/elf.h>

#define CHILD_STACK_TOP 0x00007ff000000000ull
/* Where position-independent (ET_DYN) programs and dynamic linkers are loaded. */
#define CHILD_PROGRAM_BIAS 0x0000000100000000ull
#define CHILD_INTERP_BIAS 0x00007f0000000000ull
#define MAX_SEGMENTS 16

/* Whether read-only segments are shared with other children of the same image. */
enum segment_sharing {
	SHARE_READONLY,
	COPY_ALL,
};

/* Reads @img's ELF header and its (at most MAX_SEGMENTS) program headers; *n gets their number. */
int64_t elf_read_headers(const struct vr_image *img, struct elf64_ehdr *eh,
			 struct elf64_phdr ph[MAX_SEGMENTS], unsigned *n);

/* Maps @img's loadable segments into @proc, each @bias above its address (0 but for ET_DYN). */
int64_t elf_map_segments(const struct vr_image *img, handle_t proc, enum segment_sharing sharing,
			 uint64_t bias);
