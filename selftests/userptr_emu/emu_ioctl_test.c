// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of the userptr_emu ioctls: every argument check, handle
 * lifetime, release on close, and the i915-like SUBMIT re-pin path driven
 * by invalidations that do not need reclaim (MADV_DONTNEED, mprotect,
 * munmap, exit).  Needs the module: insmod userptr_emu.ko.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "userptr_emu.h"
#include "wb.h"

#define NR_PAGES	16
#define WAIT_PARAM	"/sys/module/userptr_emu/parameters/invalidate_wait_us"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

static int emu_open(void)
{
	return open(USERPTR_EMU_DEBUGFS_PATH, O_RDWR);
}

/* Return 0 or -errno, like the kernel. */
static int emu_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int emu_create(int fd, void *addr, size_t len, unsigned int flags,
		      struct userptr_emu_create *out)
{
	struct userptr_emu_create c = {
		.addr = (uintptr_t)addr,
		.len = len,
		.flags = flags,
	};
	int ret = emu_ioctl(fd, USERPTR_EMU_CREATE, &c);

	if (out)
		*out = c;
	return ret;
}

static int emu_destroy(int fd, __u32 handle)
{
	struct userptr_emu_destroy d = { .handle = handle };

	return emu_ioctl(fd, USERPTR_EMU_DESTROY, &d);
}

static int emu_submit(int fd, __u32 handle, unsigned int flags,
		      struct userptr_emu_submit *out)
{
	struct userptr_emu_submit s = { .handle = handle, .flags = flags };
	int ret = emu_ioctl(fd, USERPTR_EMU_SUBMIT, &s);

	if (out)
		*out = s;
	return ret;
}

static int emu_stats(int fd, __u32 scope, __u32 handle,
		     struct userptr_emu_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->scope = scope;
	out->handle = handle;
	return emu_ioctl(fd, USERPTR_EMU_STATS, out);
}

FIXTURE(emu) {
	int fd;
	size_t page;
	char *buf;
	size_t len;
};

FIXTURE_SETUP(emu)
{
	self->page = getpagesize();
	self->len = NR_PAGES * self->page;
	self->fd = emu_open();
	if (self->fd < 0)
		SKIP(return, "%s: %s (insmod userptr_emu.ko, mount debugfs)",
		     USERPTR_EMU_DEBUGFS_PATH, strerror(errno));
	self->buf = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(self->buf, MAP_FAILED);
	memset(self->buf, 0x5a, self->len);
}

FIXTURE_TEARDOWN(emu)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->buf && self->buf != MAP_FAILED)
		munmap(self->buf, self->len);
}

TEST_F(emu, features)
{
	struct userptr_emu_stats st;

	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_GLOBAL, 0, &st), 0);
	TH_LOG("MAYFAIL support %s, honoured %s, invalidate_wait_us %u",
	       st.features & USERPTR_EMU_FEAT_MAYFAIL ? "yes" : "no",
	       st.features & USERPTR_EMU_FEAT_HONOUR_MAYFAIL ? "yes" : "no",
	       st.invalidate_wait_us);
	ASSERT_EQ(st.features & ~(USERPTR_EMU_FEAT_MAYFAIL |
				  USERPTR_EMU_FEAT_HONOUR_MAYFAIL), 0);
	ASSERT_LE(st.invalidate_wait_us, USERPTR_EMU_MAX_WAIT_US);
}

TEST_F(emu, create_destroy)
{
	struct userptr_emu_create c;
	struct userptr_emu_stats st;

	ASSERT_EQ(emu_create(self->fd, self->buf, self->len, 0, &c), 0);
	ASSERT_NE(c.handle, 0);
	ASSERT_EQ(c.npages, NR_PAGES);

	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, c.handle, &st), 0);
	ASSERT_EQ(st.pages_held, NR_PAGES);
	ASSERT_EQ(st.pages_pinned, NR_PAGES);
	ASSERT_EQ(st.objects, 1);

	ASSERT_EQ(emu_destroy(self->fd, c.handle), 0);
	ASSERT_EQ(emu_destroy(self->fd, c.handle), -ENOENT);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, c.handle, &st),
		  -ENOENT);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_FILE, 0, &st), 0);
	ASSERT_EQ(st.pages_held, 0);
	ASSERT_EQ(st.objects, 0);
	ASSERT_EQ(st.pages_pinned, NR_PAGES);
}

