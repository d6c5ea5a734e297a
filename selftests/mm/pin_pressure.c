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

/* ======================================================================== */
/* BEGIN local helpers (pin_pressure): to be folded into selftests/lib/.    */

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define GUP_TEST_PATH	"/sys/kernel/debug/gup_test"

enum arm { ARM_BASE, ARM_MAYFAIL, ARM_PIN_AWARE, NR_ARMS };

static const char * const arm_names[NR_ARMS] = {
	[ARM_BASE] = "base",
	[ARM_MAYFAIL] = "mayfail",
	[ARM_PIN_AWARE] = "pin-aware",
};

static enum arm arm = ARM_PIN_AWARE;

/* As selftests/mm/pin_reclaim.c: an unknown arm is a hard failure. */
static void __attribute__((constructor)) parse_arm(void)
{
	const char *s = getenv("PIN_RECLAIM_ARM");
	int i;

	if (!s || !*s)
		return;
	for (i = 0; i < NR_ARMS; i++) {
		if (!strcmp(s, arm_names[i])) {
			arm = i;
			return;
		}
	}
	ksft_exit_fail_msg("PIN_RECLAIM_ARM=%s: use base, mayfail or pin-aware\n", s);
}

static int write_text(const char *path, const char *buf)
{
	ssize_t len = strlen(buf);
	int fd, ret = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

static long read_long(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* "key value" files: /proc/vmstat, memory.stat, memory.events. */
static long keyed_read(const char *path, const char *key)
{
	char k[64];
	long val, ret = -1;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", k, &val) == 2) {
		if (!strcmp(k, key)) {
			ret = val;
			break;
		}
	}
	fclose(f);
	return ret;
}

static bool have_swap(void)
{
	char line[256];
	bool ret = false;
	FILE *f;

	f = fopen("/proc/swaps", "r");
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f) && fgets(line, sizeof(line), f))
		ret = true;
	fclose(f);
	return ret;
}

/*
 * Pinned folios reclaim set aside since the first call: v1's
 * pgunmap_pinned_skip, or v2's nr_pinned summed from the vmscan
 * tracepoints of a tracefs instance of our own; -1 with neither.
 */
static char trace_inst[128];
static int skip_source;	/* 0 unknown, 1 none, 2 vmstat, 3 trace */
static const char *const pinned_events[] = {
	"vmscan/mm_vmscan_reclaim_pages",
	"vmscan/mm_vmscan_lru_shrink_inactive",
};

static bool trace_write(const char *rel, const char *val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", trace_inst, rel);
	return write_text(path, val) == 0;
}

static bool trace_setup(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing",
					     "/sys/kernel/debug/tracing" };
	char path[256], buf[4096];
	size_t i, n;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		snprintf(path, sizeof(path), "%s/events/%s/format", roots[i],
			 pinned_events[0]);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		if (!strstr(buf, "nr_pinned"))
			return false;
		snprintf(trace_inst, sizeof(trace_inst),
			 "%s/instances/pin_pressure", roots[i]);
		if (mkdir(trace_inst, 0755) && errno != EEXIST)
			return false;
		/* Reclaim under TCG emits many events: a large buffer. */
		trace_write("buffer_size_kb", "16384");
		for (n = 0; n < ARRAY_SIZE(pinned_events); n++) {
			snprintf(path, sizeof(path), "events/%s/enable", pinned_events[n]);
			if (!trace_write(path, "1"))
				return false;
		}
		return trace_write("trace", "");
	}
	return false;
}

static long trace_nr_pinned(void)
{
	char path[256], line[1024], *p;
	long sum = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", trace_inst);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, " nr_pinned=");
		if (line[0] != '#' && p)
			sum += strtol(p + 11, NULL, 10);
	}
	fclose(f);
	return sum;
}

/* Remove our tracefs instance (its events and buffer go with it). */
static void trace_cleanup(void)
{
	if (skip_source == 3)
		rmdir(trace_inst);
	skip_source = 0;
}

static long pinned_skips(void)
{
	if (!skip_source) {
		if (keyed_read("/proc/vmstat", "pgunmap_pinned_skip") >= 0)
			skip_source = 2;
		else
			skip_source = trace_setup() ? 3 : 1;
	}
	if (skip_source == 2)
		return keyed_read("/proc/vmstat", "pgunmap_pinned_skip");
	if (skip_source == 3)
		return trace_nr_pinned();
	return -1;
}

