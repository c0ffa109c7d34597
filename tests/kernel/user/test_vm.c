/* Memory objects and address spaces: demand zero, protection, unmapping, bad requests. */
#include "../../../roottask/utest.h"

UTEST(vm_demand_zero_and_readback)
{
	size_t size = 64 * VR_PAGE;
	uint8_t *p = vr_map_anon(size, VR_PROT_READ | VR_PROT_WRITE);

	UCHECK(p, "map failed");
	for (size_t i = 0; i < size; i += 997)
		UCHECK(p[i] == 0, "byte %zu of fresh memory is %d", i, p[i]);
	for (size_t i = 0; i < size; i++)
		p[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < size; i++)
		UCHECK(p[i] == (uint8_t)(i * 7), "byte %zu lost", i);
	UCHECK(vr_unmap(p, size) == 0, "unmap failed");
	return NULL;
}

UTEST(vm_vmo_shared_between_mappings)
{
	handle_t vmo;
	uint64_t a, b;

	UCHECK(vr_vmo_create(2 * VR_PAGE, 0, &vmo) == 0, "vmo_create");
	UCHECK(vr_vm_map(vr_self, vmo, 0, 0, 2 * VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &a) == 0, "map a");
	UCHECK(vr_vm_map(vr_self, vmo, 0, VR_PAGE, VR_PAGE, VR_PROT_READ, &b) == 0, "map b");
	((volatile uint32_t *)(uintptr_t)a)[VR_PAGE / 4] = 0xfeedface;
	UCHECK(*(volatile uint32_t *)(uintptr_t)b == 0xfeedface, "the two mappings disagree");
	char buf[4];
	UCHECK(vr_vmo_read(vmo, buf, VR_PAGE, 4) == 0 && memcmp(buf, "\xce\xfa\xed\xfe", 4) == 0,
	       "vmo_read disagrees");
	vr_vm_unmap(vr_self, a, 2 * VR_PAGE);
	vr_vm_unmap(vr_self, b, VR_PAGE);
	vr_handle_close(vmo);
	return NULL;
}

UTEST(vm_bad_requests)
{
	handle_t vmo;
	uint64_t a;

	UCHECK(vr_vmo_create(0, 0, &vmo) == -VR_EINVAL, "empty VMO");
	UCHECK(vr_vmo_create(1ull << 40, 0, &vmo) == -VR_EINVAL, "1 TiB VMO");
	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo_create");
	UCHECK(vr_vm_map(vr_self, vmo, 0x123, 0, VR_PAGE, VR_PROT_READ, &a) == -VR_EINVAL, "unaligned");
	UCHECK(vr_vm_map(vr_self, vmo, 0, 0, 2 * VR_PAGE, VR_PROT_READ, &a) == -VR_EINVAL, "past the VMO");
	UCHECK(vr_vm_map(vr_self, vmo, 0xffff800000000000ull, 0, VR_PAGE, VR_PROT_READ, &a) == -VR_EINVAL,
	       "kernel address");
	UCHECK(vr_vm_map(vr_self, vmo, 0, 0, VR_PAGE, 0x80, &a) == -VR_EINVAL, "bad protection");
	UCHECK(vr_vm_map(vr_self, vmo, 0x50000000, 0, VR_PAGE, VR_PROT_READ, &a) == 0, "fixed map");
	UCHECK(vr_vm_map(vr_self, vmo, 0x50000000, 0, VR_PAGE, VR_PROT_READ, &a) == -VR_EEXIST, "overlap");
	UCHECK(vr_vm_protect(vr_self, 0x50000000, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE) == 0,
	       "protect within the granted rights");
	UCHECK(vr_vm_protect(vr_self, 0x60000000, VR_PAGE, VR_PROT_READ) == -VR_ENOMEM, "protect a hole");
	vr_vm_unmap(vr_self, 0x50000000, VR_PAGE);
	vr_handle_close(vmo);
	return NULL;
}

static uint64_t write_readonly(uint64_t addr)
{
	*(volatile int *)(uintptr_t)addr = 1;
	return 0;	/* not reached: the write faults */
}

static uint64_t touch_unmapped(uint64_t addr)
{
	return *(volatile uint64_t *)(uintptr_t)addr;
}

UTEST(vm_faults_kill_the_faulting_process)
{
	/* A read-only page: writing it must kill the child with -EFAULT, not the kernel. */
	handle_t child;
	UCHECK(vr_spawn_prepare(&vr_self_image, &child) == 0, "spawn");
	handle_t vmo;
	uint64_t at;
	vr_vmo_create(VR_PAGE, 0, &vmo);
	UCHECK(vr_vm_map(child, vmo, 0x40000000, 0, VR_PAGE, VR_PROT_READ, &at) == 0, "map");
	vr_handle_close(vmo);
	UCHECK(vr_spawn_start(child, write_readonly, 0x40000000) == 0, "start");
	int64_t st = reap(child);
	UCHECK(st == -VR_EFAULT, "writing a read-only page ended with %ld", st);

	child = spawn(touch_unmapped, 0x00007fff00000000ull);
	UCHECK(child, "spawn");
	st = reap(child);
	UCHECK(st == -VR_EFAULT, "reading an unmapped page ended with %ld", st);
	return NULL;
}

static uint64_t read_plus_five(uint64_t addr)
{
	return *(volatile uint64_t *)(uintptr_t)addr + 5;
}

enum answer { ANSWER_AT_ONCE, ANSWER_SAVED };

/*
 * Runs read_plus_five in a child whose faults come to us; answers the first
 * one with @label, at once or through a saved reply.
 */
