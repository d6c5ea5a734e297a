/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uapi of the userptr_emu test module: an i915-userptr-like object that pins
 * (or references) a range of the caller's memory and watches it with an
 * mmu_interval_notifier, for machines without Intel graphics.
 *
 * The module exposes /sys/kernel/debug/userptr_emu (debugfs, no sysfs ABI).
 * Objects and counters are per open file; closing the file destroys all of
 * its objects (unpin, notifier removal).  Objects of one file are serialised
 * by a per-file mutex: use one file per thread to pin in parallel.
 *
 * Errors (errno of the failing ioctl):
 *   EINVAL  unknown flags, nonzero pad/reserved input, addr or len not page
 *           aligned, len == 0, addr + len overflows, LONGTERM with USE_GET,
 *           unknown stats scope
 *   E2BIG   len > USERPTR_EMU_MAX_OBJ_PAGES pages
 *   ENOSPC  USERPTR_EMU_MAX_OBJECTS live objects in this file, or the
 *           module-wide USERPTR_EMU_MAX_TOTAL_PAGES page budget is used up
 *   EFAULT  range outside the user address space, not (fully) mapped or not
 *           pinnable (GUP failed), or SUBMIT from another mm than CREATE
 *   ENOENT  unknown handle (handle 0 is never valid; handles are not reused
 *           within one open file)
 *   EAGAIN  SUBMIT met an invalidation on each of USERPTR_EMU_MAX_RESTARTS
 *           attempts; the object then holds no pages, retry the SUBMIT
 *   EINTR   fatal signal while pinning
 *   ENOTTY  unknown ioctl command
 *
 * Several objects may cover the same or overlapping ranges (as with i915
 * userptr); each one holds its own pins and its own notifier.
 *
 * Each object also registers a plain struct mmu_notifier on the same mm
 * (mmu_notifier_register(), beside the interval notifier) whose
 * clear_flush_young, clear_young and test_young callbacks only count and
 * answer "not young": the aging calls that reach a secondary MMU (KVM,
 * ...) when reclaim walks the rmap of a folio (folio_referenced()).  These
 * callbacks see every call on the mm, so an object's young_calls and
 * young_pages count all of them, and a file or global scope sums them over
 * its objects (with N objects on one mm, a call is counted N times);
 * young_pinned_* count only the part that overlaps the pages the object
 * holds with FOLL_PIN.
 *
 * Module parameters (/sys/module/userptr_emu/parameters/):
 *   invalidate_wait_us (rw, default 0): if nonzero, a blockable invalidate
 *           callback sleeps this long (clamped to USERPTR_EMU_MAX_WAIT_US),
 *           like the 5.x i915 / amdgpu / xe notifiers waiting for the GPU; a
 *           non-blockable one then returns false.
 *   honour_mayfail (rw, default 1): on MAYFAIL builds, ignore invalidations
 *           of ranges marked MMU_NOTIFIER_RANGE_MAYFAIL (rely on the pin).
 *   mayfail_support (ro): 1 if built with MMU_NOTIFIER_RANGE_MAYFAIL, also
 *           reported as USERPTR_EMU_FEAT_MAYFAIL by USERPTR_EMU_STATS.
 */
#ifndef _USERPTR_EMU_H
#define _USERPTR_EMU_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define USERPTR_EMU_DEBUGFS_PATH	"/sys/kernel/debug/userptr_emu"

/* Limits */
#define USERPTR_EMU_MAX_OBJECTS		64	/* live objects per open file */
#define USERPTR_EMU_MAX_OBJ_PAGES	262144	/* pages per object */
#define USERPTR_EMU_MAX_TOTAL_PAGES	524288	/* pages of all live objects */
#define USERPTR_EMU_MAX_RESTARTS	16	/* SUBMIT attempts per ioctl */
#define USERPTR_EMU_MAX_WAIT_US		100000	/* invalidate_wait_us is clamped */

/* USERPTR_EMU_CREATE flags */
#define USERPTR_EMU_READONLY		0x1 /* no FOLL_WRITE */
#define USERPTR_EMU_LONGTERM		0x2 /* FOLL_LONGTERM (pin only) */
#define USERPTR_EMU_USE_GET		0x4 /* FOLL_GET refs, not FOLL_PIN */
#define USERPTR_EMU_PIN_INCREMENTAL	0x8 /* one GUP call per page */
#define USERPTR_EMU_CREATE_FLAGS	(USERPTR_EMU_READONLY |		\
					 USERPTR_EMU_LONGTERM |		\
					 USERPTR_EMU_USE_GET |		\
					 USERPTR_EMU_PIN_INCREMENTAL)