TEST_F(emu, create_flag_variants)
{
	static const unsigned int flags[] = {
		USERPTR_EMU_READONLY,
		USERPTR_EMU_LONGTERM,
		USERPTR_EMU_USE_GET,
		USERPTR_EMU_PIN_INCREMENTAL,
		USERPTR_EMU_USE_GET | USERPTR_EMU_PIN_INCREMENTAL |
			USERPTR_EMU_READONLY,
		USERPTR_EMU_LONGTERM | USERPTR_EMU_PIN_INCREMENTAL,
	};
	struct userptr_emu_create c;
	struct userptr_emu_stats st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		ASSERT_EQ(emu_create(self->fd, self->buf, self->len, flags[i],
				     &c), 0);
		ASSERT_EQ(c.npages, NR_PAGES);
		ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT,
				    c.handle, &st), 0);
		ASSERT_EQ(st.pages_held, NR_PAGES);
		ASSERT_EQ(emu_destroy(self->fd, c.handle), 0);
	}
}

TEST_F(emu, create_bad_flags)
{
	struct userptr_emu_create c;

	ASSERT_EQ(emu_create(self->fd, self->buf, self->page,
			     ~USERPTR_EMU_CREATE_FLAGS, NULL), -EINVAL);
	ASSERT_EQ(emu_create(self->fd, self->buf, self->page, 0x80000000u,
			     NULL), -EINVAL);
	ASSERT_EQ(emu_create(self->fd, self->buf, self->page,
			     USERPTR_EMU_USE_GET | USERPTR_EMU_LONGTERM, NULL),
		  -EINVAL);

	/* Output and padding fields must be zero on input. */
	memset(&c, 0, sizeof(c));
	c.addr = (uintptr_t)self->buf;
	c.len = self->page;
	c.pad = 1;
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_CREATE, &c), -EINVAL);
	c.pad = 0;
	c.handle = 7;
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_CREATE, &c), -EINVAL);
	c.handle = 0;
	c.stale = 1;
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_CREATE, &c), -EINVAL);
}

TEST_F(emu, create_bad_range)
{
	__u64 top = ~(__u64)(self->page - 1);

	ASSERT_EQ(emu_create(self->fd, self->buf, 0, 0, NULL), -EINVAL);
	ASSERT_EQ(emu_create(self->fd, self->buf + 1, self->page, 0, NULL),
		  -EINVAL);
	ASSERT_EQ(emu_create(self->fd, self->buf, self->page + 1, 0, NULL),
		  -EINVAL);
	ASSERT_EQ(emu_create(self->fd, self->buf, 1, 0, NULL), -EINVAL);
	/* addr + len wraps */
	ASSERT_EQ(emu_create(self->fd, (void *)(uintptr_t)top, 2 * self->page,
			     0, NULL), -EINVAL);
	ASSERT_EQ(emu_create(self->fd, self->buf, top, 0, NULL), -EINVAL);
	/* too long for one object */
	ASSERT_EQ(emu_create(self->fd, self->buf,
			     (USERPTR_EMU_MAX_OBJ_PAGES + 1ull) * self->page, 0,
			     NULL), -E2BIG);
	/* kernel half of the address space */
	ASSERT_EQ(emu_create(self->fd, (void *)(uintptr_t)(1ull << 63),
			     self->page, 0, NULL), -EFAULT);
	ASSERT_EQ(emu_create(self->fd, (void *)(uintptr_t)(top - self->page),
			     self->page, 0, NULL), -EFAULT);
	/* NULL page */
	ASSERT_EQ(emu_create(self->fd, NULL, self->page, 0, NULL), -EFAULT);
}

