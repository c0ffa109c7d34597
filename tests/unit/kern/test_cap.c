/* Capability tables: forgery, staleness, rights, derivation, revocation and transfer. */
// UNIT_SRCS: microkernel/kern/cap.c microkernel/kern/slab.c microkernel/kern/frame.c microkernel/kern/boot.c tests/unit/host/stubs.c
#define UNIT_MAIN
#include "unit.h"

#include <stdint.h>
#include <kernel/boot.h>
#include <kernel/cap.h>
#include <kernel/errno.h>
#include <kernel/frame.h>

struct test_obj {
	struct kobject k;
	int *destroyed;
};

static void destroy(struct kobject *k)
{
	struct test_obj *o = (struct test_obj *)k;
	(*o->destroyed)++;
	free(o);
}

static struct kobject *new_obj(int *destroyed)
{
	struct test_obj *o = calloc(1, sizeof(*o));
	kobj_init(&o->k, KOBJ_TEST, destroy);
	o->destroyed = destroyed;
	return &o->k;
}

static void setup(void)
{
	static bool done;

	if (done)
		return;
	unsigned char *arena = aligned_alloc(1 << 20, 64 << 20);
	boot_add_region((uintptr_t)arena, 64 << 20, MEM_USABLE);
	frame_init();
	done = true;
}

static int lookup(struct cap_table *t, handle_t h, uint32_t rights)
{
	struct kobject *o;
	int err = cap_lookup(t, h, KOBJ_NONE, rights, &o, NULL);
	if (!err)
		kobj_put(o);
	return err;
}

TEST(install_lookup_rights_type)
{
	struct cap_table t;
	int gone = 0;
	handle_t h;
	struct kobject *o, *got;

	setup();
	cap_table_init(&t, 1024);
	o = new_obj(&gone);
	CHECK(cap_install(&t, o, RIGHT_READ | RIGHT_SEND, &h) == 0);
	kobj_put(o);	/* the table holds it now */
	CHECK(h != HANDLE_INVALID);
	CHECK(cap_lookup(&t, h, KOBJ_TEST, RIGHT_READ, &got, NULL) == 0 && got == o);
	kobj_put(got);
	CHECK(cap_lookup(&t, h, KOBJ_ENDPOINT, 0, &got, NULL) == -EINVAL);
	CHECK(lookup(&t, h, RIGHT_WRITE) == -EACCES);
	CHECK(cap_close(&t, h) == 0);
	CHECK(gone == 1);
	CHECK(lookup(&t, h, 0) == -EBADF);	/* use after close */
	CHECK(cap_close(&t, h) == -EBADF);
	cap_table_finish(&t);
}

TEST(million_random_handles_rejected)
{
	struct cap_table t;
	int gone = 0;
	handle_t valid[1000];
	uint64_t seed = 0x1234567;

	setup();
	cap_table_init(&t, 4096);
	struct kobject *o = new_obj(&gone);
	for (int i = 0; i < 1000; i++)
		CHECK(cap_install(&t, o, RIGHTS_ALL, &valid[i]) == 0);
	kobj_put(o);
	int accepted = 0;
	for (int i = 0; i < 1000000; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		handle_t h = seed;
		/* Half of the guesses keep a real slot and generation and guess the check bits. */
		if (i & 1)
			h = (valid[i % 1000] & ((1ull << 40) - 1)) | (seed << 40);
		bool real = false;
		for (int k = 0; k < 1000 && !real; k += 1)
			real = valid[k] == h;
		if (!real && lookup(&t, h, 0) != -EBADF)
			accepted++;
	}
	CHECK(accepted == 0);
	for (int i = 0; i < 1000; i++)
		CHECK(lookup(&t, valid[i], RIGHTS_ALL) == 0);
	cap_table_finish(&t);
	CHECK(gone == 1);
}

