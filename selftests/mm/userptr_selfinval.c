// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim vs. an i915-userptr-like object (the userptr_emu test module):
 *
 *  - pin_loop.memcg_at_limit: the 2020 scenario.  An object is pinned one
 *    page per GUP call (USERPTR_EMU_PIN_INCREMENTAL) inside a memcg at its
 *    limit, so direct reclaim entered from the pin loop meets the object's
 *    own, already pinned pages and invalidates the object while it is being
 *    pinned ("self-invalidation").  Base and mayfail may or may not get
 *    there (LRU order): their counts are reported, not asserted.  Pin-aware
 *    reclaim skips pinned folios, so there must be none.
 *
 *  - pageout.{pin,get}: MADV_PAGEOUT of a pinned (FOLL_PIN) or referenced
 *    (FOLL_GET, USERPTR_EMU_USE_GET) shmem object, expectations per arm in
 *    pageout_expect[].
 *
 * Not an upstream selftest: the module is out of tree.  PIN_RECLAIM_ARM
 * selects the arm as for pin_reclaim (default pin-aware).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "../kselftest_harness.h"
#include "userptr_emu.h"
#include "wb.h"

WB_ARM_FROM_ENV(ARM_PIN_AWARE)

/*
 * MADV_PAGEOUT of a shmem object, seen by the object:
 * @invalidated: its notifier was called for the range
 * @stale: SUBMIT_CHECK finds the sequence changed (the driver would re-pin)
 * @mapped: all CPU PTEs of the range are still there
 */
struct emu_expect {
	bool invalidated;
	bool stale;
	bool mapped;
};

/*
 * mayfail: the emulator declines MAYFAIL invalidations of pinning objects
 * (no mmu_interval_set_seq(), so not stale), but the invalidation still
 * happens and the shmem PTEs are still zapped.  USE_GET objects never
 * decline.
 */
static const struct emu_expect pageout_expect[2][NR_ARMS] = {
	/*            base                  mayfail               pin-aware */
	/* pin */ { { true, true, false }, { true, false, false }, { false, false, true } },
	/* get */ { { true, true, false }, { true, true,  false }, { true,  true,  false } },
};

FIXTURE(emu)
{
	int fd;
	char cg[PATH_MAX];
	struct userptr_emu_stats features;
};

FIXTURE_SETUP(emu)
{
	if (getuid())
		SKIP(return, "must run as root");
	self->fd = open(USERPTR_EMU_DEBUGFS_PATH, O_RDWR);
	if (self->fd < 0)
		SKIP(return, "no %s (insmod userptr_emu.ko)", USERPTR_EMU_DEBUGFS_PATH);
	if (!wb_have_swap())
		SKIP(return, "no swap device");
	if (!wb_have_cgroup2())
		SKIP(return, "no cgroup v2 at " WB_CGROUP_ROOT);
	self->features.scope = USERPTR_EMU_SCOPE_FILE;
	ASSERT_EQ(ioctl(self->fd, USERPTR_EMU_STATS, &self->features), 0);
	TH_LOG("arm %s, emulator features 0x%x", wb_arm_name(arm),
	       self->features.features);
	if (arm == ARM_MAYFAIL)
		ASSERT_TRUE(self->features.features & USERPTR_EMU_FEAT_HONOUR_MAYFAIL)
			TH_LOG("mayfail arm but the emulator does not honour MAYFAIL");

	ASSERT_EQ(wb_memcg_create(self->cg, sizeof(self->cg),
				  "userptr_selfinval.%d", getpid()), 0);
	ASSERT_EQ(wb_memcg_enter(self->cg), 0);
}

FIXTURE_TEARDOWN(emu)
{
	close(self->fd);
	if (self->cg[0])
		wb_memcg_set_max(self->cg, 0);
	wb_memcg_remove(self->cg);
}

FIXTURE_VARIANT(emu)
{
	bool use_get;
};

FIXTURE_VARIANT_ADD(emu, pin)
{
	.use_get = false,
};

FIXTURE_VARIANT_ADD(emu, get)
{
	.use_get = true,
};

