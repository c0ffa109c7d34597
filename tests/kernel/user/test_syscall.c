/* System-call basics: arguments and results pass intact; bad numbers and pointers are refused. */
#include "../../../roottask/utest.h"

UTEST(syscall_args_and_results)
{
	uint64_t sum = 0;

	UCHECK(vr_null() == 0, "null failed");
	UCHECK(vr_debug_args(1, 2, 3, 4, 5, 6, &sum) == 0 && sum == 91, "debug_args gave %lu", sum);
	UCHECK(vr_debug_args(~0ull, 0, 0, 0, 0, 1ull << 63, &sum) == 0 && sum == ~0ull,
	       "wide arguments gave %#lx", sum);
	return NULL;
}

UTEST(syscall_unknown_number)
{
	uint64_t v;

	UCHECK(__vr_syscall(VR_SYSCALL_COUNT, 0, 0, 0, 0, 0, 0, &v) == -VR_ENOSYS, "past the table");
	UCHECK(__vr_syscall(~0ull, 0, 0, 0, 0, 0, 0, &v) == -VR_ENOSYS, "number ~0");
	return NULL;
}

UTEST(syscall_bad_pointers_efault)
{
	static const uint64_t bad[] = {0x10, 0x1000, 0x00007fffffff0000ull, 0xffff800000000000ull,
				       0xffffffff80000000ull, ~0ull - 4};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t r = vr_debug_write((const char *)(uintptr_t)bad[i], 4);
		UCHECK(r == -VR_EFAULT, "debug_write(%#lx) gave %ld", bad[i], r);
	}
	/* A length running off the end of a valid buffer is refused as a whole. */
	char ok[8] = "ok";
	UCHECK(vr_debug_write(ok, 1ull << 40) == -VR_EINVAL, "huge length accepted");
	UCHECK(vr_debug_write(ok, 0) == 0, "empty write refused");
	handle_t vmo;
	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo_create failed");
	UCHECK(vr_vmo_read(vmo, (void *)0x20, 0, 16) == -VR_EFAULT, "vmo_read to a bad pointer");
	UCHECK(vr_vmo_write(vmo, (void *)0xffff800000001000ull, 0, 16) == -VR_EFAULT,
	       "vmo_write from kernel memory");
	vr_handle_close(vmo);
	return NULL;
}

UTEST(clock_monotonic)
{
	uint64_t a, b;

	UCHECK(vr_clock_get(&a) == 0 && vr_clock_get(&b) == 0 && b >= a, "clock went back");
	vr_thread_sleep(2000000);
	UCHECK(vr_clock_get(&b) == 0 && b - a >= 2000000, "slept %lu ns of 2 ms", b - a);
	return NULL;
}

/*
 * The IPC stubs enter the kernel through the message calls' own entry where
 * the architecture has one (x86_64: the number range; aarch64: svc #1;
 * riscv64: bit 63 of the number). Any number works through it, the message
 * registers come back as they went in for a call that does not answer in
 * them, and a message call through the ordinary entry still works.
 */
UTEST(syscall_message_entry)
{
	uint64_t m[8] = {0, 11, 22, 33, 44, 55, 66, 77}, v;

	UCHECK(__vr_ipc(VR_SYS_NULL, 0, m) == 0, "null through the message entry failed");
	for (unsigned i = 1; i < 8; i++)
		UCHECK(m[i] == i * 11, "message word %u came back as %#lx", i, m[i]);
	UCHECK(__vr_ipc(VR_SYSCALL_COUNT, 0, m) == -VR_ENOSYS, "past the table");
	UCHECK(__vr_ipc(~0ull >> 1, 0, m) == -VR_ENOSYS, "number 2^63 - 1");
	m[0] = 0;
	UCHECK(__vr_ipc(VR_SYS_IPC_CALL, 0x7fff, m) == -VR_EBADF, "a call on a forged handle");
	UCHECK(__vr_ipc(VR_SYS_IPC_REPLY_RECV, 0x7fff, m) == -VR_EBADF, "a reply_recv on a forged handle");
	UCHECK(__vr_syscall(VR_SYS_IPC_CALL, 0x7fff, 0, 0, 0, 0, 0, &v) == -VR_EBADF,
	       "a call through the ordinary entry");
	return NULL;
}