TEST(handles_are_per_table_and_stale_after_reuse)
{
	struct cap_table a, b;
	int gone = 0;
	handle_t ha, hb, h2;

	setup();
	cap_table_init(&a, 64);
	cap_table_init(&b, 64);
	struct kobject *o = new_obj(&gone);
	CHECK(cap_install(&a, o, RIGHTS_ALL, &ha) == 0);
	CHECK(cap_install(&b, o, RIGHTS_ALL, &hb) == 0);
	CHECK((ha & 0xffffff) == (hb & 0xffffff));	/* same slot index in both */
	CHECK(ha != hb);
	CHECK(lookup(&b, ha, 0) == -EBADF && lookup(&a, hb, 0) == -EBADF);
	CHECK(cap_close(&a, ha) == 0);
	CHECK(cap_install(&a, o, RIGHTS_ALL, &h2) == 0);	/* reuses the slot */
	CHECK((h2 & 0xffffff) == (ha & 0xffffff) && h2 != ha);
	CHECK(lookup(&a, ha, 0) == -EBADF);
	/* Exhaust the slot's generations: it must retire rather than alias. */
	handle_t first = h2, h = h2;
	for (int i = 0; i < 70000; i++) {
		CHECK(cap_close(&a, h) == 0);
		CHECK(cap_install(&a, o, RIGHTS_ALL, &h) == 0);
		if (h == first)
			break;
	}
	CHECK(h != first);
	kobj_put(o);
	cap_table_finish(&a);
	cap_table_finish(&b);
	CHECK(gone == 1);
}

TEST(derive_and_revoke_across_tables)
{
	struct cap_table t1, t2, t3;
	int gone = 0;
	handle_t root, a, b, c, d;

	setup();
	uint64_t caps_before = cap_count();
	cap_table_init(&t1, 64);
	cap_table_init(&t2, 64);
	cap_table_init(&t3, 64);
	struct kobject *o = new_obj(&gone);
	CHECK(cap_install(&t1, o, RIGHTS_ALL, &root) == 0);
	kobj_put(o);
	CHECK(cap_derive(&t1, root, RIGHT_READ | RIGHT_DUPLICATE | RIGHT_TRANSFER, 0, &a) == 0);
	CHECK(lookup(&t1, a, RIGHT_WRITE) == -EACCES);	/* fewer rights */
	CHECK(cap_transfer(&t1, a, &t2, CAP_COPY, RIGHTS_ALL, &b) == 0);
	CHECK(lookup(&t2, b, RIGHT_READ) == 0 && lookup(&t2, b, RIGHT_WRITE) == -EACCES);
	CHECK(cap_transfer(&t2, b, &t3, CAP_COPY, RIGHT_READ | RIGHT_TRANSFER | RIGHT_DUPLICATE, &c) == 0);
	CHECK(cap_derive(&t3, c, RIGHT_READ, 0, &d) == 0);
	CHECK(cap_derive(&t3, d, RIGHT_READ, 0, &d) == -EACCES);	/* d lacks DUPLICATE */
	/* Closing a middle node keeps its descendants under the revoker's reach. */
	CHECK(cap_close(&t2, b) == 0);
	CHECK(lookup(&t3, c, 0) == 0);
	CHECK(cap_revoke(&t1, root) == 0);
	CHECK(lookup(&t1, a, 0) == -EBADF && lookup(&t3, c, 0) == -EBADF && lookup(&t3, d, 0) == -EBADF);
	CHECK(lookup(&t1, root, RIGHTS_ALL) == 0);	/* revoke keeps the node itself */
	CHECK(gone == 0);
	CHECK(cap_close(&t1, root) == 0);
	CHECK(gone == 1);
	CHECK(cap_count() == caps_before);
	cap_table_finish(&t1);
	cap_table_finish(&t2);
	cap_table_finish(&t3);
}

/* The badge @h carries in @t, or ~0 when the lookup fails. */
static uint64_t badge_of(struct cap_table *t, handle_t h)
{
	struct kobject *o;
	struct cap_info info;

	if (cap_lookup(t, h, KOBJ_NONE, 0, &o, &info))
		return ~0ull;
	kobj_put(o);
	return info.badge;
}