static const char *handle_one_fault(uint64_t label, enum answer how, int64_t *status)
{
	handle_t child, ep, badged, vmo;
	uint64_t m[8], at;

	UCHECK(vr_endpoint_create(&ep) == 0, "endpoint_create");
	UCHECK(vr_endpoint_mint(ep, 77, ~0ull, &badged) == 0, "endpoint_mint");
	UCHECK(vr_spawn_prepare(&vr_self_image, &child) == 0, "spawn");
	UCHECK(vr_exception_set_handler(child, badged) == 0, "exception_set_handler");
	vr_handle_close(badged);
	UCHECK(vr_spawn_start(child, read_plus_five, 0x50000000) == 0, "start");
	/* The kernel's exception call carries the badge of the handle the handler was set with. */
	int64_t got = vr_ipc_recv(ep, m);
	UCHECK(got == 77, "exception message: badge/status %ld, wanted 77", got);
	UCHECK(VR_TAG_LABEL(m[0]) == VR_EXCEPTION_LABEL && m[1] == VR_EXC_PAGE_FAULT, "tag %#lx kind %lu",
	       m[0], m[1]);
	UCHECK(m[2] == 0x50000000 && (m[4] & VR_PROT_READ), "fault at %#lx access %lu", m[2], m[4]);
	if (label == 0) {
		/* Fix it: put a page holding 37 where the child looked. */
		uint64_t v = 37;
		UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0 && vr_vmo_write(vmo, &v, 0, 8) == 0, "vmo");
		UCHECK(vr_vm_map(child, vmo, 0x50000000, 0, VR_PAGE, VR_PROT_READ, &at) == 0, "map in child");
		vr_handle_close(vmo);
	}
	m[0] = VR_TAG(label, 0);
	if (how == ANSWER_SAVED) {
		handle_t reply;
		UCHECK(vr_ipc_reply_save(&reply) == 0, "reply_save");
		UCHECK(vr_ipc_reply(m) == -VR_EPIPE, "the saved caller was still the current one");
		UCHECK(vr_ipc_reply_to(reply, m) == 0, "reply_to");
	} else {
		UCHECK(vr_ipc_reply(m) == 0, "reply");
	}
	*status = reap(child);
	vr_handle_close(ep);
	return NULL;
}

UTEST(vm_fault_delivered_as_exception_message)
{
	int64_t st = 0;
	const char *err = handle_one_fault(0, ANSWER_AT_ONCE, &st);

	if (err)
		return err;
	UCHECK(st == 42, "the resumed child returned %ld, not 37 + 5", st);
	err = handle_one_fault(1, ANSWER_AT_ONCE, &st);
	if (err)
		return err;
	UCHECK(st == -VR_EFAULT, "the refused child ended with %ld", st);
	return NULL;
}

/* An exception call answered through a saved reply reaches the kernel, not the registers. */
UTEST(vm_fault_answered_through_saved_reply)
{
	int64_t st = 0;
	const char *err = handle_one_fault(0, ANSWER_SAVED, &st);

	if (err)
		return err;
	UCHECK(st == 42, "the resumed child returned %ld, not 37 + 5", st);
	err = handle_one_fault(1, ANSWER_SAVED, &st);
	if (err)
		return err;
	UCHECK(st == -VR_EFAULT, "the refused child ended with %ld", st);
	return NULL;
}

/* Process handle 0 names the caller's own address space for vm_map, vm_unmap, vm_protect. */
UTEST(vm_own_address_space_by_handle_0)
{
	handle_t v;
	uint64_t addr = 0;

	UCHECK(vr_vmo_create(2 * VR_PAGE, 0, &v) == 0, "vmo_create");
	UCHECK(vr_vm_map(0, v, 0, 0, 2 * VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &addr) == 0, "map");
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)addr;
	p[0] = 0x1234;
	p[VR_PAGE / 8] = 0x5678;
	UCHECK(p[0] == 0x1234 && p[VR_PAGE / 8] == 0x5678, "readback");
	UCHECK(vr_vm_protect(0, addr, VR_PAGE, VR_PROT_READ) == 0, "protect");
	UCHECK(p[0] == 0x1234, "read after protect");
	UCHECK(vr_vm_unmap(0, addr, 2 * VR_PAGE) == 0, "unmap");
	UCHECK(vr_vm_unmap(0x5a5a5a5a5a5a5a5aull, addr, VR_PAGE) == -VR_EBADF, "forged process handle");
	vr_handle_close(v);
	return NULL;
}

/*
 * vm_protect's downgrades and other CPUs' TLBs: a child writes 1, 2, 3, ...
 * into a page from CPU 1 while a thread of it on CPU 2 keeps changing the
 * protection of a page of its own (shootdowns aimed at CPU 1 from two sides);
 * we make the page read-only under the writer again and again.
 */
#define TLB_PAGE 0x50000000ull
#define TLB_ROUNDS 64

static uint64_t tlb_writer(uint64_t addr)
{
	volatile uint64_t *word = (volatile uint64_t *)(uintptr_t)addr;

	for (uint64_t i = 1;; i++)
		*word = i;
	return 0;
}

static uint64_t tlb_noise(uint64_t unused)
{
	uint64_t page = (uint64_t)(uintptr_t)vr_map_anon(VR_PAGE, VR_PROT_READ | VR_PROT_WRITE);

	(void)unused;
	for (unsigned i = 0;; i++)
		vr_vm_protect(0, page, VR_PAGE, i % 2 ? VR_PROT_READ : VR_PROT_READ | VR_PROT_WRITE);
	return 0;
}

static uint64_t tlb_child(uint64_t ncpus)
{
	handle_t noise, writer;
	uint64_t st;

	if (vr_thread_create_on(tlb_noise, 0, (int)(2 % ncpus), &noise) || vr_thread_start(noise))
		return 1;
	if (vr_thread_create_on(tlb_writer, TLB_PAGE, (int)(1 % ncpus), &writer) ||
	    vr_thread_start(writer))
		return 2;
	vr_thread_wait(writer, &st);	/* never returns: the test kills us */
	return 3;
}

/*
 * The rounds: the page writable and written, then read-only; no write may
 * land once vm_protect returned, and the writer's next one must fault.
 */
