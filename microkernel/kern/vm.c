/*
 * Address spaces: the sorted list of mappings of a process, demand paging
 * from the VMOs behind them, and the copies between user and kernel memory,
 * which go through the direct map and never touch user addresses directly.
 */
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <kernel/process.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/vmo.h>

/* Where vm_map places mappings when the caller lets it choose. */
#define USER_MAP_BASE 0x0000100000000000ull

static struct mapping *find(struct process *p, vaddr_t va)
{
	struct mapping *h = p->map_hint;

	/* Copies to and from one buffer (a stack, an IPC buffer) ask for the same mapping again. */
	if (h && h->start <= va && va < h->end)
		return h;
	for (struct mapping *m = p->maps; m && m->start <= va; m = m->next)
		if (va < m->end)
			return p->map_hint = m;
	return NULL;
}

/*
 * Does the TLB flushes other CPUs asked of @self (its IPI handler, and CPUs
 * waiting with interrupts masked). What was asked before the flush is done
 * after it; tlb_done only grows, since the handler may interrupt a waiter
 * here.
 */
void vm_serve_shootdown(struct cpu *self)
{
	uint64_t asked = __atomic_load_n(&self->tlb_asked, __ATOMIC_ACQUIRE);
	uint64_t done = __atomic_load_n(&self->tlb_done, __ATOMIC_RELAXED);

	if (done == asked)
		return;
	arch_tlb_flush_all();
	/* ioport_settle's shootdowns: the running process's ports may have changed. */
	struct thread *t = self->current;
	if (t && t->proc)
		arch_io_switch(&t->proc->io);
	while (done < asked && !__atomic_compare_exchange_n(&self->tlb_done, &done, asked, false,
							    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
}

/*
 * Asks every other CPU running @p to flush its TLB, and waits until each has
 * flushed after being asked: a flush another CPU's request caused earlier
 * may predate our change of the page tables. Called without p->lock: a CPU
 * spinning on it with interrupts masked could never take the IPI.
 */
void vm_shootdown(struct process *p)
{
	struct cpu *self = this_cpu();

	/* The page-table changes before the reads of c->current (store-load order). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < ncpus_online; i++) {
		struct cpu *c = &cpus[i];
		struct thread *t = __atomic_load_n(&c->current, __ATOMIC_ACQUIRE);
		if (c == self || !t || (p && t->proc != p))
			continue;
		uint64_t ticket = __atomic_add_fetch(&c->tlb_asked, 1, __ATOMIC_ACQ_REL);
		arch_send_ipi(c);
		/* Two CPUs may shoot at each other with interrupts masked: serve ours while waiting. */
		while (__atomic_load_n(&c->tlb_done, __ATOMIC_ACQUIRE) < ticket)
			vm_serve_shootdown(self);
	}
}

int64_t sys_membarrier(uint64_t all)
{
	if (all > 1)
		return -EINVAL;
	/* The interrupt each CPU takes, and its answer, order its accesses against ours. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vm_shootdown(all ? NULL : process_current());
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

void vm_fork_wait(struct process *p)
{
	while (__atomic_load_n(&p->forking, __ATOMIC_ACQUIRE))
		vm_serve_shootdown(this_cpu());
}

/* The VMO whose end cuts file mapping @m (a view's backing), and on whose file_maps it is. */
static struct vmo *file_of(const struct mapping *m)
{
	return m->vmo->backing ? m->vmo->backing : m->vmo;
}

/* Where @m's start lies in file_of(@m). */
static uint64_t file_offset(const struct mapping *m)
{
	return m->offset + (m->vmo->backing ? m->vmo->backing_offset : 0);
}

/* The end of the last page of file @v that a file mapping may map. */
static uint64_t file_end(const struct vmo *v)
{
	return ALIGN_UP(MIN(__atomic_load_n(&v->eof, __ATOMIC_ACQUIRE), v->size), PAGE_SIZE);
}

/*
 * Whether byte @off of @m's VMO lies in a page wholly past its file's end
 * (VM_FILE). If not, the page may be mapped: the file's file_reach grows
 * past it, so that vm_file_shrunk looks that far.
 */
static bool past_eof(const struct mapping *m, uint64_t off)
{
	if (!m->file)
		return false;
	struct vmo *v = file_of(m);
	uint64_t at = file_offset(m) + ALIGN_DOWN(off - m->offset, PAGE_SIZE);
	if (at >= file_end(v))
		return true;
	uint64_t reach = __atomic_load_n(&v->file_reach, __ATOMIC_RELAXED);
	while (reach < at + PAGE_SIZE &&
	       !__atomic_compare_exchange_n(&v->file_reach, &reach, at + PAGE_SIZE, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	return false;
}

/*
 * Puts @m, just put in @p's address space, on its file's list (VM_FILE
 * only). Caller holds p->lock. The order: p->lock, then the VMO's lock.
 */
void vm_file_link(struct process *p, struct mapping *m)
{
	m->proc = p;
	if (!m->file)
		return;
	struct vmo *v = file_of(m);
	unsigned long s = spin_lock_irqsave(&v->lock);
	m->file_next = v->file_maps;
	m->file_pprev = &v->file_maps;
	if (m->file_next)
		m->file_next->file_pprev = &m->file_next;
	v->file_maps = m;
	/* It has no page yet: the vm_file_shrunk under way, if any, may pass it by. */
	m->shrink_seq = v->shrink_seq;
	spin_unlock_irqrestore(&v->lock, s);
}

/* Takes @m, about to leave its address space, off its file's list. Caller holds p->lock. */
static void file_unlink(struct mapping *m)
{
	if (!m->file)
		return;
	struct vmo *v = file_of(m);
	unsigned long s = spin_lock_irqsave(&v->lock);
	*m->file_pprev = m->file_next;
	if (m->file_next)
		m->file_next->file_pprev = m->file_pprev;
	spin_unlock_irqrestore(&v->lock, s);
}

/*
 * The frame behind @page of @m for @access (-ENXIO past a file's end). A
 * write waits while a fork of @p is sharing its frames (-EAGAIN: unlock,
 * vm_fork_wait, retry): until the
 * fork's shootdown is done another CPU may still write the shared frame
 * through a stale TLB entry, and a copy made now would lose that write. A
 * write that moved the page to a copy drops every entry of @p's page tables
 * that named the old frame; the caller then calls moved(). Caller holds
 * p->lock.
 */
static int page_of(struct process *p, struct mapping *m, vaddr_t page, enum vmo_access access,
		   struct vmo_frame *f)
{
	*f = (struct vmo_frame){0};
	if (access == VMO_WRITE && __atomic_load_n(&p->forking, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	uint64_t off = m->offset + (page - m->start);
	if (past_eof(m, off))
		return -ENXIO;
	int err = vmo_page(m->vmo, off, access, f);
	for (struct mapping *x = p->maps; !err && f->old && x; x = x->next)
		if (x->vmo == m->vmo && off >= x->offset && off - x->offset < x->end - x->start)
			arch_page_unmap(p->root, x->start + (off - x->offset));
	return err;
}

/*
 * After page_of moved a page, without p->lock: other CPUs forget the old
 * frame, futexes too; only then does the VMO let go of it. Released before,
 * its other holder could write it as its own (or free it) while a thread of
 * @p still read it through a stale TLB entry.
 */
static void moved(struct process *p, const struct vmo_frame *f)
{
	if (f->old) {
		vm_shootdown(p);
		futex_page_moved(f->old);
		if (f->release_old)
			frame_release(f->old);
	}
}

/* Removes the page-table entries of [start, end). Caller holds p->lock. */
static void unmap_pages(struct process *p, vaddr_t start, vaddr_t end)
{
	for (vaddr_t va = start; va < end; va += PAGE_SIZE)
		if (arch_page_query(p->root, va, NULL, NULL))
			arch_page_unmap(p->root, va);
}

bool vm_reached_only_by(struct process *p, struct vmo *v)
{
	uint32_t n = 0;

	for (struct mapping *m = p->maps; m; m = m->next)
		if (m->vmo == v) {
			if (m->shared)
				return false;
			n++;
		}
	return __atomic_load_n(&v->k.refs, __ATOMIC_ACQUIRE) == n;
}

static bool prot_ok(unsigned prot)
{
	return !(prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC));
}

/*
 * Takes p->lock once no range an unmap freed still waits for its shootdown:
 * a CPU could still write the old frames through a stale TLB entry, and a
 * new mapping there would lose the write (a thread's stack, unmapped by its
 * exit and mapped again at once for the next thread, lost its creator's
 * first words that way). Returns the saved interrupt state.
 */
static unsigned long lock_settled(struct process *p)
{
	unsigned long s = spin_lock_irqsave(&p->lock);

	while (__atomic_load_n(&p->unmapping, __ATOMIC_ACQUIRE)) {
		spin_unlock_irqrestore(&p->lock, s);
		while (__atomic_load_n(&p->unmapping, __ATOMIC_ACQUIRE))
			vm_serve_shootdown(this_cpu());
		s = spin_lock_irqsave(&p->lock);
	}
	return s;
}

/* The first free range of @len above USER_MAP_BASE. Caller holds p->lock. */
static vaddr_t first_fit(struct process *p, size_t len)
{
	vaddr_t start = USER_MAP_BASE;

	for (struct mapping *x = p->maps; x; x = x->next)
		if (x->end > start && x->start < start + len)
			start = x->end;
	return start;
}

int vm_map(struct process *p, struct vmo *vmo, vaddr_t *va, uint64_t offset, size_t len,
	   unsigned prot, unsigned max_prot)
{
	bool shared = prot & VM_SHARED, anon = prot & VM_ANON, file = prot & VM_FILE;

	prot &= ~(VM_SHARED | VM_ANON | VM_FILE);
	if (len == 0 || (*va | offset | len) % PAGE_SIZE || !prot_ok(prot) || (prot & ~max_prot) ||
	    offset > vmo->size || len > vmo->size - offset)
		return -EINVAL;
	struct mapping *m = kmalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	unsigned long s = lock_settled(p);
	vaddr_t start = *va ? *va : first_fit(p, len);
	int err = 0;
	if (!user_range_ok(start, len) || start < PAGE_SIZE)
		err = -EINVAL;
	for (struct mapping *x = p->maps; x && !err; x = x->next)
		if (x->start < start + len && start < x->end)
			err = -EEXIST;
	if (p->exiting)
		err = -ESRCH;
	if (err) {
		spin_unlock_irqrestore(&p->lock, s);
		kfree(m);
		return err;
	}
	*m = (struct mapping){.start = start, .end = start + len, .vmo = vmo, .offset = offset, .prot = prot,
			      .max_prot = max_prot, .shared = shared, .anon = anon, .file = file};
	kobj_get(&vmo->k);
	struct mapping **pp = &p->maps;
	while (*pp && (*pp)->start < start)
		pp = &(*pp)->next;
	m->next = *pp;
	*pp = m;
	vm_file_link(p, m);
	spin_unlock_irqrestore(&p->lock, s);
	*va = start;
	return 0;
}

/* Splits the mapping containing @va at @va (page aligned). Caller holds p->lock. */
static int split(struct process *p, vaddr_t va)
{
	struct mapping *m = find(p, va);

	if (!m || m->start == va)
		return 0;
	struct mapping *tail = kmalloc(sizeof(*tail));
	if (!tail)
		return -ENOMEM;
	*tail = *m;
	tail->start = va;
	tail->offset = m->offset + (va - m->start);
	kobj_get(&m->vmo->k);
	m->end = va;
	m->next = tail;
	vm_file_link(p, tail);
	return 0;
}

int vm_unmap(struct process *p, vaddr_t va, size_t len)
{
	if (len == 0 || (va | len) % PAGE_SIZE || !user_range_ok(va, len))
		return -EINVAL;
	unsigned long s = spin_lock_irqsave(&p->lock);
	int err = split(p, va);
	if (!err)
		err = split(p, va + len);
	if (err) {
		spin_unlock_irqrestore(&p->lock, s);
		return err;
	}
	struct mapping **pp = &p->maps, *dead = NULL;
	p->map_hint = NULL;
	while (*pp) {
		struct mapping *m = *pp;
		if (m->start >= va && m->end <= va + len) {
			unmap_pages(p, m->start, m->end);
			file_unlink(m);
			*pp = m->next;
			m->next = dead;
			dead = m;
		} else {
			pp = &m->next;
		}
	}
	if (dead)
		__atomic_fetch_add(&p->unmapping, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&p->lock, s);
	vm_shootdown(p);
	if (dead)
		__atomic_fetch_sub(&p->unmapping, 1, __ATOMIC_RELEASE);
	while (dead) {
		struct mapping *next = dead->next;
		vmo_put(dead->vmo);
		kfree(dead);
		dead = next;
	}
	return 0;
}

/*
 * The VMO that grows @m by @len (vm_remap), in *@vmo (NULL: @m's own VMO
 * has the bytes, and @m just grows), at *@offset. Caller holds p->lock.
 */
static int growth(struct mapping *m, size_t len, struct vmo **vmo, uint64_t *offset)
{
	struct vmo *v = m->vmo, *b = v->backing;
	uint64_t end = m->offset + (m->end - m->start);

	*vmo = NULL;
	*offset = 0;
	if (b && v->backing_offset + end <= b->size) {
		*vmo = vmo_create_cow(b, v->backing_offset + end, len);
	} else if (b || m->anon) {
		*vmo = vmo_create_anon(len);	/* past a view's backing: zeros, as the view reads */
	} else {
		*offset = end;
		return end + len <= v->size ? 0 : -ENXIO;
	}
	return *vmo ? 0 : -ENOMEM;
}

/*
 * What stays at @m's range when it moves with REMAP_KEEP*: private anonymous
 * memory fresh zeroed memory, a copy-on-write view a fresh view of the same
 * backing, anything else @m's own VMO again. NULL without memory. Caller
 * holds p->lock.
 */
static struct mapping *kept_in_place(const struct mapping *m)
{
	struct mapping *k = kmalloc(sizeof(*k));
	struct vmo *v = m->vmo, *b = v->backing;
	size_t len = m->end - m->start;

	if (!k)
		return NULL;
	*k = *m;
	if (b || (m->anon && !m->shared)) {
		k->vmo = b ? vmo_create_cow(b, v->backing_offset + m->offset, len) : vmo_create_anon(len);
		k->offset = 0;
	} else {
		kobj_get(&v->k);
	}
	if (!k->vmo) {
		kfree(k);
		return NULL;
	}
	return k;
}

/* Frees a list of mappings never put in an address space. */
static void mappings_free(struct mapping *m)
{
	while (m) {
		struct mapping *next = m->next;
		vmo_put(m->vmo);
		kfree(m);
		m = next;
	}
}

/*
 * For REMAP_KEEP*: in *@kept, what stays at the range of @first .. @last
 * (kept_in_place), in order; -EINVAL when REMAP_KEEP_SHARED finds one not
 * shared, -ENOMEM. Caller holds p->lock.
 */
static int keep_list(struct mapping *first, struct mapping *last, enum remap_mode mode,
		     struct mapping **kept)
{
	struct mapping **kp = kept;

	*kept = NULL;
	for (struct mapping *m = first;; m = m->next) {
		if (mode == REMAP_KEEP_SHARED && !m->shared)
			return -EINVAL;
		if (m == last)
			break;
	}
	for (struct mapping *m = first;; m = m->next) {
		if (!(*kp = kept_in_place(m))) {
			mappings_free(*kept);
			*kept = NULL;
			return -ENOMEM;
		}
		(*kp)->next = NULL;
		kp = &(*kp)->next;
		if (m == last)
			break;
	}
	return 0;
}

int vm_remap(struct process *p, vaddr_t from, size_t len, vaddr_t *to, size_t new_len, enum remap_mode mode)
{
	vaddr_t dst = *to;
	struct mapping *kept = NULL;

	if (len == 0 || new_len < len || (from | len | dst | new_len) % PAGE_SIZE ||
	    !user_range_ok(from, len) || new_len - len > VMO_MAX_SIZE ||
	    (mode != REMAP_MOVE && (new_len != len || dst == from)))
		return -EINVAL;
	struct mapping *ext = kmalloc(sizeof(*ext));
	if (!ext)
		return -ENOMEM;
	struct vmo *grown = NULL;
	uint64_t grown_offset = 0;
	unsigned long s = lock_settled(p);
	int err = split(p, from);
	if (!err)
		err = split(p, from + len);
	/* The mappings first .. last cover the old range, with no hole. */
	struct mapping **pp = &p->maps, *first, *last = NULL;
	while (*pp && (*pp)->start < from)
		pp = &(*pp)->next;
	first = *pp;
	vaddr_t at = from;
	for (struct mapping *m = first; m && m->start == at && at < from + len; m = m->next) {
		last = m;
		at = m->end;
	}
	if (!err && at != from + len)
		err = -EFAULT;
	if (!err && dst == 0)
		dst = first_fit(p, new_len);
	if (!err && (!user_range_ok(dst, new_len) || dst < PAGE_SIZE ||
		     (dst != from && dst < from + len && from < dst + new_len)))
		err = -EINVAL;
	for (struct mapping *x = p->maps; !err && x; x = x->next)
		if (x->start < dst + new_len && dst < x->end && (x->start < from || x->end > from + len))
			err = -EEXIST;
	if (!err && p->exiting)
		err = -ESRCH;
	if (!err && new_len > len)
		err = growth(last, new_len - len, &grown, &grown_offset);
	if (!err && mode != REMAP_MOVE)
		err = keep_list(first, last, mode, &kept);
	if (err) {
		spin_unlock_irqrestore(&p->lock, s);
		kfree(ext);
		return err;
	}
	p->map_hint = NULL;
	if (dst != from) {
		/* Out of the list, moved, and back in at their new place: the pages fault in there. */
		*pp = last->next;
		for (struct mapping *m = first;; m = m->next) {
			unmap_pages(p, m->start, m->end);
			m->start += dst - from;
			m->end += dst - from;
			if (m == last)
				break;
		}
		pp = &p->maps;
		while (*pp && (*pp)->start < dst)
			pp = &(*pp)->next;
		last->next = *pp;
		*pp = first;
		__atomic_fetch_add(&p->unmapping, 1, __ATOMIC_RELAXED);
	}
	/* The old range, empty now, gets what stays there (in order: they follow each other). */
	if (kept) {
		struct mapping *tail = kept;
		while (tail->next)
			tail = tail->next;
		pp = &p->maps;
		while (*pp && (*pp)->start < from)
			pp = &(*pp)->next;
		tail->next = *pp;
		*pp = kept;
		for (struct mapping *k = kept; k != tail->next; k = k->next)
			vm_file_link(p, k);
	}
	if (new_len > len && !grown) {
		last->end += new_len - len;
	} else if (grown) {
		*ext = *last;
		ext->start = last->end;
		ext->end = last->end + (new_len - len);
		ext->vmo = grown;
		ext->offset = grown_offset;
		last->next = ext;
		vm_file_link(p, ext);
		ext = NULL;
	}
	spin_unlock_irqrestore(&p->lock, s);
	if (dst != from) {
		vm_shootdown(p);
		__atomic_fetch_sub(&p->unmapping, 1, __ATOMIC_RELEASE);
	}
	kfree(ext);
	*to = dst;
	return 0;
}

/*
 * Drops the page-table entries of @p's mappings of file @v that lie wholly
 * past its end, up to where any was ever mapped (file_reach), and marks
 * them done for shrink @seq; whether any entry was there.
 */
static bool drop_past_eof(struct process *p, struct vmo *v, uint64_t seq)
{
	unsigned long s = spin_lock_irqsave(&p->lock);
	bool any = false;

	spin_lock(&v->lock);
	uint64_t end = file_end(v), reach = __atomic_load_n(&v->file_reach, __ATOMIC_RELAXED);
	for (struct mapping *m = v->file_maps; m; m = m->file_next) {
		if (m->proc != p || m->shrink_seq >= seq)
			continue;
		m->shrink_seq = seq;
		uint64_t at = file_offset(m), len = m->end - m->start;
		uint64_t from = end > at ? MIN(end - at, len) : 0;
		uint64_t to = reach > at ? MIN(reach - at, len) : 0;
		for (uint64_t off = from; off < to; off += PAGE_SIZE)
			if (arch_page_query(p->root, m->start + off, NULL, NULL)) {
				arch_page_unmap(p->root, m->start + off);
				any = true;
			}
	}
	spin_unlock(&v->lock);
	spin_unlock_irqrestore(&p->lock, s);
	return any;
}

void vm_file_shrunk(struct vmo *v)
{
	bool any = false;

	/*
	 * The new end is already set: a fault that takes p->lock after the walk
	 * has passed sees it, one before has mapped its page for the walk to find.
	 * Each process with a mapping on the list is visited once, under its lock
	 * (taken before the VMO's); a later shrink that visited it first did this
	 * one's work too, since it saw an end set after this one's.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	unsigned long s = spin_lock_irqsave(&v->lock);
	uint64_t seq = ++v->shrink_seq;
	for (;;) {
		struct mapping *m = v->file_maps;
		while (m && m->shrink_seq >= seq)
			m = m->file_next;
		if (!m)
			break;
		struct process *p = m->proc;
		if (!process_tryget(p)) {
			m->shrink_seq = seq;	/* being destroyed: its page tables go with it */
			continue;
		}
		spin_unlock_irqrestore(&v->lock, s);
		any |= drop_past_eof(p, v, seq);
		process_put(p);
		s = spin_lock_irqsave(&v->lock);
	}
	spin_unlock_irqrestore(&v->lock, s);
	/*
	 * The frames stay the VMO's (nothing is freed), so one shootdown of
	 * every CPU at the end is enough; this CPU runs the caller, whose
	 * switch here dropped every other process's translations.
	 */
	if (any)
		vm_shootdown(NULL);
}

/* Frames a discard lets go of after each shootdown. */
#define DISCARD_BATCH 64

/*
 * Drops the pages of [@at, @end) of @m, private anonymous memory that only
 * @p reaches: the frames of its VMO there go to @out (at most @max more than
 * *@n), and the entries of every mapping of @p that names those pages.
 * Returns where it stopped. Caller holds p->lock.
 */
static vaddr_t discard_frames(struct process *p, struct mapping *m, vaddr_t at, vaddr_t end,
			      paddr_t *out, unsigned max, unsigned *n)
{
	uint64_t from = m->offset + (at - m->start), to = from;

	*n += vmo_discard(m->vmo, &to, m->offset + (end - m->start), out + *n, max - *n);
	for (struct mapping *x = p->maps; x; x = x->next) {
		uint64_t lo = MAX(from, x->offset), hi = MIN(to, x->offset + (x->end - x->start));
		if (x->vmo == m->vmo && lo < hi)
			unmap_pages(p, x->start + (lo - x->offset), x->start + (hi - x->offset));
	}
	return m->start + (to - m->offset);
}

int vm_discard(struct process *p, vaddr_t va, size_t len)
{
	paddr_t frames[DISCARD_BATCH];
	vaddr_t end = va + len, at = va;
	bool checked = false;

	if ((va | len) % PAGE_SIZE || end < va)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!user_range_ok(va, len))
		return -ENOMEM; /* as Linux: nothing of the process's is mapped there */
	while (at < end) {
		unsigned long s = spin_lock_irqsave(&p->lock);
		/* A fork's stale entries may still write the frames it shares. */
		if (__atomic_load_n(&p->forking, __ATOMIC_ACQUIRE)) {
			spin_unlock_irqrestore(&p->lock, s);
			vm_fork_wait(p);
			continue;
		}
		if (!checked) {
			vaddr_t x = va;
			for (struct mapping *m = find(p, va); m && m->start <= x && x < end;
			     m = m->next)
				x = m->end;
			if (x < end) {
				spin_unlock_irqrestore(&p->lock, s);
				return -ENOMEM;
			}
			checked = true;
		}
		unsigned n = 0;
		while (at < end && n < DISCARD_BATCH) {
			struct mapping *m = find(p, at);
			if (!m) {
				/* Unmapped since (another thread): to the next mapping. */
				vaddr_t next = end;
				for (struct mapping *x = p->maps; x; x = x->next)
					if (x->start > at && x->start < next)
						next = x->start;
				at = next;
				continue;
			}
			vaddr_t stop = MIN(m->end, end);
			/*
			 * Private anonymous memory (a view: its own copies) that nothing else
			 * reaches loses its pages; anything else (shared memory, a VMO a
			 * handle names, devices) only its entries: the pages fault in again.
			 */
			if (!m->shared && m->vmo->kind == VMO_ANON && vm_reached_only_by(p, m->vmo))
				stop = discard_frames(p, m, at, stop, frames, DISCARD_BATCH, &n);
			else
				unmap_pages(p, at, stop);
			at = stop;
		}
		spin_unlock_irqrestore(&p->lock, s);
		/* No CPU may still reach a frame through a stale entry when it goes back. */
		vm_shootdown(p);
		for (unsigned i = 0; i < n; i++) {
			futex_page_moved(frames[i]);
			frame_release(frames[i]);
		}
	}
	return 0;
}

int vm_protect(struct process *p, vaddr_t va, size_t len, unsigned prot)
{
	if (len == 0 || (va | len) % PAGE_SIZE || !user_range_ok(va, len) || !prot_ok(prot))
		return -EINVAL;
	unsigned long s = spin_lock_irqsave(&p->lock);
	/* The whole range must be mapped. */
	vaddr_t at = va;
	for (struct mapping *m = find(p, va); m && m->start <= at && at < va + len; m = m->next)
		at = m->end;
	int err = at >= va + len ? 0 : -ENOMEM;
	for (struct mapping *m = find(p, va); !err && m && m->start < va + len; m = m->next)
		if (prot & ~m->max_prot)
			err = -EACCES;
	if (!err)
		err = split(p, va);
	if (!err)
		err = split(p, va + len);
	if (!err) {
		for (struct mapping *m = find(p, va); m && m->start < va + len; m = m->next) {
			m->prot = prot;
			/* Present pages fault back in with the new rights. */
			unmap_pages(p, m->start, m->end);
		}
	}
	spin_unlock_irqrestore(&p->lock, s);
	if (!err)
		vm_shootdown(p);
	return err;
}

int vm_fault(struct process *p, vaddr_t va, unsigned access)
{
	if (!user_range_ok(va, 1))
		return -EFAULT;
	vaddr_t page = ALIGN_DOWN(va, PAGE_SIZE);
	struct vmo_frame f;
	int err;

	do {
		unsigned long s = spin_lock_irqsave(&p->lock);
		struct mapping *m = find(p, va);
		err = -EFAULT;
		f.old = 0;
		if (m && (m->prot & access) == access) {
			err = page_of(p, m, page, access & PROT_WRITE ? VMO_WRITE : VMO_READ, &f);
			if (!err) {
				unsigned prot = m->prot | PROT_USER;
				if (m->vmo->kind == VMO_PHYS)
					prot |= PROT_DEVICE;
				/* Copy-on-write: a shared frame is read-only until a write copies it. */
				if (f.shared)
					prot &= ~PROT_WRITE;
				err = arch_page_map(p->root, page, f.pa, prot);
			}
		}
		spin_unlock_irqrestore(&p->lock, s);
		moved(p, &f);
		if (err == -EAGAIN)
			vm_fork_wait(p);
	} while (err == -EAGAIN);
	return err;
}

int user_copy(struct process *p, vaddr_t uva, void *kbuf, size_t len, bool to_user)
{
	if (!user_range_ok(uva, len))
		return -EFAULT;
	while (len) {
		unsigned long s = spin_lock_irqsave(&p->lock);
		struct mapping *m = find(p, uva);
		unsigned need = to_user ? PROT_WRITE : PROT_READ;
		size_t in_page = uva % PAGE_SIZE, n = MIN(len, PAGE_SIZE - in_page);
		struct vmo_frame f = {0};
		int err = -EFAULT;
		paddr_t pa;
		unsigned pte;
		if (m && (m->prot & need) && m->vmo->kind != VMO_PHYS) {
			/*
			 * A page the process has already touched this way: its entry names
			 * the frame. A writable entry's frame is no one else's (a shared one
			 * is mapped read-only, and fork write-protects under this lock).
			 */
			if (arch_page_query(p->root, uva, &pa, &pte) &&
			    (pte & (need | PROT_USER)) == (need | PROT_USER)) {
				f.pa = pa - in_page;
				err = 0;
			} else {
				err = page_of(p, m, ALIGN_DOWN(uva, PAGE_SIZE), to_user ? VMO_WRITE : VMO_COPY_OUT,
					      &f);
			}
		}
		/* Under the lock, so that no fork shares the frame while the copy runs. */
		if (!err) {
			char *k = (char *)phys_to_virt(f.pa) + in_page;
			if (to_user)
				memcpy(k, kbuf, n);
			else
				memcpy(kbuf, k, n);
		}
		spin_unlock_irqrestore(&p->lock, s);
		moved(p, &f);
		if (err == -EAGAIN) {
			vm_fork_wait(p);
			continue;
		}
		if (err)
			return err == -ENOMEM ? -ENOMEM : -EFAULT;
		kbuf = (char *)kbuf + n;
		uva += n;
		len -= n;
	}
	return 0;
}

/* user_page_phys and user_page_hold: a page of a mapping with @need, resolved for writing. */
static int page_phys(struct process *p, vaddr_t uva, unsigned need, paddr_t *pa, struct kobject **vmo)
{
	if (!user_range_ok(uva, 1))
		return -EFAULT;
	int err;
	do {
		unsigned long s = spin_lock_irqsave(&p->lock);
		struct mapping *m = find(p, uva);
		struct vmo_frame f = {0};
		err = -EFAULT;
		if (m && (m->prot & need) == need && m->vmo->kind != VMO_PHYS)
			err = page_of(p, m, ALIGN_DOWN(uva, PAGE_SIZE), VMO_WRITE, &f);
		if (!err) {
			*pa = f.pa + uva % PAGE_SIZE;
			if (vmo)
				*vmo = kobj_get(&m->vmo->k);
		}
		spin_unlock_irqrestore(&p->lock, s);
		moved(p, &f);
		if (err == -EAGAIN)
			vm_fork_wait(p);
	} while (err == -EAGAIN);
	return err == -ENOMEM ? -ENOMEM : err ? -EFAULT : 0;
}

int user_page_phys(struct process *p, vaddr_t uva, paddr_t *pa)
{
	return page_phys(p, uva, PROT_WRITE, pa, NULL);
}

int user_page_hold(struct process *p, vaddr_t uva, paddr_t *pa, struct kobject **vmo)
{
	return page_phys(p, uva, PROT_READ | PROT_WRITE, pa, vmo);
}

int copy_from_user(void *dst, vaddr_t src, size_t len)
{
	return user_copy(process_current(), src, dst, len, false);
}

int copy_to_user(vaddr_t dst, const void *src, size_t len)
{
	return user_copy(process_current(), dst, (void *)src, len, true);
}

/* Drops every mapping of a dying process. Caller holds no lock; p has no threads left. */
void vm_teardown(struct process *p)
{
	unsigned long s = spin_lock_irqsave(&p->lock);
	struct mapping *m = p->maps;

	for (struct mapping *x = m; x; x = x->next)
		file_unlink(x);
	p->maps = NULL;
	p->map_hint = NULL;
	spin_unlock_irqrestore(&p->lock, s);
	while (m) {
		struct mapping *next = m->next;
		vmo_put(m->vmo);
		kfree(m);
		m = next;
	}
}
