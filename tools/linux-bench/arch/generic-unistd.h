/*
 * System call numbers of the asm-generic table, which aarch64 and riscv64
 * share (64-bit variants: mmap is sys_mmap, clock_gettime the 64-bit one).
 */
enum {
	NR_mkdirat = 34,
	NR_unlinkat = 35,
	NR_mount = 40,
	NR_openat = 56,
	NR_close = 57,
	NR_pipe2 = 59,
	NR_read = 63,
	NR_write = 64,
	NR_pread64 = 67,
	NR_exit = 93,
	NR_exit_group = 94,
	NR_futex = 98,
	NR_nanosleep = 101,
	NR_clock_gettime = 113,
	NR_sched_setaffinity = 122,
	NR_sched_getaffinity = 123,
	NR_sched_yield = 124,
	NR_reboot = 142,
	NR_uname = 160,
	NR_getpid = 172,
	NR_getppid = 173,
	NR_socketpair = 199,
	NR_munmap = 215,
	NR_clone = 220,
	NR_execve = 221,
	NR_mmap = 222,
	NR_madvise = 233,
	NR_wait4 = 260,
};