/* wb.h's pin loop at the memcg limit, pinned by the emulator. */
TEST_F_TIMEOUT(emu, pin_loop_memcg_at_limit, 240)
{
	struct userptr_emu_create c = { 0 };
	struct userptr_emu_submit s = { 0 };
	struct userptr_emu_stats st = { .scope = USERPTR_EMU_SCOPE_FILE };
	struct wb_pin_loop pl;

	ASSERT_EQ(wb_pin_loop_map(&pl, WB_PIN_LOOP_OBJECT, WB_PIN_LOOP_FILLER), 0);
	ASSERT_EQ(wb_pin_loop_prepare(&pl, self->cg, NULL, 0), 0);

	ASSERT_EQ(ioctl(self->fd, USERPTR_EMU_RESET_STATS, &st), 0);
	c.addr = (uintptr_t)pl.obj;
	c.len = pl.obj_len;
	c.flags = USERPTR_EMU_PIN_INCREMENTAL |
		  (variant->use_get ? USERPTR_EMU_USE_GET : USERPTR_EMU_LONGTERM);
	ASSERT_EQ(ioctl(self->fd, USERPTR_EMU_CREATE, &c), 0)
		TH_LOG("USERPTR_EMU_CREATE: %s", strerror(errno));
	ASSERT_EQ(c.npages, pl.obj_len / getpagesize());

	s.handle = c.handle;
	s.flags = USERPTR_EMU_SUBMIT_CHECK;
	ASSERT_EQ(ioctl(self->fd, USERPTR_EMU_SUBMIT, &s), 0);
	st.scope = USERPTR_EMU_SCOPE_FILE;
	ASSERT_EQ(ioctl(self->fd, USERPTR_EMU_STATS, &st), 0);

	ksft_print_msg("result arm=%s scenario=pin_loop pin=%s npages=%llu self_invalidations=%llu recursive_invalidations=%llu invalidations=%llu mayfail_declined=%llu stale=%u present=%llu mismatch=%llu\n",
		       wb_arm_name(arm), variant->use_get ? "get" : "pin",
		       (unsigned long long)c.npages,
		       (unsigned long long)c.self_invalidations,
		       (unsigned long long)st.recursive_invalidations,
		       (unsigned long long)st.invalidations,
		       (unsigned long long)st.mayfail_declined, s.stale,
		       (unsigned long long)s.present,
		       (unsigned long long)s.mismatch);
	fflush(stdout);	/* the harness _exit()s its test children */

	/* Every arm: the object never holds a page the CPU does not map. */
	EXPECT_EQ(s.mismatch, 0);
	/* pin-aware: reclaim leaves the pinned pages, and the object, alone. */
	if (arm == ARM_PIN_AWARE && !variant->use_get) {
		EXPECT_EQ(c.self_invalidations, 0);
		EXPECT_EQ(st.recursive_invalidations, 0);
		EXPECT_EQ(s.stale, 0);
	}

	ASSERT_EQ(wb_pin_loop_end(self->cg), 0);
	wb_pin_loop_unmap(&pl);
}

TEST_F_TIMEOUT(emu, pageout, 120)
{
	const struct emu_expect *e = &pageout_expect[variant->use_get][arm];
	struct userptr_emu_create c = { 0 };
	struct userptr_emu_submit s = { 0 };
	struct userptr_emu_stats st = { .scope = USERPTR_EMU_SCOPE_OBJECT };
	size_t size = 32 * getpagesize();
	char *obj;

	obj = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(obj, MAP_FAILED);
	madvise(obj, size, MADV_NOHUGEPAGE);
	memset(obj, 0x5a, size);

	c.addr = (uintptr_t)obj;
	c.len = size;
	c.flags = variant->use_get ? USERPTR_EMU_USE_GET : USERPTR_EMU_LONGTERM;
	ASSERT_EQ(ioctl(self->fd, USERPTR_EMU_CREATE, &c), 0)
		TH_LOG("USERPTR_EMU_CREATE: %s", strerror(errno));
	st.handle = c.handle;
	ASSERT_EQ(ioctl(self->fd, USERPTR_EMU_RESET_STATS, &st), 0);

	ASSERT_EQ(madvise(obj, size, MADV_PAGEOUT), 0);

	st.scope = USERPTR_EMU_SCOPE_OBJECT;
	st.handle = c.handle;
	ASSERT_EQ(ioctl(self->fd, USERPTR_EMU_STATS, &st), 0);
	s.handle = c.handle;
	s.flags = USERPTR_EMU_SUBMIT_CHECK;
	ASSERT_EQ(ioctl(self->fd, USERPTR_EMU_SUBMIT, &s), 0);

	ksft_print_msg("result arm=%s scenario=pageout_shmem pin=%s npages=%llu invalidations=%llu pinned_hits=%llu ref_hits=%llu mayfail_declined=%llu stale=%u present=%llu mismatch=%llu\n",
		       wb_arm_name(arm), variant->use_get ? "get" : "pin",
		       (unsigned long long)c.npages,
		       (unsigned long long)st.invalidations,
		       (unsigned long long)st.pinned_hits,
		       (unsigned long long)st.ref_hits,
		       (unsigned long long)st.mayfail_declined, s.stale,
		       (unsigned long long)s.present,
		       (unsigned long long)s.mismatch);
	fflush(stdout);	/* the harness _exit()s its test children */

	if (e->invalidated) {
		EXPECT_GE(st.invalidations, 1);
	} else {
		EXPECT_EQ(st.invalidations, 0);
	}
	EXPECT_EQ(!!s.stale, e->stale);
	if (e->mapped) {
		EXPECT_EQ(s.present, c.npages);
	} else {
		EXPECT_LT(s.present, c.npages);
	}
	if (arm == ARM_MAYFAIL && !variant->use_get) {
		EXPECT_GE(st.mayfail_declined, 1);
	}
	EXPECT_EQ(s.mismatch, 0);

	munmap(obj, size);
}

TEST_HARNESS_MAIN