static const char *tlb_rounds(handle_t child, handle_t ep, volatile uint64_t *word)
{
	uint64_t m[8];

	for (int round = 0; round < TLB_ROUNDS; round++) {
		/* The writer is writing: its CPU holds a writable TLB entry for the page. */
		uint64_t before = *word;
		while (*word == before)
			vr_thread_yield();
		UCHECK(vr_vm_protect(child, TLB_PAGE, VR_PAGE, VR_PROT_READ) == 0, "protect read-only");
		uint64_t last = *word;
		int64_t got = vr_ipc_recv(ep, m);
		UCHECK(got >= 0 && VR_TAG_LABEL(m[0]) == VR_EXCEPTION_LABEL && m[1] == VR_EXC_PAGE_FAULT,
		       "round %d: no page fault (status %ld tag %#lx)", round, got, m[0]);
		UCHECK(m[2] == TLB_PAGE && (m[4] & VR_PROT_WRITE), "round %d: fault at %#lx access %lu",
		       round, m[2], m[4]);
		uint64_t now = *word;
		UCHECK(now == last, "round %d: %lu writes landed after vm_protect returned", round,
		       now - last);
		UCHECK(vr_vm_protect(child, TLB_PAGE, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE) == 0,
		       "protect writable");
		m[0] = VR_TAG(0, 0);
		UCHECK(vr_ipc_reply(m) == 0, "reply");
	}
	return NULL;
}

UTEST(vm_protect_downgrade_stops_other_cpus)
{
	handle_t child, ep, vmo;
	uint64_t at, mine;

	UCHECK(vr_endpoint_create(&ep) == 0, "endpoint_create");
	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo_create");
	UCHECK(vr_vm_map(vr_self, vmo, 0, 0, VR_PAGE, VR_PROT_READ, &mine) == 0, "map here");
	UCHECK(vr_spawn_prepare(&vr_self_image, &child) == 0, "spawn");
	UCHECK(vr_vm_map(child, vmo, TLB_PAGE, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at) == 0,
	       "map in child");
	vr_handle_close(vmo);
	UCHECK(vr_exception_set_handler(child, ep) == 0, "exception_set_handler");
	UCHECK(vr_spawn_start(child, tlb_child, info(INFO_CPUS)) == 0, "start");
	const char *err = tlb_rounds(child, ep, (volatile uint64_t *)(uintptr_t)mine);
	vr_process_kill(child, 0);
	reap(child);
	vr_handle_close(ep);
	vr_vm_unmap(vr_self, mine, VR_PAGE);
	return err;
}

/* The first bytes of each page of [at, at + len), as a number per page. */
static uint32_t page_word(uint64_t at, unsigned page)
{
	return *(volatile uint32_t *)(uintptr_t)(at + (uint64_t)page * VR_PAGE);
}

UTEST(vm_remap_moves_and_grows_without_copying)
{
	handle_t vmo, mem;
	uint64_t a = 0x51000000, b = 0x52000000, at;

	UCHECK(vr_vmo_create(4 * VR_PAGE, 0, &vmo) == 0, "vmo_create");
	for (uint32_t i = 0; i < 4; i++)
		UCHECK(vr_vmo_write(vmo, &(uint32_t){0xa0 + i}, i * VR_PAGE, 4) == 0, "vmo_write");
	UCHECK(vr_vm_map(0, vmo, a, 0, 2 * VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at) == 0, "map");
	UCHECK(page_word(a, 1) == 0xa1, "mapped");
	/* Moved: the same VMO at the new place (a write there is the VMO's), nothing at the old. */
	UCHECK(vr_vm_remap(0, a, 2 * VR_PAGE, b, 2 * VR_PAGE, &at) == 0 && at == b, "move");
	*(volatile uint32_t *)(uintptr_t)b = 0xb0;
	uint32_t w = 0;
	UCHECK(vr_vmo_read(vmo, &w, 0, 4) == 0 && w == 0xb0, "the moved mapping is not the VMO's");
	UCHECK(page_word(b, 1) == 0xa1, "the moved mapping lost a page");
	UCHECK(vr_vm_protect(0, a, VR_PAGE, VR_PROT_READ) == -VR_ENOMEM, "the old range is still mapped");
	/* Grown in place with more of the VMO, and not past it. */
	UCHECK(vr_vm_remap(0, b, 2 * VR_PAGE, b, 4 * VR_PAGE, &at) == 0 && at == b, "grow in place");
	UCHECK(page_word(b, 3) == 0xa3, "the growth is not the VMO's next pages");
	UCHECK(vr_vm_remap(0, b, 4 * VR_PAGE, b, 5 * VR_PAGE, &at) == -VR_ENXIO, "growth past the VMO");
	/* Bad requests change nothing. */
	UCHECK(vr_vm_remap(0, b + 1, VR_PAGE, 0, 2 * VR_PAGE, &at) == -VR_EINVAL, "unaligned");
	UCHECK(vr_vm_remap(0, b, 2 * VR_PAGE, b, VR_PAGE, &at) == -VR_EINVAL, "shorter");
	UCHECK(vr_vm_remap(0, a, VR_PAGE, 0, VR_PAGE, &at) == -VR_EFAULT, "an unmapped range");
	UCHECK(vr_vm_remap(0, b, 2 * VR_PAGE, b, 3 * VR_PAGE, &at) == -VR_EEXIST,
	       "growth into the rest of the mapping");
	UCHECK(vr_vm_remap(0, b, 2 * VR_PAGE, b + VR_PAGE, 2 * VR_PAGE, &at) == -VR_EINVAL,
	       "a move onto the old range");
	UCHECK(vr_vm_remap(0x5a5a5a5a5a5a5a5aull, b, VR_PAGE, 0, VR_PAGE, &at) == -VR_EBADF,
	       "forged process handle");
	UCHECK(page_word(b, 0) == 0xb0 && page_word(b, 3) == 0xa3, "a bad request changed the mapping");
	/* A copy-on-write view grows by a view of the same VMO: it reads on from where it ended. */
	UCHECK(vr_vm_map(0, vmo, a, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_COW, &at) == 0,
	       "map a view");
	*(volatile uint32_t *)(uintptr_t)a = 0xc0;
	UCHECK(vr_vm_remap(0, a, VR_PAGE, 0, 3 * VR_PAGE, &at) == 0 && at != a, "move and grow a view");
	UCHECK(page_word(at, 0) == 0xc0 && page_word(at, 2) == 0xa2, "the grown view");
	UCHECK(page_word(b, 0) == 0xb0, "a view's write reached the VMO");
	UCHECK(vr_vm_unmap(0, at, 3 * VR_PAGE) == 0, "unmap the view");
	/* Anonymous memory grows by fresh zeroed memory, not by what its VMO has past the mapping. */
	UCHECK(vr_vm_unmap(0, b + 2 * VR_PAGE, 2 * VR_PAGE) == 0, "unmap a tail");
	UCHECK(vr_vm_unmap(0, b, 2 * VR_PAGE) == 0, "unmap");
	UCHECK(vr_vm_map(0, vmo, b, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_ANON, &at) == 0,
	       "map as anonymous memory");
	UCHECK(vr_vm_remap(0, b, VR_PAGE, b, 3 * VR_PAGE, &at) == 0 && at == b, "grow anonymous memory");
	UCHECK(page_word(b, 0) == 0xb0 && page_word(b, 1) == 0 && page_word(b, 2) == 0,
	       "anonymous growth is not zeros");
	*(volatile uint32_t *)(uintptr_t)(b + VR_PAGE) = 0xd1;
	UCHECK(vr_vmo_read(vmo, &w, VR_PAGE, 4) == 0 && w == 0xa1, "anonymous growth wrote the VMO");
	UCHECK(vr_vm_unmap(0, b, 3 * VR_PAGE) == 0, "unmap");
	UCHECK(vr_vmo_create(VR_PAGE, 0, &mem) == 0, "vmo_create");
	UCHECK(vr_vm_map(0, mem, 0, 0, VR_PAGE, VR_PROT_READ | VR_MAP_COW | VR_MAP_ANON, &at) ==
		       -VR_EINVAL,
	       "a view as anonymous memory");
	vr_handle_close(mem);
	vr_handle_close(vmo);
	return NULL;
}

