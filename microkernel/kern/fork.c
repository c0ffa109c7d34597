/*
 * process_fork's address-space copy. Private mappings of anonymous memory
 * that only the forking address space reaches are shared copy-on-write:
 * both sides get a VMO holding the same frames, read-only in the page tables
 * until a write copies the page (or finds itself the last holder). Other
 * memory is copied or shared at once, so that a VMO with shared frames is
 * always mapped by one address space and named by no handle: a write that
 * moves a page then has only that address space's page tables to fix. A
 * copy-on-write view (VR_MAP_COW) is such a VMO; its clone keeps the view's
 * backing, whose frames never move (a handle named it, so it never shares).
 */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/process.h>
#include <kernel/slab.h>
#include <kernel/vmo.h>

/*
 * Makes @p's writable page-table entries of @v read-only: its frames are
 * now shared. One walk per mapping, which skips the tables never made; the
 * caller shoots down the other CPUs' TLBs. Caller holds p->lock, which (v
 * being reached only through p's mappings) also keeps v's pages still.
 */
static void write_protect(struct process *p, struct vmo *v)
{
	for (struct mapping *m = p->maps; m; m = m->next)
		if (m->vmo == v && (m->prot & PROT_WRITE))
			arch_range_write_protect(p->root, m->start, m->end);
}

/*
 * Fills in the VMO of @c, the child's copy of @p's mapping @m; @done holds
 * the copies of the mappings before @m, in order. Caller holds p->lock.
 */
static int inherit(struct process *p, struct mapping *m, struct mapping *done, struct mapping *c)
{
	struct vmo *v = m->vmo;

	/* Device and DMA memory is what it is where it is: the child maps the same. */
	if (m->shared || v->kind != VMO_ANON) {
		c->vmo = v;
		kobj_get(&v->k);
		return 0;
	}
	/* A VMO met before gets the same copy, so that aliases stay aliases. */
	for (struct mapping *pm = p->maps, *cm = done; cm; pm = pm->next, cm = cm->next)
		if (pm->vmo == v && cm->vmo != v) {
			c->vmo = cm->vmo;
			kobj_get(&c->vmo->k);
			return 0;
		}
	if (vm_reached_only_by(p, v)) {
		c->vmo = vmo_clone(v);
		if (c->vmo)
			write_protect(p, v);
	} else if (!(m->prot & PROT_WRITE)) {
		/*
		 * Reached otherwise (a handle, another address space, a thread's IPC
		 * buffer), but not writable here: the child maps the same VMO, never
		 * writable. It sees what the parent sees, as with program text.
		 */
		c->vmo = v;
		c->max_prot &= ~PROT_WRITE;
		kobj_get(&v->k);
	} else {
		/* Reached otherwise and writable: a copy, now. */
		c->vmo = vmo_duplicate(v);
	}
	return c->vmo ? 0 : -ENOMEM;
}

static void free_list(struct mapping *m)
{
	while (m) {
		struct mapping *next = m->next;
		vmo_put(m->vmo);
		kfree(m);
		m = next;
	}
}

/* Gives @to the mappings @list if it is still empty; returns 0 or -ESRCH / -EBUSY. */
static int install(struct process *to, struct mapping *list)
{
	unsigned long s = spin_lock_irqsave(&to->lock);
	int err = to->exiting || to->exited ? -ESRCH : to->maps || to->nthreads || to->nrunning ? -EBUSY : 0;

	if (!err && list)
		to->maps = list;
	for (struct mapping *m = err ? NULL : list; m; m = m->next)
		vm_file_link(to, m);
	spin_unlock_irqrestore(&to->lock, s);
	return err;
}

int vm_fork(struct process *from, struct process *to)
{
	if (from == to)
		return -EINVAL;
	int err = install(to, NULL);	/* fail early on a @to that cannot take it */
	if (err)
		return err;
	unsigned long s = spin_lock_irqsave(&from->lock);
	/* One fork of a process at a time. */
	while (from->forking) {
		spin_unlock_irqrestore(&from->lock, s);
		vm_fork_wait(from);
		s = spin_lock_irqsave(&from->lock);
	}
	if (from->exiting) {
		spin_unlock_irqrestore(&from->lock, s);
		return -ESRCH;
	}
	__atomic_store_n(&from->forking, true, __ATOMIC_RELEASE);
	struct mapping *list = NULL, **tail = &list;
	for (struct mapping *m = from->maps; m && !err; m = m->next) {
		struct mapping *c = kmalloc(sizeof(*c));
		if (!c) {
			err = -ENOMEM;
			break;
		}
		*c = *m;
		c->next = NULL;
		err = inherit(from, m, list, c);
		if (err) {
			kfree(c);
			break;
		}
		*tail = c;
		tail = &c->next;
	}
	spin_unlock_irqrestore(&from->lock, s);
	/* No CPU writes a shared frame through a stale TLB entry after this. */
	vm_shootdown(from);
	__atomic_store_n(&from->forking, false, __ATOMIC_RELEASE);
	if (!err)
		err = install(to, list);
	if (err)
		free_list(list);
	return err;
}
