// SPDX-License-Identifier: GPL-2.0
/*
 * Progress under pressure: a memcg whose memory is 90 % long-term pinned.
 *
 * A child in a memcg with memory.max = CG_MAX and memory.swap.max = CG_SWAP
 * pins 90 % of CG_MAX with gup_test (FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE,
 * as selftests/mm/pin_reclaim.c pins), then
 *  phase 1: touches 4 MiB and allocates 8 MiB more than fits: reclaim must
 *           swap the unpinned part out (no OOM), leave every pinned page
 *           mapped, and every byte must read back;
 *  phase 2: allocates far more than memory.max plus memory.swap.max: the
 *           memcg must OOM-kill the child (memory.events oom_kill >= 1)
 *           within OOM_DEADLINE_S seconds.  The parent is a watchdog: a
 *           child still alive then is a livelock and fails the case.
 * After the kill the pins are gone with the child's files, and
 * memory.current must drop.  The parent reports the memcg's pgscan and
 * pgsteal per phase, the pages swapped out, the pinned folios reclaim set
 * aside (nr_pinned of the vmscan tracepoints on v2) and the time to the
 * kill, as "AB bench=pressure phase=reclaim|oom ..." lines (scripts/report/abuse.py).
 *
 * Expectations: every arm makes progress and OOMs cleanly; on pin-aware
 * the scans of both phases together stay below SCAN_BOUND times the
 * cgroup's pages (asserted; the other arms are only reported).
 * PIN_RECLAIM_ARM selects the arm (base, mayfail, pin-aware; default
 * pin-aware).
 *
 * Needs root, CONFIG_GUP_TEST (debugfs), swap, cgroup v2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "../../../../mm/gup_test.h"
#include "vm_util.h"
#include "wb.h"

WB_ARM_FROM_ENV(ARM_PIN_AWARE)

/* The pinned folios reclaim set aside (wb_pinned_read()). */
static struct wb_pinned pinned;

/* Reclaim under TCG emits many events: a large buffer. */
static long pinned_skips(void)
{
	return wb_pinned_read(&pinned, "pin_pressure", "16384");
}