TEST_F(emu, create_unmapped)
{
	struct userptr_emu_stats st;
	char *p;

	/* hole in the middle */
	ASSERT_EQ(munmap(self->buf + 4 * self->page, self->page), 0);
	ASSERT_EQ(emu_create(self->fd, self->buf, 8 * self->page, 0, NULL),
		  -EFAULT);
	ASSERT_EQ(emu_create(self->fd, self->buf + 4 * self->page, self->page,
			     USERPTR_EMU_PIN_INCREMENTAL, NULL), -EFAULT);
	ASSERT_EQ(emu_create(self->fd, self->buf, 8 * self->page,
			     USERPTR_EMU_PIN_INCREMENTAL, NULL), -EFAULT);

	/* PROT_NONE */
	ASSERT_EQ(mprotect(self->buf, self->page, PROT_NONE), 0);
	ASSERT_EQ(emu_create(self->fd, self->buf, self->page, 0, NULL),
		  -EFAULT);
	ASSERT_EQ(emu_create(self->fd, self->buf, self->page,
			     USERPTR_EMU_READONLY, NULL), -EFAULT);

	/* read-only mapping: only a READONLY object may pin it */
	ASSERT_EQ(mprotect(self->buf, self->page, PROT_READ), 0);
	ASSERT_EQ(emu_create(self->fd, self->buf, self->page, 0, NULL),
		  -EFAULT);
	ASSERT_EQ(emu_create(self->fd, self->buf, self->page,
			     USERPTR_EMU_READONLY, NULL), 0);

	/* nothing leaked by the failures */
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_FILE, 0, &st), 0);
	ASSERT_EQ(st.objects, 1);
	ASSERT_EQ(st.pages_held, 1);

	/* a range that was mapped once and is gone */
	p = mmap(NULL, self->page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(munmap(p, self->page), 0);
	ASSERT_EQ(emu_create(self->fd, p, self->page, 0, NULL), -EFAULT);
}

TEST_F(emu, double_create_same_range)
{
	struct userptr_emu_create a, b;
	struct userptr_emu_stats st;

	ASSERT_EQ(emu_create(self->fd, self->buf, self->len, 0, &a), 0);
	ASSERT_EQ(emu_create(self->fd, self->buf, self->len, 0, &b), 0);
	ASSERT_NE(a.handle, b.handle);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_FILE, 0, &st), 0);
	ASSERT_EQ(st.objects, 2);
	ASSERT_EQ(st.pages_held, 2 * NR_PAGES);
	ASSERT_EQ(emu_destroy(self->fd, a.handle), 0);
	ASSERT_EQ(emu_submit(self->fd, b.handle, 0, NULL), 0);
	ASSERT_EQ(emu_destroy(self->fd, b.handle), 0);
}

TEST_F(emu, bad_handles)
{
	struct userptr_emu_destroy d = { 0 };
	struct userptr_emu_submit s = { 0 };
	struct userptr_emu_create c;
	__u32 old;
	int fd2;

	ASSERT_EQ(emu_destroy(self->fd, 0), -ENOENT);
	ASSERT_EQ(emu_destroy(self->fd, 12345), -ENOENT);
	ASSERT_EQ(emu_destroy(self->fd, ~0u), -ENOENT);
	ASSERT_EQ(emu_submit(self->fd, 0, 0, NULL), -ENOENT);
	ASSERT_EQ(emu_submit(self->fd, 12345, 0, NULL), -ENOENT);
	ASSERT_EQ(emu_submit(self->fd, 12345, USERPTR_EMU_SUBMIT_CHECK, NULL),
		  -ENOENT);

	ASSERT_EQ(emu_create(self->fd, self->buf, self->page, 0, &c), 0);
	d.handle = c.handle;
	d.pad = 1;
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_DESTROY, &d), -EINVAL);
	s.handle = c.handle;
	s.flags = 0x100;
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_SUBMIT, &s), -EINVAL);
	s.flags = 0;
	s.pad = 1;
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_SUBMIT, &s), -EINVAL);
	s.pad = 0;
	s.repinned = 1;
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_SUBMIT, &s), -EINVAL);

	/* handles are per file */
	fd2 = emu_open();
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(emu_submit(fd2, c.handle, 0, NULL), -ENOENT);
	ASSERT_EQ(emu_destroy(fd2, c.handle), -ENOENT);
	close(fd2);

	/* handles are not reused */
	old = c.handle;
	ASSERT_EQ(emu_destroy(self->fd, old), 0);
	ASSERT_EQ(emu_create(self->fd, self->buf, self->page, 0, &c), 0);
	ASSERT_NE(c.handle, old);
	ASSERT_EQ(emu_destroy(self->fd, old), -ENOENT);
}

