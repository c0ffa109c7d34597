/* Threads: a stack of their own, and a start through crt0's _vr_thread_start. */
#include <veridian/vr.h>

#define STACK_SIZE (64 * 1024)

void _vr_thread_start(void);

__attribute__((noreturn)) void vr_exit_thread(int64_t status)
{
	vr_thread_exit(status);
	for (;;)
		;
}

/* Where crt0 goes when a thread's function returns. */
__attribute__((noreturn)) void vr_thread_return(uint64_t value)
{
	vr_exit_thread((int64_t)value);
}

int64_t vr_thread_create_on(uint64_t (*fn)(uint64_t), uint64_t arg, int cpu, handle_t *thread)
{
	uint64_t *stack = vr_map_anon(STACK_SIZE, VR_PROT_READ | VR_PROT_WRITE);

	if (!stack)
		return -VR_ENOMEM;
	uint64_t *top = stack + STACK_SIZE / 8 - 2;
	top[0] = (uint64_t)(uintptr_t)fn;
	top[1] = arg;
	int64_t err = vr_thread_create(vr_self, (uint64_t)(uintptr_t)_vr_thread_start,
				       (uint64_t)(uintptr_t)top, 0, thread);
	if (err)
		goto err_stack;
	/*
	 * The kernel unmaps the stack when the thread ends, however it ends,
	 * also when it is closed without ever starting.
	 */
	err = vr_thread_set_stack(*thread, (uint64_t)(uintptr_t)stack, STACK_SIZE);
	if (err)
		goto err_thread;
	if (cpu >= 0)
		err = vr_thread_set_affinity(*thread, (uint64_t)cpu);
	if (err)
		vr_handle_close(*thread);	/* takes the stack with it */
	return err;
err_thread:
	vr_handle_close(*thread);
err_stack:
	vr_unmap(stack, STACK_SIZE);
	return err;
}

int64_t vr_thread_spawn(uint64_t (*fn)(uint64_t), uint64_t arg, handle_t *thread)
{
	int64_t err = vr_thread_create_on(fn, arg, -1, thread);

	if (err == 0)
		err = vr_thread_start(*thread);
	return err;
}