/* Events the tracefs instance lost (a full buffer), -1 if unknown. */
static long trace_overrun(void)
{
	if (pinned_skips() < 0 || pinned.source != WB_PINNED_TRACE)
		return -1;
	return pinned.lost;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
/* ======================================================================== */

#define MIB		(1UL << 20)
#define CG_MAX		(64 * MIB)
#define CG_SWAP		(16 * MIB)
#define PINNED		((CG_MAX / 10 * 9) & ~4095UL)	/* 90 % of memory.max */
#define TOUCHED		(4 * MIB)		/* phase 1: fits next to the pins */
#define EXTRA		(8 * MIB)		/* phase 1: does not */
#define OOM_ALLOC	(4 * CG_MAX)		/* phase 2: far beyond max + swap */
#define SETUP_DEADLINE_S	240
#define OOM_DEADLINE_S	60
#define SCAN_BOUND	100	/* pin-aware: pgscan < SCAN_BOUND * pages */

/* What the child reports, in memory shared with the parent. */
struct shared {
	int phase;		/* 1: phase 1 done; 2: parent says go; 3: survived */
	int err;		/* -errno of the failed step, 0 */
	int step;
	long pinned_pages;
	long pinned_present;	/* pinned pages with a PTE after phase 1 */
	long unpinned_pages;
	long unpinned_swapped;	/* swap PTEs among them after phase 1 */
	long bad_offset;	/* first byte that read back wrong, -1 */
	long oom_allocated;	/* bytes phase 2 touched before the kill */
};

static uint8_t pattern(size_t off, unsigned int seed)
{
	return (uint8_t)((off >> 12) * 31 + (off & 4095) * 7 + seed);
}

static void fill(char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(i, seed);
}

static long check(const char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((uint8_t)p[i] != pattern(i, seed))
			return i;
	return -1;
}

static char *map_anon(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

static long count_pagemap(int fd, char *p, size_t len, uint64_t bit)
{
	size_t i, ps = getpagesize();
	long n = 0;

	for (i = 0; i < len; i += ps)
		if (pagemap_get_entry(fd, p + i) & bit)
			n++;
	return n;
}

#define FAIL_AT(s, n, e) do { (s)->step = (n); (s)->err = (e); _exit(1); } while (0)

/* The child, inside the memcg. */
static void pressure_child(struct shared *sh, const char *cg)
{
	struct pin_longterm_test args = { .flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE };
	size_t ps = getpagesize(), done;
	char *pinned, *touched, *extra, *p;
	int gup_fd, pm_fd;
	long off;

	if (wb_memcg_write(cg, "cgroup.procs", "0"))
		FAIL_AT(sh, 1, -errno);
	gup_fd = open(WB_GUP_TEST_PATH, O_RDWR);
	pm_fd = open("/proc/self/pagemap", O_RDONLY);
	if (gup_fd < 0 || pm_fd < 0)
		FAIL_AT(sh, 2, -errno);

	pinned = map_anon(PINNED);
	touched = map_anon(TOUCHED);
	extra = map_anon(EXTRA);
	if (pinned == MAP_FAILED || touched == MAP_FAILED || extra == MAP_FAILED)
		FAIL_AT(sh, 3, -errno);
	fill(pinned, PINNED, 1);
	args.addr = (uintptr_t)pinned;
	args.size = PINNED;
	if (ioctl(gup_fd, PIN_LONGTERM_TEST_START, &args))
		FAIL_AT(sh, 4, -errno);
	sh->pinned_pages = PINNED / ps;

	/* Phase 1: the rest, and then more than fits. */
	fill(touched, TOUCHED, 2);
	fill(extra, EXTRA, 3);
	sh->unpinned_pages = (TOUCHED + EXTRA) / ps;
	sh->unpinned_swapped = count_pagemap(pm_fd, touched, TOUCHED, PM_SWAP) +
			       count_pagemap(pm_fd, extra, EXTRA, PM_SWAP);
	sh->pinned_present = count_pagemap(pm_fd, pinned, PINNED, PM_PRESENT);
	off = check(pinned, PINNED, 1);
	if (off < 0)
		off = check(touched, TOUCHED, 2);
	if (off < 0)
		off = check(extra, EXTRA, 3);
	sh->bad_offset = off;
	__atomic_store_n(&sh->phase, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&sh->phase, __ATOMIC_SEQ_CST) != 2)
		usleep(10000);

	/* Phase 2: more than memory.max and memory.swap.max together. */
	for (done = 0; done < OOM_ALLOC; done += MIB) {
		p = map_anon(MIB);
		if (p == MAP_FAILED)
			FAIL_AT(sh, 5, -errno);
		memset(p, 0x5a, MIB);
		__atomic_store_n(&sh->oom_allocated, done + MIB, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&sh->phase, 3, __ATOMIC_SEQ_CST);
	_exit(0);
}

struct stats {
	long pgscan, pgsteal, pswpout, pinned;
};

static void stats_read(const char *cg, struct stats *s)
{
	s->pgscan = wb_memcg_key(cg, "memory.stat", "pgscan");
	s->pgsteal = wb_memcg_key(cg, "memory.stat", "pgsteal");
	s->pswpout = wb_memcg_key(cg, "memory.stat", "pswpout");
	s->pinned = pinned_skips();
}

FIXTURE(pressure)
{
	char cg[128];
	struct shared *sh;
	pid_t child;
};

FIXTURE_SETUP(pressure)
{
	char buf[32];
	int fd;

	self->child = -1;
	self->sh = MAP_FAILED;
	if (getuid())
		SKIP(return, "must run as root");
	fd = open(WB_GUP_TEST_PATH, O_RDWR);
	if (fd < 0)
		SKIP(return, "no %s (CONFIG_GUP_TEST, debugfs)", WB_GUP_TEST_PATH);
	close(fd);
	if (!wb_have_swap())
		SKIP(return, "no swap device");
	if (access(WB_CGROUP_ROOT "/cgroup.subtree_control", W_OK))
		SKIP(return, "no cgroup v2 at " WB_CGROUP_ROOT);
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(self->sh, MAP_FAILED);
	memset(self->sh, 0, sizeof(*self->sh));
	ASSERT_EQ(wb_memcg_create(self->cg, sizeof(self->cg), "pin_pressure.%d", getpid()), 0);
	snprintf(buf, sizeof(buf), "%lu", CG_MAX);
	ASSERT_EQ(wb_memcg_write(self->cg, "memory.max", buf), 0);
	snprintf(buf, sizeof(buf), "%lu", CG_SWAP);
	ASSERT_EQ(wb_memcg_write(self->cg, "memory.swap.max", buf), 0);
}

FIXTURE_TEARDOWN(pressure)
{
	int status;

	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, &status, 0);
	}
	if (self->cg[0])
		rmdir(self->cg);
	if (self->sh != MAP_FAILED)
		munmap(self->sh, sizeof(*self->sh));
	wb_pinned_stop(&pinned);
}

/* Wait for @pid to exit, at most @secs; true if it did. */
static bool wait_exit(pid_t pid, double secs, int *status)
{
	double end = now_s() + secs;

	while (now_s() < end) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return true;
		usleep(20000);
	}
	return false;
}

