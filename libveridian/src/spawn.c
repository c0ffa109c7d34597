/*
 * Spawning processes that run a function of the caller's own image (the
 * root task's tests and servers): read-only segments are shared between all
 * of them, writable ones copied (elf_load.c).
 */
#include "elf_load.h"

#define CHILD_STACK_SIZE (64 * 1024)

struct vr_image vr_self_image;

void _vr_thread_start(void);

/* What a new process runs first: learn its own handle, then run the function. */
struct child_start {
	uint64_t (*fn)(uint64_t);
	uint64_t arg;
	handle_t self;
};

static uint64_t child_entry(uint64_t p)
{
	struct child_start *s = (struct child_start *)(uintptr_t)p;

	vr_self = s->self;
	return s->fn(s->arg);
}

int64_t vr_spawn_prepare(const struct vr_image *img, handle_t *process)
{
	int64_t err = vr_process_create(0, process);

	if (err)
		return err;
	err = elf_map_segments(img, *process, SHARE_READONLY, 0);
	if (err) {
		vr_handle_close(*process);
		return err;
	}
	return 0;
}

int64_t vr_spawn_start(handle_t process, uint64_t (*fn)(uint64_t), uint64_t arg)
{
	handle_t stack, self;
	uint64_t at;
	struct {
		uint64_t entry, arg;	/* popped by _vr_thread_start */
		struct child_start start;
	} top;
	int64_t err = vr_process_handle_give(process, process, VR_RIGHT_MANAGE | VR_RIGHT_MAP, &self);

	if (err)
		return err;
	err = vr_vmo_create(CHILD_STACK_SIZE, 0, &stack);
	if (err)
		return err;
	uint64_t sp = CHILD_STACK_TOP - sizeof(top);
	top.entry = (uint64_t)(uintptr_t)child_entry;
	top.arg = sp + 16;	/* where top.start lands in the child */
	top.start = (struct child_start){fn, arg, self};
	err = vr_vmo_write(stack, &top, CHILD_STACK_SIZE - sizeof(top), sizeof(top));
	if (!err)
		err = vr_vm_map(process, stack, CHILD_STACK_TOP - CHILD_STACK_SIZE, 0, CHILD_STACK_SIZE,
				VR_PROT_READ | VR_PROT_WRITE, &at);
	vr_handle_close(stack);
	handle_t thread;
	if (!err)
		err = vr_process_start(process, (uint64_t)(uintptr_t)_vr_thread_start, sp, 0, &thread);
	if (!err)
		vr_handle_close(thread);
	return err;
}

int64_t vr_spawn(const struct vr_image *img, uint64_t (*fn)(uint64_t), uint64_t arg,
		 handle_t *process)
{
	int64_t err = vr_spawn_prepare(img, process);

	if (err)
		return err;
	err = vr_spawn_start(*process, fn, arg);
	if (err) {
		vr_process_kill(*process, err);
		vr_handle_close(*process);
	}
	return err;
}