UTEST(vm_file_mapping_has_no_page_past_eof)
{
	handle_t vmo, other, ro;
	uint64_t a = 0x53000000, at;
	uint32_t w;

	UCHECK(vr_vmo_create(4 * VR_PAGE, 0, &vmo) == 0 && vr_vmo_create(VR_PAGE, 0, &other) == 0,
	       "vmo_create");
	UCHECK(vr_vmo_set_eof(vmo, VR_PAGE + 1) == 0, "vmo_set_eof");
	uint64_t prot = VR_PROT_READ | VR_PROT_WRITE | VR_MAP_SHARED | VR_MAP_FILE;
	UCHECK(vr_vm_map(0, vmo, a, 0, 4 * VR_PAGE, prot, &at) == 0, "map");
	*(volatile uint32_t *)(uintptr_t)(a + VR_PAGE) = 0xe1;
	UCHECK(page_word(a, 1) == 0xe1, "the page holding the end");
	/* The kernel's copies from and to a page past the end fail as faults would. */
	UCHECK(vr_vmo_write(other, (void *)(uintptr_t)(a + 2 * VR_PAGE), 0, 4) == -VR_EFAULT,
	       "a copy from past the end");
	UCHECK(vr_vmo_read(other, (void *)(uintptr_t)(a + 3 * VR_PAGE), 0, 4) == -VR_EFAULT,
	       "a copy to past the end");
	/* A copy-on-write view of the file is cut at the same end. */
	UCHECK(vr_vm_map(0, vmo, a + 4 * VR_PAGE, 0, 3 * VR_PAGE, VR_PROT_READ | VR_MAP_COW | VR_MAP_FILE,
			 &at) == 0,
	       "map a view");
	UCHECK(page_word(a + 4 * VR_PAGE, 1) == 0xe1, "the view's page holding the end");
	UCHECK(vr_vmo_write(other, (void *)(uintptr_t)(a + 6 * VR_PAGE), 0, 4) == -VR_EFAULT,
	       "a copy from the view past the end");
	/* The file grows: the pages are there, in both. */
	UCHECK(vr_vmo_set_eof(vmo, 4 * VR_PAGE) == 0, "vmo_set_eof grows");
	UCHECK(vr_vmo_write(other, (void *)(uintptr_t)(a + 2 * VR_PAGE), 0, 4) == 0 &&
		       vr_vmo_write(other, (void *)(uintptr_t)(a + 6 * VR_PAGE), 0, 4) == 0,
	       "the pages inside the grown file");
	/* Only the holder of WRITE tells the size; views are no file. */
	UCHECK(vr_handle_derive(vmo, VR_RIGHT_READ | VR_RIGHT_MAP, &ro) == 0, "derive");
	UCHECK(vr_vmo_set_eof(ro, 0) == -VR_EACCES, "vmo_set_eof without WRITE");
	UCHECK(vr_vmo_set_eof(0x5a5a5a5a5a5a5a5aull, 0) == -VR_EBADF, "forged handle");
	UCHECK(vr_vmo_read(vmo, &w, VR_PAGE, 4) == 0 && w == 0xe1, "the VMO's bytes");
	vr_vm_unmap(0, a, 7 * VR_PAGE);
	vr_handle_close(ro);
	vr_handle_close(other);
	vr_handle_close(vmo);
	return NULL;
}

/* Whether the kernel can copy a word from @va (a fault would be there too: page_of). */
static bool readable(handle_t scratch, uint64_t va)
{
	return vr_vmo_write(scratch, (void *)(uintptr_t)va, 0, 4) == 0;
}