TEST_F(emu, bad_stats)
{
	struct userptr_emu_stats st;

	ASSERT_EQ(emu_stats(self->fd, 3, 0, &st), -EINVAL);
	ASSERT_EQ(emu_stats(self->fd, ~0u, 0, &st), -EINVAL);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_FILE, 1, &st), -EINVAL);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_GLOBAL, 1, &st),
		  -EINVAL);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, 0, &st),
		  -ENOENT);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, 99, &st),
		  -ENOENT);
	memset(&st, 0, sizeof(st));
	st.scope = USERPTR_EMU_SCOPE_OBJECT;
	st.handle = 99;
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_RESET_STATS, &st), -ENOENT);
}

TEST_F(emu, bad_ioctl)
{
	struct userptr_emu_stats st = { .scope = USERPTR_EMU_SCOPE_FILE };

	ASSERT_EQ(emu_ioctl(self->fd, _IO('U', 0x7f), NULL), -ENOTTY);
	ASSERT_EQ(emu_ioctl(self->fd, _IOWR('U', 0x03, __u64), &st),
		  -ENOTTY);
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_STATS, NULL), -EFAULT);
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_CREATE, (void *)8), -EFAULT);
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_STATS, &st), 0);
}

TEST_F(emu, reset_stats)
{
	struct userptr_emu_create c;
	struct userptr_emu_stats st;

	ASSERT_EQ(emu_create(self->fd, self->buf, self->len, 0, &c), 0);
	ASSERT_EQ(emu_submit(self->fd, c.handle, 0, NULL), 0);

	memset(&st, 0, sizeof(st));
	st.scope = USERPTR_EMU_SCOPE_FILE;
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_RESET_STATS, &st), 0);
	ASSERT_EQ(st.submits, 1);
	ASSERT_EQ(st.pages_pinned, NR_PAGES);

	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_FILE, 0, &st), 0);
	ASSERT_EQ(st.submits, 0);
	ASSERT_EQ(st.pages_pinned, 0);
	/* gauges survive a reset */
	ASSERT_EQ(st.pages_held, NR_PAGES);
	ASSERT_EQ(st.objects, 1);
	/* the object's own counters are separate */
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, c.handle, &st),
		  0);
	ASSERT_EQ(st.submits, 1);
}

