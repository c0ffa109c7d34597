/*
 * The auxiliary vector vr_exec puts above a program's environment, as Linux
 * does (the AT_* numbers are Linux's), and the one entry of our own.
 */
#pragma once

#define VR_AT_NULL 0
#define VR_AT_PHDR 3
#define VR_AT_PHENT 4
#define VR_AT_PHNUM 5
#define VR_AT_PAGESZ 6
#define VR_AT_BASE 7	/* where the dynamic linker is loaded (0: none) */
#define VR_AT_ENTRY 9
#define VR_AT_UID 11
#define VR_AT_EUID 12
#define VR_AT_GID 13
#define VR_AT_EGID 14
#define VR_AT_SECURE 23
#define VR_AT_RANDOM 25
#define VR_AT_EXECFN 31
/* The program's own process handle (RIGHT_MANAGE, RIGHT_MAP); not a Linux entry. */
#define VR_AT_SELF 0x5652
/* The POSIX layer's start-up (posix/proto/proc.h): proc and vfs capabilities, the start block. */
#define VR_AT_PROC 0x5653
#define VR_AT_VFS 0x5654
#define VR_AT_START 0x5655
/* The descriptor map the proc server reads for /proc/<pid>/fd (posix/proto/proc.h, PROC_FDMAP_SIZE). */
#define VR_AT_FDMAP 0x5671
/* The vfs server's own start-up (roottask/posix.c): the endpoint it serves and the initrd VMO. */
#define VR_AT_VFS_SERVE 0x5656
#define VR_AT_INITRD 0x5657
/* The proc server's own endpoint (unbadged), the one it serves. */
#define VR_AT_PROC_SERVE 0x5658
/* The proc server's vfs capability (VFS_BADGE_ADMIN). */
#define VR_AT_VFS_ADMIN 0x5659
/*
 * The native handles a POSIX program's spawner gave it (vr_spawnattr_sethandles,
 * posix/README.md): handle i is VR_AT_HANDLE + i, i < PROC_SPAWN_HANDLES.
 */
#define VR_AT_HANDLE 0x56b0