/*
 * A file that shrinks takes the pages past its new end out of the mappings
 * that had them already (shared ones at any offset and copy-on-write views,
 * read or written), so their next access faults, and grows back to them.
 */
UTEST(vm_file_shrink_drops_mapped_pages_past_eof)
{
	handle_t vmo, scratch;
	uint64_t a = 0x54000000, at;
	uint64_t shared = VR_PROT_READ | VR_PROT_WRITE | VR_MAP_SHARED | VR_MAP_FILE;

	UCHECK(vr_vmo_create(4 * VR_PAGE, 0, &vmo) == 0 && vr_vmo_create(VR_PAGE, 0, &scratch) == 0,
	       "vmo_create");
	UCHECK(vr_vmo_set_eof(vmo, 4 * VR_PAGE) == 0, "vmo_set_eof");
	UCHECK(vr_vm_map(0, vmo, a, 0, 4 * VR_PAGE, shared, &at) == 0, "map");
	UCHECK(vr_vm_map(0, vmo, a + 4 * VR_PAGE, 0, 4 * VR_PAGE,
			 VR_PROT_READ | VR_PROT_WRITE | VR_MAP_COW | VR_MAP_FILE, &at) == 0,
	       "map a view");
	UCHECK(vr_vm_map(0, vmo, a + 8 * VR_PAGE, 2 * VR_PAGE, 2 * VR_PAGE, shared, &at) == 0,
	       "map the tail again");
	for (uint32_t i = 0; i < 4; i++)
		*(volatile uint32_t *)(uintptr_t)(a + i * VR_PAGE) = 0xf0 + i;
	/* Every page present: read through the view and the second mapping, one view page written. */
	UCHECK(page_word(a + 4 * VR_PAGE, 2) == 0xf2 && page_word(a + 8 * VR_PAGE, 1) == 0xf3,
	       "the pages through the view and the second mapping");
	*(volatile uint32_t *)(uintptr_t)(a + 7 * VR_PAGE) = 0xc3;
	UCHECK(readable(scratch, a + 3 * VR_PAGE) && readable(scratch, a + 7 * VR_PAGE), "mapped");
	/* The end moves into page 1: pages 2 and 3 go from every mapping, page 1 stays. */
	UCHECK(vr_vmo_set_eof(vmo, VR_PAGE + 1) == 0, "vmo_set_eof shrinks");
	UCHECK(readable(scratch, a + VR_PAGE) && readable(scratch, a + 5 * VR_PAGE), "the page holding the end");
	UCHECK(!readable(scratch, a + 2 * VR_PAGE) && !readable(scratch, a + 3 * VR_PAGE),
	       "a shared mapping's page past the new end is still there");
	UCHECK(!readable(scratch, a + 6 * VR_PAGE) && !readable(scratch, a + 7 * VR_PAGE),
	       "a view's page past the new end is still there");
	UCHECK(!readable(scratch, a + 8 * VR_PAGE) && !readable(scratch, a + 9 * VR_PAGE),
	       "the second mapping's pages past the new end are still there");
	UCHECK(page_word(a, 1) == 0xf1, "the page holding the end");
	/* Grown again: the pages are back (the VMO kept them: a file server zeroes them). */
	UCHECK(vr_vmo_set_eof(vmo, 4 * VR_PAGE) == 0, "vmo_set_eof grows");
	UCHECK(page_word(a, 3) == 0xf3 && page_word(a + 8 * VR_PAGE, 1) == 0xf3 &&
		       page_word(a + 4 * VR_PAGE, 3) == 0xc3,
	       "the pages after growing again");
	vr_vm_unmap(0, a, 10 * VR_PAGE);
	vr_handle_close(scratch);
	vr_handle_close(vmo);
	return NULL;
}

/*
 * vm_remap_keep moves mappings and leaves one at the old range: private
 * anonymous memory fresh zeros, a view a fresh view of its backing, a shared
 * mapping the same VMO; VR_REMAP_SHARED refuses anything else; bad requests
 * change nothing.
 */
UTEST(vm_remap_keep_leaves_a_mapping_behind)
{
	handle_t vmo, mem;
	uint64_t a = 0x55000000, at;

	UCHECK(vr_vmo_create(2 * VR_PAGE, 0, &vmo) == 0 && vr_vmo_create(VR_PAGE, 0, &mem) == 0, "vmo_create");
	UCHECK(vr_vmo_write(vmo, &(uint32_t){0x71}, VR_PAGE, 4) == 0, "vmo_write");
	UCHECK(vr_vm_map(0, mem, a, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_ANON, &at) == 0,
	       "map anonymous memory");
	UCHECK(vr_vm_map(0, vmo, a + VR_PAGE, VR_PAGE, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_COW, &at) == 0,
	       "map a view");
	*(volatile uint32_t *)(uintptr_t)a = 0xa0;
	*(volatile uint32_t *)(uintptr_t)(a + VR_PAGE) = 0xc1;
	UCHECK(vr_vm_remap_keep(0, a, 2 * VR_PAGE, 0, VR_REMAP_SHARED, &at) == -VR_EINVAL,
	       "VR_REMAP_SHARED of private mappings");
	UCHECK(vr_vm_remap_keep(0, a, 2 * VR_PAGE, a, 0, &at) == -VR_EINVAL, "kept in place");
	UCHECK(vr_vm_remap_keep(0, a, 2 * VR_PAGE, 0, 2, &at) == -VR_EINVAL, "an unknown flag");
	UCHECK(vr_vm_remap_keep(0, a, 3 * VR_PAGE, 0, 0, &at) == -VR_EFAULT, "a range not all mapped");
	UCHECK(vr_vm_remap_keep(0x5a5a5a5a5a5a5a5aull, a, VR_PAGE, 0, 0, &at) == -VR_EBADF, "forged handle");
	UCHECK(page_word(a, 0) == 0xa0 && page_word(a, 1) == 0xc1, "a bad request changed the mappings");
	UCHECK(vr_vm_remap_keep(0, a, 2 * VR_PAGE, 0, 0, &at) == 0 && at != a, "remap_keep");
	UCHECK(page_word(at, 0) == 0xa0 && page_word(at, 1) == 0xc1, "the moved pages");
	UCHECK(page_word(a, 0) == 0 && page_word(a, 1) == 0x71,
	       "the old range is not fresh memory and a fresh view of the file");
	*(volatile uint32_t *)(uintptr_t)a = 0xb0;
	UCHECK(page_word(at, 0) == 0xa0, "the fresh memory is the moved memory");
	UCHECK(vr_vm_unmap(0, at, 2 * VR_PAGE) == 0 && vr_vm_unmap(0, a, 2 * VR_PAGE) == 0, "unmap");
	/* Shared: both ranges are the same pages. */
	UCHECK(vr_vm_map(0, vmo, a, 0, 2 * VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_SHARED, &at) == 0,
	       "map shared");
	UCHECK(vr_vm_remap_keep(0, a, 2 * VR_PAGE, 0, VR_REMAP_SHARED, &at) == 0 && at != a,
	       "remap_keep shared");
	*(volatile uint32_t *)(uintptr_t)(at + VR_PAGE) = 0x72;
	UCHECK(page_word(a, 1) == 0x72, "the old range is not the same pages");
	UCHECK(vr_vm_unmap(0, at, 2 * VR_PAGE) == 0 && vr_vm_unmap(0, a, 2 * VR_PAGE) == 0, "unmap");
	vr_handle_close(mem);
	vr_handle_close(vmo);
	return NULL;
}