/* The i915 execbuf path: invalidation -> stale -> unpin + re-pin. */
TEST_F(emu, submit_repin_after_invalidation)
{
	struct userptr_emu_create c;
	struct userptr_emu_submit s;
	struct userptr_emu_stats st;

	ASSERT_EQ(emu_create(self->fd, self->buf, self->len, 0, &c), 0);
	ASSERT_EQ(c.stale, 0);

	ASSERT_EQ(emu_submit(self->fd, c.handle, 0, &s), 0);
	ASSERT_EQ(s.stale, 0);
	ASSERT_EQ(s.repinned, 0);
	ASSERT_EQ(emu_submit(self->fd, c.handle, USERPTR_EMU_SUBMIT_CHECK, &s),
		  0);
	ASSERT_EQ(s.stale, 0);
	ASSERT_EQ(s.present, NR_PAGES);
	ASSERT_EQ(s.mismatch, 0);

	/* MADV_DONTNEED zaps the PTEs (MMU_NOTIFY_CLEAR); the pins stay. */
	ASSERT_EQ(madvise(self->buf, self->len, MADV_DONTNEED), 0);
	ASSERT_EQ(emu_submit(self->fd, c.handle, USERPTR_EMU_SUBMIT_CHECK, &s),
		  0);
	ASSERT_EQ(s.stale, 1);
	ASSERT_EQ(s.present, 0);
	/* refault: new zero pages, the object holds the old ones */
	memset(self->buf, 0xa5, self->len);
	ASSERT_EQ(emu_submit(self->fd, c.handle, USERPTR_EMU_SUBMIT_CHECK, &s),
		  0);
	ASSERT_EQ(s.present, NR_PAGES);
	ASSERT_EQ(s.mismatch, NR_PAGES);

	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, c.handle, &st),
		  0);
	ASSERT_GE(st.invalidations, 1);
	ASSERT_GE(st.by_event[USERPTR_EMU_EV_CLEAR], 1);
	ASSERT_EQ(st.pinned_hits, st.invalidations);
	ASSERT_EQ(st.self_invalidations, 0);
	ASSERT_EQ(st.repins, 0);

	ASSERT_EQ(emu_submit(self->fd, c.handle, 0, &s), 0);
	ASSERT_EQ(s.stale, 1);
	ASSERT_EQ(s.repinned, 1);
	ASSERT_EQ(emu_submit(self->fd, c.handle, USERPTR_EMU_SUBMIT_CHECK, &s),
		  0);
	ASSERT_EQ(s.stale, 0);
	ASSERT_EQ(s.mismatch, 0);
	ASSERT_EQ(emu_submit(self->fd, c.handle, 0, &s), 0);
	ASSERT_EQ(s.repinned, 0);

	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, c.handle, &st),
		  0);
	ASSERT_EQ(st.repins, 1);
	ASSERT_EQ(st.submits, 3);
	ASSERT_EQ(st.pages_pinned, 2 * NR_PAGES);
	ASSERT_EQ(st.pages_held, NR_PAGES);
	ASSERT_EQ(st.mayfail_declined, 0);
}

TEST_F(emu, events_mprotect_munmap)
{
	struct userptr_emu_create c;
	struct userptr_emu_submit s;
	struct userptr_emu_stats st;

	ASSERT_EQ(emu_create(self->fd, self->buf, self->len,
			     USERPTR_EMU_USE_GET, &c), 0);
	ASSERT_EQ(mprotect(self->buf, self->len, PROT_READ), 0);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, c.handle, &st),
		  0);
	ASSERT_GE(st.by_event[USERPTR_EMU_EV_PROTECTION_VMA], 1);
	ASSERT_EQ(st.ref_hits, st.invalidations);
	ASSERT_EQ(st.pinned_hits, 0);

	/* write re-pin of a read-only mapping fails cleanly */
	ASSERT_EQ(emu_submit(self->fd, c.handle, 0, &s), -EFAULT);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, c.handle, &st),
		  0);
	ASSERT_EQ(st.pages_held, 0);
	ASSERT_EQ(mprotect(self->buf, self->len, PROT_READ | PROT_WRITE), 0);
	ASSERT_EQ(emu_submit(self->fd, c.handle, 0, &s), 0);
	ASSERT_EQ(s.repinned, 0);	/* nothing was held to re-pin */
	ASSERT_EQ(s.stale, 1);

	ASSERT_EQ(munmap(self->buf, self->len), 0);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, c.handle, &st),
		  0);
	ASSERT_GE(st.by_event[USERPTR_EMU_EV_UNMAP], 1);
	ASSERT_EQ(emu_submit(self->fd, c.handle, 0, &s), -EFAULT);
	ASSERT_EQ(emu_submit(self->fd, c.handle, USERPTR_EMU_SUBMIT_CHECK, &s),
		  0);
	ASSERT_EQ(s.stale, 1);
	ASSERT_EQ(s.present, 0);
	ASSERT_EQ(emu_destroy(self->fd, c.handle), 0);
	self->buf = NULL;
}