TEST_F_TIMEOUT(pressure, pinned_90_percent, SETUP_DEADLINE_S + OOM_DEADLINE_S + 60)
{
	long pages = CG_MAX / getpagesize(), oom_kill, oom, cur = -1;
	struct shared *sh = self->sh;
	struct stats s0, s1, s2;
	bool exited, killed;
	double t0, t1, t2, t3;
	int status = 0, i;

	stats_read(self->cg, &s0);
	t0 = now_s();
	self->child = fork();
	ASSERT_GE(self->child, 0);
	if (!self->child)
		pressure_child(sh, self->cg);

	/* Phase 1, or the child's early death. */
	while (__atomic_load_n(&sh->phase, __ATOMIC_SEQ_CST) != 1 &&
	       now_s() < t0 + SETUP_DEADLINE_S) {
		if (waitpid(self->child, &status, WNOHANG) == self->child) {
			self->child = -1;
			break;
		}
		usleep(20000);
	}
	t1 = now_s();
	stats_read(self->cg, &s1);
	printf("AB bench=pressure phase=reclaim arm=%s cg_pages=%ld pinned_pages=%ld",
		       wb_arm_name(arm), pages, sh->pinned_pages);
	printf(" pinned_present=%ld unpinned_pages=%ld unpinned_swapped=%ld",
	       sh->pinned_present, sh->unpinned_pages, sh->unpinned_swapped);
	printf(" bad_offset=%ld pgscan=%ld pgsteal=%ld pswpout=%ld nr_pinned=%ld",
	       sh->bad_offset, s1.pgscan - s0.pgscan, s1.pgsteal - s0.pgsteal,
	       s1.pswpout - s0.pswpout, s0.pinned >= 0 ? s1.pinned - s0.pinned : -1);
	printf(" oom_kill=%ld seconds=%.1f\n",
	       wb_memcg_key(self->cg, "memory.events", "oom_kill"), t1 - t0);
	fflush(stdout);
	ASSERT_EQ(sh->phase, 1)
		TH_LOG("phase 1 did not finish in %d s (child %s, step %d: %s)",
		       SETUP_DEADLINE_S, self->child < 0 ? "died" : "alive",
		       sh->step, strerror(-sh->err));
	/* The unpinned part was reclaimed, without the OOM killer. */
	EXPECT_EQ(wb_memcg_key(self->cg, "memory.events", "oom_kill"), 0);
	EXPECT_GE(sh->unpinned_swapped,
		  (long)((PINNED + TOUCHED + EXTRA - CG_MAX) / getpagesize()))
		TH_LOG("too little of the unpinned memory went to swap");
	EXPECT_GT(s1.pgsteal - s0.pgsteal, 0);
	/* The pins held: every pinned page mapped, every byte intact. */
	EXPECT_EQ(sh->pinned_present, sh->pinned_pages);
	EXPECT_EQ(sh->bad_offset, -1);

	/* Phase 2: the watchdog. */
	t2 = now_s();
	__atomic_store_n(&sh->phase, 2, __ATOMIC_SEQ_CST);
	exited = wait_exit(self->child, OOM_DEADLINE_S, &status);
	t3 = now_s();
	if (!exited) {
		kill(self->child, SIGKILL);
		waitpid(self->child, &status, 0);
	}
	self->child = -1;
	killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	/* The pins go with the child's files: memory.current must drop. */
	for (i = 0; i < 100; i++) {
		cur = wb_memcg_read_long(self->cg, "memory.current");
		if (cur >= 0 && cur < (long)(CG_MAX / 4))
			break;
		usleep(100000);
	}
	stats_read(self->cg, &s2);
	oom = wb_memcg_key(self->cg, "memory.events", "oom");
	oom_kill = wb_memcg_key(self->cg, "memory.events", "oom_kill");
	printf("AB bench=pressure phase=oom arm=%s cg_pages=%ld exited=%d sigkill=%d",
		       wb_arm_name(arm), pages, exited, killed);
	printf(" oom=%ld oom_kill=%ld allocated_mib=%ld oom_seconds=%.2f",
	       oom, oom_kill, sh->oom_allocated >> 20, t3 - t2);
	printf(" pgscan=%ld pgsteal=%ld pswpout=%ld nr_pinned=%ld",
	       s2.pgscan - s1.pgscan, s2.pgsteal - s1.pgsteal,
	       s2.pswpout - s1.pswpout, s1.pinned >= 0 ? s2.pinned - s1.pinned : -1);
	printf(" total_pgscan=%ld scan_per_page=%.1f current_after_kb=%ld trace_overrun=%ld\n",
	       s2.pgscan - s0.pgscan, (double)(s2.pgscan - s0.pgscan) / pages,
	       cur >> 10, trace_overrun());
	fflush(stdout);

	ASSERT_TRUE(exited)
		TH_LOG("no OOM kill within %d s: %ld MiB allocated, livelock?",
		       OOM_DEADLINE_S, sh->oom_allocated >> 20);
	EXPECT_NE(sh->phase, 3) TH_LOG("allocated %lu MiB beyond the limit", OOM_ALLOC >> 20);
	EXPECT_TRUE(killed) TH_LOG("child ended with status 0x%x", status);
	EXPECT_GE(oom_kill, 1);
	EXPECT_LT(cur, (long)(CG_MAX / 4)) TH_LOG("memory.current %ld after the kill", cur);
	if (arm == ARM_PIN_AWARE)
		EXPECT_LT(s2.pgscan - s0.pgscan, SCAN_BOUND * pages)
			TH_LOG("reclaim scanned %ld pages of a %ld-page cgroup",
			       s2.pgscan - s0.pgscan, pages);
}

TEST_HARNESS_MAIN