TEST(badges_set_once_kept_by_copies)
{
	struct cap_table t1, t2;
	int gone = 0;
	handle_t root, minted, copy, sent, moved, x;

	setup();
	uint64_t caps_before = cap_count();
	cap_table_init(&t1, 64);
	cap_table_init(&t2, 64);
	struct kobject *o = new_obj(&gone);
	CHECK(cap_install(&t1, o, RIGHTS_ALL, &root) == 0);
	kobj_put(o);
	CHECK(badge_of(&t1, root) == 0);
	CHECK(cap_derive(&t1, root, RIGHTS_ALL & ~RIGHT_WRITE, 42, &minted) == 0);
	CHECK(badge_of(&t1, minted) == 42 && lookup(&t1, minted, RIGHT_WRITE) == -EACCES);
	CHECK(badge_of(&t1, root) == 0);	/* the source stays unbadged */
	CHECK(cap_derive(&t1, minted, RIGHTS_ALL, 7, &x) == -EPERM);
	CHECK(cap_derive(&t1, minted, RIGHTS_ALL, 0, &copy) == 0 && badge_of(&t1, copy) == 42);
	CHECK(cap_transfer(&t1, copy, &t2, CAP_COPY, RIGHTS_ALL, &sent) == 0);
	CHECK(badge_of(&t2, sent) == 42);
	CHECK(cap_transfer(&t2, sent, &t1, CAP_MOVE, RIGHTS_ALL, &moved) == 0);
	CHECK(badge_of(&t1, moved) == 42);
	/* Revoking the minted capability takes its copies; revoking the source takes it. */
	CHECK(cap_revoke(&t1, minted) == 0);
	CHECK(badge_of(&t1, copy) == ~0ull && badge_of(&t1, moved) == ~0ull);
	CHECK(badge_of(&t1, minted) == 42);
	CHECK(cap_revoke(&t1, root) == 0 && badge_of(&t1, minted) == ~0ull);
	cap_table_finish(&t1);
	cap_table_finish(&t2);
	CHECK(gone == 1);
	CHECK(cap_count() == caps_before);
}

TEST(transfer_move_and_failure_changes_nothing)
{
	struct cap_table from, to, tiny;
	int gone = 0;
	handle_t h, moved, x, fill;

	setup();
	cap_table_init(&from, 64);
	cap_table_init(&to, 64);
	cap_table_init(&tiny, 2);	/* one usable slot (slot 0 is never used) */
	struct kobject *o = new_obj(&gone);
	CHECK(cap_install(&from, o, RIGHT_READ | RIGHT_WRITE | RIGHT_TRANSFER, &h) == 0);
	CHECK(cap_install(&tiny, o, RIGHT_READ, &fill) == 0);
	kobj_put(o);
	CHECK(cap_transfer(&from, h, &tiny, CAP_MOVE, RIGHTS_ALL, &x) == -ENOSPC);
	CHECK(lookup(&from, h, RIGHT_WRITE) == 0);	/* still there, unchanged */
	CHECK(cap_transfer(&from, h, &to, CAP_COPY, RIGHTS_ALL, &x) == -EACCES);	/* no DUPLICATE */
	CHECK(cap_transfer(&from, h, &to, CAP_MOVE, RIGHT_READ | RIGHT_TRANSFER, &moved) == 0);
	CHECK(lookup(&from, h, 0) == -EBADF);
	CHECK(lookup(&to, moved, RIGHT_READ) == 0 && lookup(&to, moved, RIGHT_WRITE) == -EACCES);
	cap_table_finish(&from);
	cap_table_finish(&to);
	CHECK(gone == 0);
	cap_table_finish(&tiny);
	CHECK(gone == 1);
}

TEST(table_limit)
{
	struct cap_table t;
	int gone = 0;
	handle_t h;

	setup();
	cap_table_init(&t, 100);
	struct kobject *o = new_obj(&gone);
	int n = 0;
	while (cap_install(&t, o, RIGHTS_ALL, &h) == 0)
		n++;
	CHECK(n == 99);
	CHECK(cap_install(&t, o, RIGHTS_ALL, &h) == -ENOSPC);
	kobj_put(o);
	cap_table_finish(&t);
	CHECK(gone == 1);
}