TEST_F(emu, max_objects_and_release_on_close)
{
	struct userptr_emu_stats before, st;
	struct userptr_emu_create c;
	int fd2, i;

	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_GLOBAL, 0, &before), 0);

	fd2 = emu_open();
	ASSERT_GE(fd2, 0);
	for (i = 0; i < USERPTR_EMU_MAX_OBJECTS; i++)
		ASSERT_EQ(emu_create(fd2, self->buf, self->page, 0, &c), 0);
	ASSERT_EQ(emu_create(fd2, self->buf, self->page, 0, &c), -ENOSPC);
	/* the cap is per file */
	ASSERT_EQ(emu_create(self->fd, self->buf, self->page, 0, &c), 0);
	ASSERT_EQ(emu_destroy(self->fd, c.handle), 0);

	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_GLOBAL, 0, &st), 0);
	ASSERT_EQ(st.objects, before.objects + USERPTR_EMU_MAX_OBJECTS);
	ASSERT_EQ(st.pages_held, before.pages_held + USERPTR_EMU_MAX_OBJECTS);

	close(fd2);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_GLOBAL, 0, &st), 0);
	ASSERT_EQ(st.objects, before.objects);
	ASSERT_EQ(st.pages_held, before.pages_held);
}

TEST_F(emu, failed_create_releases_budget)
{
	size_t len = (size_t)USERPTR_EMU_MAX_OBJ_PAGES * self->page;
	struct userptr_emu_create c;
	char *big;
	int i;

	/* reserve without touching: PROT_NONE fails only after the budget */
	big = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_NORESERVE, -1, 0);
	ASSERT_NE(big, MAP_FAILED);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(emu_create(self->fd, big, len, 0, &c), -EFAULT);
	munmap(big, len);
	/* failed creates must not keep their reservation */
	ASSERT_EQ(emu_create(self->fd, self->buf, self->page, 0, &c), 0);
}

TEST_F(emu, other_mm_after_fork)
{
	struct userptr_emu_create c;
	struct userptr_emu_stats st;
	int status;
	pid_t pid;

	ASSERT_EQ(emu_create(self->fd, self->buf, self->len, 0, &c), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct userptr_emu_submit s;

		/* the object belongs to the parent's mm, like i915 */
		if (emu_submit(self->fd, c.handle, 0, &s) != -EFAULT)
			_exit(1);
		if (emu_submit(self->fd, c.handle, USERPTR_EMU_SUBMIT_CHECK,
			       &s) != -EFAULT)
			_exit(2);
		/* an object of the child's own mm, torn down by exit */
		if (emu_create(self->fd, self->buf, self->page, 0, NULL))
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);

	/* the child's exit released its mm: MMU_NOTIFY_RELEASE */
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_FILE, 0, &st), 0);
	ASSERT_EQ(st.objects, 2);
	ASSERT_GE(st.by_event[USERPTR_EMU_EV_RELEASE], 1);
	ASSERT_EQ(emu_submit(self->fd, c.handle, 0, NULL), 0);
	/* closing the file (teardown) frees the orphan of the dead mm */
}