/*
 * USERPTR_EMU_CREATE: insert an mmu_interval_notifier over [addr, addr + len)
 * of current->mm, then pin the range with pin_user_pages_fast() (or take
 * references with get_user_pages_fast() for USE_GET).
 * @addr:	(in) page aligned start
 * @len:	(in) page aligned length in bytes
 * @flags:	(in) USERPTR_EMU_CREATE_FLAGS
 * @handle:	(out) nonzero handle
 * @npages:	(out) pages pinned (== len / page size)
 * @self_invalidations: (out) invalidations that hit the object while it
 *		was being pinned by this CREATE
 * @stale:	(out) 1 if an invalidation happened during the pin: the next
 *		SUBMIT will re-pin
 */
struct userptr_emu_create {
	__u64	addr;
	__u64	len;
	__u32	flags;
	__u32	handle;
	__u64	npages;
	__u64	self_invalidations;
	__u32	stale;
	__u32	pad;
};

/* USERPTR_EMU_SUBMIT flags */
#define USERPTR_EMU_SUBMIT_CHECK	0x1 /* only report, never re-pin */
#define USERPTR_EMU_SUBMIT_FLAGS	USERPTR_EMU_SUBMIT_CHECK

/*
 * USERPTR_EMU_SUBMIT: what i915's execbuf does with a userptr object
 * (i915_gem_object_userptr_submit_init()): mmu_interval_read_begin(); if the
 * notifier sequence is unchanged since the pages were pinned, reuse them;
 * otherwise unpin all pages, re-pin the whole range and check
 * mmu_interval_read_retry(), restarting up to USERPTR_EMU_MAX_RESTARTS times.
 * With USERPTR_EMU_SUBMIT_CHECK nothing is re-pinned and nothing waits: only
 * @stale, @present and @mismatch are reported.
 * @handle:	(in)
 * @flags:	(in) USERPTR_EMU_SUBMIT_FLAGS
 * @stale:	(out) 1 if the sequence had changed (CHECK: has changed)
 * @repinned:	(out) 1 if this SUBMIT unpinned and re-pinned the range
 * @restarts:	(out) mmu_interval_read_retry() collisions in this SUBMIT
 * @pad:	(in) must be 0
 * @present:	(out, CHECK only) pages currently mapped in the CPU page
 *		table (get_user_pages_fast_only(), no fault)
 * @mismatch:	(out, CHECK only) mapped pages that are not the page the
 *		object holds (the object would DMA to a stale page)
 */
struct userptr_emu_submit {
	__u32	handle;
	__u32	flags;
	__u32	stale;
	__u32	repinned;
	__u32	restarts;
	__u32	pad;
	__u64	present;
	__u64	mismatch;
};

/* USERPTR_EMU_DESTROY: unpin and remove the notifier. */
struct userptr_emu_destroy {
	__u32	handle;
	__u32	pad;
};

/*
 * Indices of userptr_emu_stats.by_event[]: enum mmu_notifier_event
 * (include/linux/mmu_notifier.h, checked at build time by the module).
 */
#define USERPTR_EMU_EV_UNMAP		0
#define USERPTR_EMU_EV_CLEAR		1
#define USERPTR_EMU_EV_PROTECTION_VMA	2
#define USERPTR_EMU_EV_PROTECTION_PAGE	3
#define USERPTR_EMU_EV_SOFT_DIRTY	4
#define USERPTR_EMU_EV_RELEASE		5
#define USERPTR_EMU_EV_MIGRATE		6
#define USERPTR_EMU_EV_EXCLUSIVE	7
#define USERPTR_EMU_NR_EVENTS		8

/*
 * Indices of userptr_emu_stats.young_calls[]: the mmu_notifier_ops aging
 * callback that was called.
 */
#define USERPTR_EMU_YOUNG_CLEAR_FLUSH	0 /* ->clear_flush_young: folio_referenced() */
#define USERPTR_EMU_YOUNG_CLEAR		1 /* ->clear_young: MGLRU, page_idle */
#define USERPTR_EMU_YOUNG_TEST		2 /* ->test_young: khugepaged */
#define USERPTR_EMU_NR_YOUNG		3