/* Events the tracefs instance lost (a full buffer), -1 if unknown. */
static long trace_overrun(void)
{
	char path[256];
	long n, sum = 0;
	int cpu;

	if (skip_source != 3)
		return -1;
	for (cpu = 0; cpu < 64; cpu++) {
		snprintf(path, sizeof(path), "%.200s/per_cpu/cpu%d/stats",
			 trace_inst, cpu);
		n = keyed_read(path, "overrun:");
		if (n < 0)
			break;
		sum += n;
	}
	return sum;
}

static int cg_create(char *path, size_t size, const char *name)
{
	int ret;

	ret = write_text(CGROUP_ROOT "/cgroup.subtree_control", "+memory");
	if (ret && ret != -EBUSY)
		return ret;
	snprintf(path, size, CGROUP_ROOT "/%s.%d", name, getpid());
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int cg_write(const char *cg, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%.127s/%.100s", cg, file);
	return write_text(path, val);
}

static long cg_read_long(const char *cg, const char *file)
{
	char path[256];

	snprintf(path, sizeof(path), "%.127s/%.100s", cg, file);
	return read_long(path);
}

static long cg_key(const char *cg, const char *file, const char *key)
{
	char path[256];

	snprintf(path, sizeof(path), "%.127s/%.100s", cg, file);
	return keyed_read(path, key);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* END local helpers (pin_pressure)                                         */
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

	if (cg_write(cg, "cgroup.procs", "0"))
		FAIL_AT(sh, 1, -errno);
	gup_fd = open(GUP_TEST_PATH, O_RDWR);
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
	s->pgscan = cg_key(cg, "memory.stat", "pgscan");
	s->pgsteal = cg_key(cg, "memory.stat", "pgsteal");
	s->pswpout = cg_key(cg, "memory.stat", "pswpout");
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
	fd = open(GUP_TEST_PATH, O_RDWR);
	if (fd < 0)
		SKIP(return, "no %s (CONFIG_GUP_TEST, debugfs)", GUP_TEST_PATH);
	close(fd);
	if (!have_swap())
		SKIP(return, "no swap device");
	if (access(CGROUP_ROOT "/cgroup.subtree_control", W_OK))
		SKIP(return, "no cgroup v2 at " CGROUP_ROOT);
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(self->sh, MAP_FAILED);
	memset(self->sh, 0, sizeof(*self->sh));
	ASSERT_EQ(cg_create(self->cg, sizeof(self->cg), "pin_pressure"), 0);
	snprintf(buf, sizeof(buf), "%lu", CG_MAX);
	ASSERT_EQ(cg_write(self->cg, "memory.max", buf), 0);
	snprintf(buf, sizeof(buf), "%lu", CG_SWAP);
	ASSERT_EQ(cg_write(self->cg, "memory.swap.max", buf), 0);
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
	trace_cleanup();
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
		       arm_names[arm], pages, sh->pinned_pages);
	printf(" pinned_present=%ld unpinned_pages=%ld unpinned_swapped=%ld",
	       sh->pinned_present, sh->unpinned_pages, sh->unpinned_swapped);
	printf(" bad_offset=%ld pgscan=%ld pgsteal=%ld pswpout=%ld nr_pinned=%ld",
	       sh->bad_offset, s1.pgscan - s0.pgscan, s1.pgsteal - s0.pgsteal,
	       s1.pswpout - s0.pswpout, s0.pinned >= 0 ? s1.pinned - s0.pinned : -1);
	printf(" oom_kill=%ld seconds=%.1f\n",
	       cg_key(self->cg, "memory.events", "oom_kill"), t1 - t0);
	fflush(stdout);
	ASSERT_EQ(sh->phase, 1)
		TH_LOG("phase 1 did not finish in %d s (child %s, step %d: %s)",
		       SETUP_DEADLINE_S, self->child < 0 ? "died" : "alive",
		       sh->step, strerror(-sh->err));
	/* The unpinned part was reclaimed, without the OOM killer. */
	EXPECT_EQ(cg_key(self->cg, "memory.events", "oom_kill"), 0);
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
		cur = cg_read_long(self->cg, "memory.current");
		if (cur >= 0 && cur < (long)(CG_MAX / 4))
			break;
		usleep(100000);
	}
	stats_read(self->cg, &s2);
	oom = cg_key(self->cg, "memory.events", "oom");
	oom_kill = cg_key(self->cg, "memory.events", "oom_kill");
	printf("AB bench=pressure phase=oom arm=%s cg_pages=%ld exited=%d sigkill=%d",
		       arm_names[arm], pages, exited, killed);
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