static int set_wait_us(unsigned int us)
{
	FILE *f = fopen(WAIT_PARAM, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%u\n", us) < 0 ? -EIO : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/* invalidate_wait_us: the callback sleeps, and the time is accounted. */
TEST_F(emu, invalidate_wait)
{
	struct userptr_emu_create c;
	struct userptr_emu_stats st;

	if (set_wait_us(2000))
		SKIP(return, "cannot write %s", WAIT_PARAM);
	ASSERT_EQ(emu_create(self->fd, self->buf, self->len, 0, &c), 0);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, c.handle, &st),
		  0);
	ASSERT_EQ(st.invalidate_wait_us, 2000);
	ASSERT_EQ(mprotect(self->buf, self->len, PROT_READ), 0);
	ASSERT_EQ(set_wait_us(0), 0);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, c.handle, &st),
		  0);
	ASSERT_GE(st.invalidations, 1);
	ASSERT_GE(st.invalidate_ns, 2000000ull * st.invalidations);
	ASSERT_EQ(st.nonblock_declined, 0);
	ASSERT_EQ(st.invalidate_wait_us, 0);

	/* the parameter is clamped */
	ASSERT_EQ(set_wait_us(~0u), 0);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, c.handle, &st),
		  0);
	ASSERT_EQ(set_wait_us(0), 0);
	ASSERT_EQ(st.invalidate_wait_us, USERPTR_EMU_MAX_WAIT_US);
}

/*
 * MADV_PAGEOUT over pinned shmem and anon memory.  Whether reclaim fires
 * the notifier depends on the kernel (that is what the scenario tests
 * measure); here only the invariant every arm must keep is checked: a pinned
 * page is never freed, so after a refault the CPU maps the very page the
 * object holds.
 */
TEST_F(emu, reclaim_keeps_pinned_pages)
{
	struct userptr_emu_create c[2];
	struct userptr_emu_submit s;
	struct userptr_emu_stats st;
	char *shm;
	int memfd, i;

	memfd = memfd_create("userptr_emu", 0);
	ASSERT_GE(memfd, 0);
	ASSERT_EQ(ftruncate(memfd, self->len), 0);
	shm = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		   0);
	ASSERT_NE(shm, MAP_FAILED);
	memset(shm, 0x3c, self->len);

	ASSERT_EQ(emu_create(self->fd, shm, self->len, 0, &c[0]), 0);
	ASSERT_EQ(emu_create(self->fd, self->buf, self->len,
			     USERPTR_EMU_PIN_INCREMENTAL, &c[1]), 0);
	ASSERT_EQ(madvise(shm, self->len, MADV_PAGEOUT), 0);
	ASSERT_EQ(madvise(self->buf, self->len, MADV_PAGEOUT), 0);

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT,
				    c[i].handle, &st), 0);
		TH_LOG("%s: invalidations %llu (clear %llu) pinned_hits %llu mayfail_declined %llu",
		       i ? "anon" : "shmem",
		       (unsigned long long)st.invalidations,
		       (unsigned long long)st.by_event[USERPTR_EMU_EV_CLEAR],
		       (unsigned long long)st.pinned_hits,
		       (unsigned long long)st.mayfail_declined);
		ASSERT_EQ(st.pinned_hits, st.invalidations);
	}
	ASSERT_EQ(shm[0] + shm[self->len - 1], 2 * 0x3c);
	ASSERT_EQ(self->buf[0] + self->buf[self->len - 1], 2 * 0x5a);
	memset(shm, 0x3d, self->len);
	memset(self->buf, 0x5b, self->len);

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(emu_submit(self->fd, c[i].handle,
				     USERPTR_EMU_SUBMIT_CHECK, &s), 0);
		ASSERT_EQ(s.present, NR_PAGES);
		ASSERT_EQ(s.mismatch, 0);
		ASSERT_EQ(emu_submit(self->fd, c[i].handle, 0, &s), 0);
	}
	munmap(shm, self->len);
	close(memfd);
}

static __u64 young_sum(const struct userptr_emu_stats *st)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < USERPTR_EMU_NR_YOUNG; i++)
		n += st->young_calls[i];
	return n;
}