#define SPARSE_SIZE (1ull << 30) /* the largest VMO */
#define SPARSE_SPOTS 32

/* Scattered page offsets over a VMO of SPARSE_SIZE, each in a 2 MiB stretch of its own. */
static uint64_t sparse_spot(unsigned i)
{
	return i * (SPARSE_SIZE / SPARSE_SPOTS) + (i * 7919ull % 256) * VR_PAGE;
}

static uint64_t sparse_child(uint64_t at)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)at;

	for (unsigned i = 0; i < SPARSE_SPOTS; i++)
		if (p[sparse_spot(i) / 8] != sparse_spot(i) + 1)
			return 1 + i;
	for (unsigned i = 0; i < SPARSE_SPOTS; i++)
		p[sparse_spot(i) / 8] = 7;
	return 0;
}

/*
 * Memory of the largest VMO, written at 32 scattered pages, costs about a
 * frame for each page, its page table and its leaf of the VMO's page index
 * (3 a page), not a word for every page of its size (2 MiB); a fork shares it
 * copy-on-write, and the child's writes stay the child's.
 */
UTEST(vm_sparse_vmo_mapped_at_scattered_offsets)
{
	uint64_t free0 = info(INFO_FREE_FRAMES);
	volatile uint64_t *p = vr_map_anon(SPARSE_SIZE, VR_PROT_READ | VR_PROT_WRITE);

	UCHECK(p, "map 1 GiB");
	for (unsigned i = 0; i < SPARSE_SPOTS; i++)
		p[sparse_spot(i) / 8] = sparse_spot(i) + 1;
	uint64_t used = free0 - info(INFO_FREE_FRAMES);
	UCHECK(used <= 4 * SPARSE_SPOTS + 16, "%u pages written cost %llu frames", SPARSE_SPOTS,
	       (unsigned long long)used);
	handle_t c = fork_run(sparse_child, (uint64_t)(uintptr_t)p);
	UCHECK(c, "fork");
	int64_t status = reap(c);
	UCHECK(status == 0, "the child found spot %lld wrong", (long long)status - 1);
	for (unsigned i = 0; i < SPARSE_SPOTS; i++)
		UCHECK(p[sparse_spot(i) / 8] == sparse_spot(i) + 1,
		       "the child's write reached spot %u", i);
	UCHECK(p[SPARSE_SIZE / 16] == 0, "an untouched page is not zeros");
	UCHECK(vr_unmap((void *)p, SPARSE_SIZE) == 0, "unmap");
	return NULL;
}

#define SHRINK_SIZE (64ull << 20)
#define SHRINK_END ((20ull << 20) + 1) /* in the page at 20 MiB */
#define SHRINK_CHILDREN 2

/* [0]: the go; [1 + i]: child i has its pages mapped. */
static volatile uint64_t *shrink_chan;

static uint64_t shrink_child(uint64_t i)
{
	/* The file's mapping, and the child's copy of the parent's view. */
	uint64_t shared = 0x58000000, view = shared + SHRINK_SIZE, bad = 0;
	handle_t scratch;

	for (uint64_t off = 0; off < SHRINK_SIZE; off += 4ull << 20)
		if (page_word(shared, (unsigned)(off / VR_PAGE)) != off + 1 ||
		    page_word(view, (unsigned)(off / VR_PAGE)) != off + 1)
			bad = 1;
	if (vr_vmo_create(VR_PAGE, 0, &scratch) != 0)
		bad = 2;
	/* Ready either way, so that the parent never waits for a child that gave up. */
	__atomic_store_n(&shrink_chan[1 + i], 1, __ATOMIC_RELEASE);
	if (bad)
		return bad;
	while (!__atomic_load_n(&shrink_chan[0], __ATOMIC_ACQUIRE))
		vr_thread_yield();
	for (uint64_t off = 0; off < SHRINK_SIZE; off += 4ull << 20) {
		bool in = off < SHRINK_END;
		if (readable(scratch, shared + off) != in || readable(scratch, view + off) != in)
			return 3 + off / (4ull << 20);
	}
	return 0;
}

/*
 * A file's shrink reaches its mappings in every process: here a shared
 * mapping and a view in the parent and in two forked children (whose
 * mappings the fork made), with pages mapped every 4 MiB of 64. Each drops
 * exactly the pages wholly past the new end.
 */