/* userptr_emu_stats.scope */
#define USERPTR_EMU_SCOPE_OBJECT	0 /* live object @handle */
#define USERPTR_EMU_SCOPE_FILE		1 /* this file, incl. destroyed objects */
#define USERPTR_EMU_SCOPE_GLOBAL	2 /* module-wide since load/reset */

/* userptr_emu_stats.features (out) */
#define USERPTR_EMU_FEAT_MAYFAIL	0x1 /* built with MMU_NOTIFIER_RANGE_MAYFAIL */
#define USERPTR_EMU_FEAT_HONOUR_MAYFAIL	0x2 /* ... and honour_mayfail=1 now */

/*
 * USERPTR_EMU_STATS: read counters.  USERPTR_EMU_RESET_STATS: read and zero
 * them (each counter is read and zeroed atomically, the set is not).
 * @scope:	(in) USERPTR_EMU_SCOPE_*
 * @handle:	(in) object handle for USERPTR_EMU_SCOPE_OBJECT, else 0
 * @features:	(out) USERPTR_EMU_FEAT_*
 * @invalidate_wait_us: (out) current (clamped) module parameter
 * @invalidations:	invalidate callbacks
 * @by_event:		... by range->event (USERPTR_EMU_EV_*)
 * @pinned_hits:	... that hit an object holding FOLL_PIN pins
 * @ref_hits:		... that hit a USE_GET object holding references
 * @mayfail_declined:	... for a MAYFAIL range, ignored without
 *			mmu_interval_set_seq() (MAYFAIL builds with
 *			honour_mayfail=1, FOLL_PIN objects only: a USE_GET
 *			object, like radeon, needs the invalidation)
 * @nonblock_declined:	... not blockable while a wait is configured:
 *			returned false
 * @self_invalidations:	... while the object was being pinned (by
 *			CREATE or by a SUBMIT re-pin)
 * @recursive_invalidations: ... of those, from the pinning task itself
 *			(reclaim entered from the pin loop)
 * @invalidate_ns:	time spent in the invalidate callback
 * @submits:		SUBMIT ioctls (not CHECK)
 * @repins:		SUBMITs that had to unpin and re-pin
 * @restarts:		mmu_interval_read_retry() collisions
 * @pages_pinned:	pages pinned/referenced in total (CREATE and re-pins)
 * @pages_held:		pages held now (not reset by RESET_STATS)
 * @objects:		live objects (not reset by RESET_STATS)
 * @young_calls:	aging callbacks on the object's mm, by
 *			USERPTR_EMU_YOUNG_* (each answers "not young")
 * @young_pages:	... pages in their ranges (test_young: 1 each)
 * @young_pinned_calls:	... whose range overlaps the pages the object
 *			holds with FOLL_PIN
 * @young_pinned_pages:	... pages of that overlap
 * @reserved:		0, for future counters
 */
struct userptr_emu_stats {
	__u32	scope;
	__u32	handle;
	__u32	features;
	__u32	invalidate_wait_us;
	__u64	invalidations;
	__u64	by_event[USERPTR_EMU_NR_EVENTS];
	__u64	pinned_hits;
	__u64	ref_hits;
	__u64	mayfail_declined;
	__u64	nonblock_declined;
	__u64	self_invalidations;
	__u64	recursive_invalidations;
	__u64	invalidate_ns;
	__u64	submits;
	__u64	repins;
	__u64	restarts;
	__u64	pages_pinned;
	__u64	pages_held;
	__u64	objects;
	__u64	young_calls[USERPTR_EMU_NR_YOUNG];
	__u64	young_pages;
	__u64	young_pinned_calls;
	__u64	young_pinned_pages;
	__u64	reserved[2];
};

#define USERPTR_EMU_IOC_MAGIC		'U'
#define USERPTR_EMU_CREATE	_IOWR(USERPTR_EMU_IOC_MAGIC, 0x00, struct userptr_emu_create)
#define USERPTR_EMU_SUBMIT	_IOWR(USERPTR_EMU_IOC_MAGIC, 0x01, struct userptr_emu_submit)
#define USERPTR_EMU_DESTROY	_IOW(USERPTR_EMU_IOC_MAGIC, 0x02, struct userptr_emu_destroy)
#define USERPTR_EMU_STATS	_IOWR(USERPTR_EMU_IOC_MAGIC, 0x03, struct userptr_emu_stats)
#define USERPTR_EMU_RESET_STATS	_IOWR(USERPTR_EMU_IOC_MAGIC, 0x04, struct userptr_emu_stats)

#endif /* _USERPTR_EMU_H */