static long long swap_total_kb(void)
{
	long long kb = -1;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SwapTotal: %lld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

#define YOUNG_CG	"emu_ioctl_young"	/* under WB_CGROUP_ROOT */

/*
 * The aging callbacks of the plain mmu_notifier: no reclaim, no call; a
 * memory.reclaim in a memory cgroup ages the mapped folios it meets
 * through the rmap (folio_referenced(): clear_flush_young, or clear_young
 * with MGLRU) and every subscriber of the mm sees it.  Whether the pinned
 * half is aged depends on the kernel (the benchmarks measure it); only the
 * unpinned half must be, on every arm.  Without a memory cgroup or swap the
 * reclaim part is left out (logged, not skipped).
 */
TEST_F(emu, young_callbacks)
{
	struct userptr_emu_create c;
	struct userptr_emu_stats st;
	size_t len = 8 * self->len;
	char *shm, cg[PATH_MAX] = "";
	int memfd, ret;

	memfd = memfd_create("userptr_emu_young", 0);
	ASSERT_GE(memfd, 0);
	ASSERT_EQ(ftruncate(memfd, len), 0);
	shm = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(shm, MAP_FAILED);

	/* Charged to the cgroup if there is one: fill after moving in. */
	ret = -ENOENT;
	if (swap_total_kb() > 0 && !wb_memcg_create(cg, sizeof(cg), YOUNG_CG))
		ret = wb_memcg_enter(cg);
	memset(shm, 0x42, len);

	ASSERT_EQ(emu_create(self->fd, shm, len / 2, 0, &c), 0);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT, c.handle, &st),
		  0);
	ASSERT_EQ(young_sum(&st), 0);
	ASSERT_EQ(st.young_pages, 0);
	ASSERT_EQ(st.young_pinned_calls, 0);
	ASSERT_EQ(st.young_pinned_pages, 0);

	if (!ret) {
		ASSERT_EQ(madvise(shm, len, MADV_COLD), 0);
		ret = wb_memcg_reclaim(cg, len / 2);
		TH_LOG("memory.reclaim of %zu bytes: %s", len / 2,
		       ret ? strerror(-ret) : "done");
		ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_OBJECT,
				    c.handle, &st), 0);
		TH_LOG("young calls %llu/%llu/%llu (clear_flush/clear/test), %llu pages; on pinned pages %llu calls, %llu pages",
		       (unsigned long long)st.young_calls[USERPTR_EMU_YOUNG_CLEAR_FLUSH],
		       (unsigned long long)st.young_calls[USERPTR_EMU_YOUNG_CLEAR],
		       (unsigned long long)st.young_calls[USERPTR_EMU_YOUNG_TEST],
		       (unsigned long long)st.young_pages,
		       (unsigned long long)st.young_pinned_calls,
		       (unsigned long long)st.young_pinned_pages);
		ASSERT_GT(young_sum(&st), st.young_pinned_calls);
		wb_write_text(WB_CGROUP_ROOT "/cgroup.procs", "0");
	} else {
		TH_LOG("no memory cgroup or no swap: aging not exercised");
	}
	ASSERT_LE(st.young_pinned_calls, young_sum(&st));
	ASSERT_LE(st.young_pinned_pages, st.young_pages);
	ASSERT_LE(st.young_pinned_pages, st.young_pinned_calls * 512);

	/* reset clears them; the file scope has the same counts */
	memset(&st, 0, sizeof(st));
	st.scope = USERPTR_EMU_SCOPE_FILE;
	ASSERT_EQ(emu_ioctl(self->fd, USERPTR_EMU_RESET_STATS, &st), 0);
	ASSERT_EQ(emu_stats(self->fd, USERPTR_EMU_SCOPE_FILE, 0, &st), 0);
	ASSERT_EQ(young_sum(&st), 0);
	ASSERT_EQ(st.young_pages, 0);
	ASSERT_EQ(st.young_pinned_pages, 0);

	ASSERT_EQ(emu_destroy(self->fd, c.handle), 0);
	munmap(shm, len);
	close(memfd);
	wb_memcg_remove(cg);
}

TEST_HARNESS_MAIN