UTEST(vm_file_shrink_reaches_every_process)
{
	handle_t vmo, ch, scratch, c[SHRINK_CHILDREN];
	uint64_t shared = 0x58000000, view = shared + SHRINK_SIZE, at;

	UCHECK(vr_vmo_create(SHRINK_SIZE, 0, &vmo) == 0 && vr_vmo_create(VR_PAGE, 0, &ch) == 0 &&
		   vr_vmo_create(VR_PAGE, 0, &scratch) == 0,
	       "vmo_create");
	UCHECK(vr_vm_map(0, ch, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_SHARED, &at) ==
		   0,
	       "map");
	shrink_chan = (volatile uint64_t *)(uintptr_t)at;
	UCHECK(vr_vmo_set_eof(vmo, SHRINK_SIZE) == 0, "vmo_set_eof");
	UCHECK(vr_vm_map(0, vmo, shared, 0, SHRINK_SIZE,
			 VR_PROT_READ | VR_PROT_WRITE | VR_MAP_SHARED | VR_MAP_FILE, &at) == 0,
	       "map the file");
	UCHECK(vr_vm_map(0, vmo, view, 0, SHRINK_SIZE, VR_PROT_READ | VR_MAP_COW | VR_MAP_FILE,
			 &at) == 0,
	       "map a view");
	for (uint64_t off = 0; off < SHRINK_SIZE; off += 4ull << 20)
		*(volatile uint32_t *)(uintptr_t)(shared + off) = (uint32_t)(off + 1);
	for (uint64_t off = 0; off < SHRINK_SIZE; off += 4ull << 20)
		UCHECK(page_word(view, (unsigned)(off / VR_PAGE)) == off + 1, "the view at %llu",
		       (unsigned long long)off);
	for (uint64_t i = 0; i < SHRINK_CHILDREN; i++) {
		if ((c[i] = fork_run(shrink_child, i)) == 0) {
			/* The children forked before must not wait for ever. */
			__atomic_store_n(&shrink_chan[0], 1, __ATOMIC_RELEASE);
			return utest_fail("fork");
		}
		while (!__atomic_load_n(&shrink_chan[1 + i], __ATOMIC_ACQUIRE))
			vr_thread_yield();
	}
	UCHECK(vr_vmo_set_eof(vmo, SHRINK_END) == 0, "vmo_set_eof shrinks");
	__atomic_store_n(&shrink_chan[0], 1, __ATOMIC_RELEASE);
	for (uint64_t off = 0; off < SHRINK_SIZE; off += 4ull << 20) {
		bool in = off < SHRINK_END;
		UCHECK(readable(scratch, shared + off) == in && readable(scratch, view + off) == in,
		       "the parent's page at %llu MiB: %s", (unsigned long long)(off >> 20),
		       in ? "gone" : "still there");
	}
	for (unsigned i = 0; i < SHRINK_CHILDREN; i++) {
		int64_t status = reap(c[i]);
		UCHECK(status == 0, "child %u: %lld", i, (long long)status);
	}
	vr_vm_unmap(0, shared, 2 * SHRINK_SIZE);
	vr_vm_unmap(0, (uint64_t)(uintptr_t)shrink_chan, VR_PAGE);
	vr_handle_close(scratch);
	vr_handle_close(ch);
	vr_handle_close(vmo);
	return NULL;
}

#define DISCARD_PAGES 64

/* [0]: the parent has discarded; [1]: the child is ready. */
static volatile uint64_t *discard_chan;

/*
 * A fork's child: its copy of the parent's page at @at reads 0x11 before and
 * after the parent's discard; then it discards its own.
 */
static uint64_t discard_child(uint64_t at)
{
	volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)at;
	uint64_t bad = *w != 0x11;

	__atomic_store_n(&discard_chan[1], 1, __ATOMIC_RELEASE);
	while (!bad && !__atomic_load_n(&discard_chan[0], __ATOMIC_ACQUIRE))
		vr_thread_yield();
	if (bad || *w != 0x11)
		return 1;
	/* The child's own discard: zeros here, nothing changed in the parent (it checks). */
	if (vr_vm_discard(0, at, VR_PAGE) != 0 || *w != 0)
		return 2;
	return 0;
}

/*
 * vm_discard (madvise's MADV_DONTNEED): private anonymous memory gives its
 * frames back and reads zeros; a view reads its VMO again; shared memory
 * and a VMO a handle names keep their pages; a fork's other side keeps its
 * copy; bad requests fail and change nothing.
 */
UTEST(vm_discard_gives_pages_back)
{
	size_t size = DISCARD_PAGES * VR_PAGE;
	volatile uint8_t *p = vr_map_anon(size, VR_PROT_READ | VR_PROT_WRITE);
	uint64_t a = (uint64_t)(uintptr_t)p, at;
	handle_t vmo;

	UCHECK(p, "map");
	for (size_t i = 0; i < size; i += VR_PAGE)
		p[i + 5] = (uint8_t)(1 + i / VR_PAGE);
	/* Bad requests fail and change nothing. */
	UCHECK(vr_vm_discard(0, a + 1, VR_PAGE) == -VR_EINVAL, "unaligned address");
	UCHECK(vr_vm_discard(0, a, 1) == -VR_EINVAL, "unaligned length");
	UCHECK(vr_vm_discard(0, a, -VR_PAGE) == -VR_EINVAL, "a range past the end of memory");
	UCHECK(vr_vm_discard(0, 0xffff800000000000ull, VR_PAGE) == -VR_ENOMEM, "kernel address");
	UCHECK(vr_vm_discard(0, 0x5f000000, 0) == 0, "length 0");
	UCHECK(vr_vm_discard(0x5a5a5a5a5a5a5a5aull, a, VR_PAGE) == -VR_EBADF, "forged handle");
	for (size_t i = 0; i < size; i += VR_PAGE)
		UCHECK(p[i + 5] == (uint8_t)(1 + i / VR_PAGE), "a bad request changed page %zu",
		       i / VR_PAGE);
	/* One page in the middle: only it reads zeros. */
	UCHECK(vr_vm_discard(0, a + VR_PAGE, VR_PAGE) == 0, "discard a page");
	UCHECK(p[5] == 1 && p[VR_PAGE + 5] == 0 && p[2 * VR_PAGE + 5] == 3, "discard one page");
	/* All of it: the frames go back, and the memory is zeros and writable. */
	uint64_t free0 = info(INFO_FREE_FRAMES);
	UCHECK(vr_vm_discard(0, a, size) == 0, "discard");
	uint64_t freed = info(INFO_FREE_FRAMES) - free0;
	UCHECK(freed >= DISCARD_PAGES - 1 - 4, "discarding %u pages freed %llu frames",
	       DISCARD_PAGES - 1, (unsigned long long)freed);
	for (size_t i = 0; i < size; i += 512)
		UCHECK(p[i] == 0, "byte %zu is not zero after the discard", i);
	p[7] = 7;
	UCHECK(p[7] == 7, "written after the discard");
	/*
	 * A fork's child keeps its copy when the parent discards, and the parent
	 * keeps its own when the child discards (the frames are shared until then).
	 */
	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo_create");
	UCHECK(vr_vm_map(0, vmo, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_SHARED,
			 &at) == 0,
	       "map the channel");
	vr_handle_close(vmo);
	discard_chan = (volatile uint64_t *)(uintptr_t)at;
	*(volatile uint32_t *)p = 0x11;
	*(volatile uint32_t *)(p + VR_PAGE) = 0x11;
	handle_t c = fork_run(discard_child, a);
	UCHECK(c, "fork");
	while (!__atomic_load_n(&discard_chan[1], __ATOMIC_ACQUIRE))
		vr_thread_yield();
	int64_t discarded = vr_vm_discard(0, a, VR_PAGE);
	__atomic_store_n(&discard_chan[0], 1, __ATOMIC_RELEASE);
	int64_t status = reap(c);
	UCHECK(discarded == 0 && *(volatile uint32_t *)p == 0, "the parent's discard");
	UCHECK(status == 0, "the parent's discard reached the child (%lld)", (long long)status);
	discard_chan[1] = 0;
	UCHECK((c = fork_run(discard_child, a + VR_PAGE)) != 0, "fork");
	status = reap(c);
	UCHECK(status == 0, "the child: %lld", (long long)status);
	UCHECK(*(volatile uint32_t *)(p + VR_PAGE) == 0x11,
	       "the child's discard reached the parent");
	UCHECK(vr_vm_unmap(0, at, VR_PAGE) == 0, "unmap the channel");
	UCHECK(vr_unmap((void *)p, size) == 0, "unmap");
	return NULL;
}

/*
 * What a discard keeps: shared memory and a private mapping of a VMO a
 * handle names keep their pages (the next touch faults them in again); a
 * copy-on-write view drops its copies and reads its VMO again.
 */
UTEST(vm_discard_keeps_shared_pages)
{
	handle_t vmo;
	uint64_t a = 0x5e000000, at;
	uint32_t w = 0;

	UCHECK(vr_vmo_create(2 * VR_PAGE, 0, &vmo) == 0, "vmo_create");
	UCHECK(vr_vmo_write(vmo, &(uint32_t){0x81}, VR_PAGE, 4) == 0, "vmo_write");
	UCHECK(vr_vm_map(0, vmo, a, 0, 2 * VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_SHARED,
			 &at) == 0,
	       "map shared");
	UCHECK(vr_vm_map(0, vmo, a + 2 * VR_PAGE, 0, 2 * VR_PAGE, VR_PROT_READ | VR_PROT_WRITE,
			 &at) == 0,
	       "map private");
	UCHECK(vr_vm_map(0, vmo, a + 4 * VR_PAGE, 0, 2 * VR_PAGE,
			 VR_PROT_READ | VR_PROT_WRITE | VR_MAP_COW, &at) == 0,
	       "map a view");
	*(volatile uint32_t *)(uintptr_t)a = 0x80;
	UCHECK(page_word(a, 3) == 0x81 && page_word(a, 5) == 0x81, "mapped");
	*(volatile uint32_t *)(uintptr_t)(a + 5 * VR_PAGE) = 0xc5;
	*(volatile uint32_t *)(uintptr_t)(a + 4 * VR_PAGE) = 0xc4;
	/* A range with a hole (as Linux: ENOMEM) changes nothing. */
	UCHECK(vr_vm_discard(0, a, 7 * VR_PAGE) == -VR_ENOMEM, "a range with a hole");
	UCHECK(page_word(a, 4) == 0xc4 && page_word(a, 5) == 0xc5,
	       "a bad request changed the view");
	uint64_t free0 = info(INFO_FREE_FRAMES);
	UCHECK(vr_vm_discard(0, a, 6 * VR_PAGE) == 0, "discard");
	UCHECK(info(INFO_FREE_FRAMES) >= free0 + 2, "the view's two copies were not freed");
	UCHECK(page_word(a, 0) == 0x80 && page_word(a, 1) == 0x81,
	       "the shared mapping lost its pages");
	UCHECK(page_word(a, 2) == 0x80 && page_word(a, 3) == 0x81,
	       "the handle's VMO lost its pages");
	UCHECK(page_word(a, 4) == 0x80 && page_word(a, 5) == 0x81,
	       "the view did not read its VMO again");
	UCHECK(vr_vmo_read(vmo, &w, 0, 4) == 0 && w == 0x80, "the VMO changed");
	*(volatile uint32_t *)(uintptr_t)(a + 4 * VR_PAGE) = 0xc4;
	UCHECK(page_word(a, 0) == 0x80 && page_word(a, 4) == 0xc4,
	       "the view's write after the discard");
	UCHECK(vr_vm_unmap(0, a, 6 * VR_PAGE) == 0, "unmap");
	vr_handle_close(vmo);
	return NULL;
}
