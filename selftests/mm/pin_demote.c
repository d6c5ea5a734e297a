// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA demotion (memory tiering) vs. DMA-pinned folios.
 *
 * With a lower memory tier, shrink_folio_list() queues folios for demotion
 * before any pin check.  Migration of a pinned folio cannot succeed (the
 * pin is an extra reference), but migrate_pages() only finds that out after
 * try_to_migrate() fired the mmu notifiers of every mapping and installed
 * migration entries (or, for pinned anon-exclusive folios, cleared and
 * restored the PTE).  A secondary MMU mirroring the range loses its mapping
 * of memory that never moves.
 *
 * The test maps 2 * NR_PAGES pages on node 0 (the top tier), pins the first
 * half with gup_test (FOLL_PIN | FOLL_LONGTERM), makes a test_hmm dmirror
 * device mirror the whole range, and asks the memcg to reclaim everything
 * with demotion enabled and memory.swap.max = 0 (so demotion is the only
 * way out of node 0, and nothing demoted to node 1 is swapped out after).
 * MADV_PAGEOUT never demotes, so memory.reclaim is the trigger.  Then:
 *  - the mirror: pages of each half whose mirror entry was erased;
 *  - move_pages(): the node of every page of each half;
 *  - /proc/vmstat: pgdemote_*, pgmigrate_success/fail, pgunmap_pinned_skip;
 *  - the content of every page.
 *
 * The fixture (one case per backing, anon and shmem) does all of that;
 * each test checks one behaviour, as expected per arm (PIN_RECLAIM_ARM,
 * default pin-aware):
 *  - unpinned_demoted, every arm: the unpinned half is demoted to node 1
 *    (and its mirror entries go with it);
 *  - pinned_not_demoted, every arm: the pinned half stays on node 0;
 *  - data_intact, every arm: every page keeps its content;
 *  - pinned_invalidated: base, mayfail: the pinned half is invalidated
 *    (demotion is tried and fails; MAYFAIL does not mark migration as
 *    may-fail); pin-aware: no pinned page is invalidated (0003: not queued
 *    for demotion; the normal path keeps it), and for shmem the skip is
 *    counted in pgunmap_pinned_skip.
 *
 * Needs two memory tiers with node 1 below node 0
 * (/sys/devices/virtual/memory_tiering), /sys/kernel/mm/numa/demotion_enabled,
 * CONFIG_GUP_TEST (debugfs), CONFIG_TEST_HMM, cgroup v2 with the memory
 * controller and root.  Without them the whole binary skips (exit 4,
 * "1..0 # SKIP why"), before the harness starts: one skip, not one per case.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include "../kselftest_harness.h"
#include "../../../../mm/gup_test.h"
#include "../../../../lib/test_hmm_uapi.h"
#include "vm_util.h"
#include "wb.h"

#define TIERS_PATH	"/sys/devices/virtual/memory_tiering"
#define DEMOTION_PATH	"/sys/kernel/mm/numa/demotion_enabled"

#define NR_PAGES	256	/* per half: [pinned | unpinned] */
#define TOP_NODE	0
#define LOW_NODE	1
#define SEED		3	/* the page contents: wb_pattern(offset, SEED) */

WB_ARM_FROM_ENV(ARM_PIN_AWARE)

enum backing { ANON, SHMEM, NR_BACKINGS };

static const char * const backing_names[NR_BACKINGS] = {
	[ANON] = "anon",
	[SHMEM] = "shmem",
};

/* Per arm: is the pinned half invalidated by the demotion attempt? */
static const bool pinned_invalidated[NR_ARMS] = {
	[ARM_BASE] = true,
	[ARM_MAYFAIL] = true,
	[ARM_PIN_AWARE] = false,
};

static pid_t main_pid;
static char demotion_saved[16];

/* Does a "0-2,5" style node list contain node? */
static bool nodelist_has(const char *list, int node)
{
	const char *p = list;

	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		if (node >= a && node <= b)
			return true;
		p = *end == ',' ? end + 1 : end;
		if (*p == '\n')
			break;
	}
	return false;
}

/*
 * The memory tier id of node (tiers are named memory_tierN, a lower N is a
 * faster tier), -1 if none; *ntiers gets the number of tiers.
 */
static int node_tier(int node, int *ntiers)
{
	struct dirent *de;
	char path[PATH_MAX], buf[256];
	int tier = -1;
	DIR *d;

	*ntiers = 0;
	d = opendir(TIERS_PATH);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "memory_tier", 11))
			continue;
		(*ntiers)++;
		snprintf(path, sizeof(path), TIERS_PATH "/%s/nodelist", de->d_name);
		if (!wb_read_text(path, buf, sizeof(buf)) && nodelist_has(buf, node))
			tier = atoi(de->d_name + 11);
	}
	closedir(d);
	return tier;
}

/* Pages of [start, start + npages) whose mirror entry is gone (refills). */
static long count_invalidated(int dfd, char *start, char *buf, long npages)
{
	size_t page_size = getpagesize();
	uint64_t faults = 0;
	long i, n = 0;

	for (i = 0; i < npages; i++) {
		if (wb_dmirror_read(dfd, start + i * page_size,
				    buf + i * page_size, 1, &faults))
			return -1;
		if (faults)
			n++;
	}
	return n;
}

/* Pages of [start, start + npages) on node; *other: on no/another node. */
static long count_on_node(char *start, long npages, int node, long *other)
{
	size_t page_size = getpagesize();
	void *pages[2 * NR_PAGES];
	int status[2 * NR_PAGES];
	long i, n = 0;

	*other = 0;
	if (npages > 2 * NR_PAGES)
		return -1;
	for (i = 0; i < npages; i++)
		pages[i] = start + i * page_size;
	if (syscall(SYS_move_pages, 0, npages, pages, NULL, status, 0))
		return -1;
	for (i = 0; i < npages; i++) {
		if (status[i] == node)
			n++;
		else
			(*other)++;
	}
	return n;
}

/* A memcg of our own with memory.swap.max = 0, this process in it. */
static int cg_create(char *path, size_t size)
{
	int ret;

	ret = wb_memcg_create(path, size, "pin_demote.%d", getpid());
	if (ret)
		return ret;
	ret = wb_memcg_write(path, "memory.swap.max", "0");
	if (!ret)
		ret = wb_memcg_enter(path);
	if (ret) {
		rmdir(path);
		path[0] = '\0';
	}
	return ret;
}

struct counters {
	long demote, mig_ok, mig_fail, skip;
};

static void counters_read(struct counters *c)
{
	c->demote = wb_vmstat_sum("pgdemote_");
	c->mig_ok = wb_vmstat("pgmigrate_success");
	c->mig_fail = wb_vmstat("pgmigrate_fail");
	c->skip = wb_vmstat("pgunmap_pinned_skip");
}

/*
 * One run: the pinned and the unpinned half, mirrored, after one
 * memory.reclaim of the whole memcg with demotion on; what the tests check.
 */
FIXTURE(pin_demote)
{
	int gup_fd, dfd;	/* per case: test_hmm mirrors the opener's mm */
	bool pinned;
	size_t half, size;
	char cg[PATH_MAX];
	char *reserve, *mem, *mirror;
	struct counters c0, c1;
	long long nr_pinned;	/* v2's tracepoint field; -1 without it */
	long inv_pinned, inv_unpinned, pinned_top, pinned_other;
	long unpinned_low, unpinned_other, bad;
};

FIXTURE_VARIANT(pin_demote)
{
	enum backing backing;
};

FIXTURE_VARIANT_ADD(pin_demote, anon)
{
	.backing = ANON,
};

FIXTURE_VARIANT_ADD(pin_demote, shmem)
{
	.backing = SHMEM,
};

/* Undo the setup; also called before a late SKIP(), which skips teardown. */
static void cleanup(FIXTURE_DATA(pin_demote) *self)
{
	if (self->pinned)
		wb_gup_unpin(self->gup_fd);
	self->pinned = false;
	if (self->reserve != MAP_FAILED)
		munmap(self->reserve, self->size + 2 * getpagesize());
	self->reserve = MAP_FAILED;
	wb_memcg_remove(self->cg);
	self->cg[0] = '\0';
	free(self->mirror);
	self->mirror = NULL;
	if (self->dfd >= 0)
		close(self->dfd);
	if (self->gup_fd >= 0)
		close(self->gup_fd);
	self->dfd = self->gup_fd = -1;
}

FIXTURE_SETUP(pin_demote)
{
	const char *name = backing_names[variant->backing];
	size_t page_size = getpagesize();
	uint64_t faults = 0;
	struct wb_trace trace;
	bool traced;
	long cur;
	char val[32];
	int ntiers, top, low, ret;

	self->half = NR_PAGES * page_size;
	self->size = 2 * self->half;
	self->reserve = MAP_FAILED;
	self->dfd = -1;
	self->gup_fd = wb_gup_open();
	ASSERT_GE(self->gup_fd, 0) TH_LOG("%s: %s", WB_GUP_TEST_PATH, strerror(errno));
	self->dfd = open(WB_DMIRROR_PATH, O_RDWR);
	ASSERT_GE(self->dfd, 0) TH_LOG("%s: %s", WB_DMIRROR_PATH, strerror(errno));
	top = node_tier(TOP_NODE, &ntiers);
	low = node_tier(LOW_NODE, &ntiers);
	ksft_print_msg("arm %s: %d memory tiers, node %d in tier %d, node %d in tier %d\n",
		       wb_arm_name(arm), ntiers, TOP_NODE, top, LOW_NODE, low);

	self->mirror = malloc(self->size);
	ASSERT_NE(self->mirror, NULL);
	ret = cg_create(self->cg, sizeof(self->cg));
	if (ret) {
		cleanup(self);
		SKIP(return, "%s: cannot create a memcg with memory.swap.max=0: %s",
		     name, strerror(-ret));
	}

	/*
	 * A PROT_NONE guard page in front: test_hmm also erases the mirror
	 * entry of the page after an invalidated range.
	 */
	self->reserve = mmap(NULL, self->size + 2 * page_size, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(self->reserve, MAP_FAILED);
	self->mem = mmap(self->reserve + page_size, self->size,
			 PROT_READ | PROT_WRITE,
			 MAP_FIXED | (variant->backing == ANON ? MAP_PRIVATE : MAP_SHARED) |
			 MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(self->mem, MAP_FAILED);
	madvise(self->mem, self->size, MADV_NOHUGEPAGE);
	wb_fill(self->mem, self->size, 0, SEED);

	/* Default policy, every CPU on node 0: all of it starts there. */
	self->pinned_top = count_on_node(self->mem, 2 * NR_PAGES, TOP_NODE,
					 &self->pinned_other);
	if (self->pinned_top != 2 * NR_PAGES) {
		cleanup(self);
		SKIP(return, "%s: only %ld of %d pages start on node %d",
		     name, self->pinned_top, 2 * NR_PAGES, TOP_NODE);
	}

	ret = wb_gup_pin(self->gup_fd, self->mem, self->half);
	ASSERT_EQ(ret, 0) TH_LOG("PIN_LONGTERM_TEST_START: %s", strerror(-ret));
	self->pinned = true;

	/* The device mirrors the whole range and keeps it. */
	ASSERT_EQ(wb_dmirror_read(self->dfd, self->mem, self->mirror, 2 * NR_PAGES, &faults), 0);
	ASSERT_EQ(wb_dmirror_read(self->dfd, self->mem, self->mirror, 2 * NR_PAGES, &faults), 0);
	ASSERT_EQ(faults, 0) TH_LOG("%s: dmirror does not keep its mirror", name);

	/*
	 * Clear accessed bits (no notifier), then reclaim the whole memcg,
	 * counting what v2 sets aside (nr_pinned of the vmscan tracepoints;
	 * v1 counts pgunmap_pinned_skip instead).
	 */
	wb_clear_refs();
	traced = wb_trace_pinned_start(&trace, "pin_demote", "4096");
	counters_read(&self->c0);
	cur = wb_memcg_read_long(self->cg, "memory.current");
	snprintf(val, sizeof(val), "%ld", cur);
	ret = wb_memcg_write(self->cg, "memory.reclaim", val);
	counters_read(&self->c1);
	self->nr_pinned = traced ? wb_trace_sum(&trace, " nr_pinned=", NULL) : -1;
	if (traced)
		wb_trace_remove(&trace);
	ksft_print_msg("%s: memory.reclaim %ld bytes: %s\n", name, cur,
		       ret ? strerror(-ret) : "done");

	self->inv_pinned = count_invalidated(self->dfd, self->mem, self->mirror,
					     NR_PAGES);
	self->inv_unpinned = count_invalidated(self->dfd, self->mem + self->half,
					       self->mirror + self->half, NR_PAGES);
	self->pinned_top = count_on_node(self->mem, NR_PAGES, TOP_NODE,
					 &self->pinned_other);
	self->unpinned_low = count_on_node(self->mem + self->half, NR_PAGES,
					   LOW_NODE, &self->unpinned_other);
	self->bad = wb_check(self->mem, self->size, 0, SEED);

	ksft_print_msg("%s: pgdemote %ld pgmigrate_success %ld pgmigrate_fail %ld pgunmap_pinned_skip %ld nr_pinned %lld\n",
		       name, self->c1.demote - self->c0.demote,
		       self->c1.mig_ok - self->c0.mig_ok,
		       self->c1.mig_fail - self->c0.mig_fail,
		       self->c0.skip < 0 ? -1 : self->c1.skip - self->c0.skip,
		       self->nr_pinned);
	ksft_print_msg("%s: pinned: %ld/%d invalidated, %ld on node %d, %ld elsewhere\n",
		       name, self->inv_pinned, NR_PAGES, self->pinned_top, TOP_NODE,
		       self->pinned_other);
	ksft_print_msg("%s: unpinned: %ld/%d invalidated, %ld on node %d, %ld elsewhere\n",
		       name, self->inv_unpinned, NR_PAGES, self->unpinned_low,
		       LOW_NODE, self->unpinned_other);
	fflush(stdout);	/* the harness _exit()s its test children */

	wb_gup_unpin(self->gup_fd);
	self->pinned = false;
}

FIXTURE_TEARDOWN(pin_demote)
{
	cleanup(self);
}

/* Every arm: the unpinned half is demoted to node 1. */
TEST_F_TIMEOUT(pin_demote, unpinned_demoted, 120)
{
	EXPECT_EQ(self->unpinned_low, NR_PAGES)
		TH_LOG("expected every unpinned page demoted to node %d on every arm",
		       LOW_NODE);
	EXPECT_GE(self->c1.demote - self->c0.demote, NR_PAGES)
		TH_LOG("pgdemote_*: expected every unpinned page demoted on every arm");
}

/* Every arm: migration of a pinned folio fails, it stays on node 0. */
TEST_F_TIMEOUT(pin_demote, pinned_not_demoted, 120)
{
	EXPECT_EQ(self->pinned_top, NR_PAGES)
		TH_LOG("expected every pinned page to stay on node %d", TOP_NODE);
}

/* Every arm: every byte of both halves is intact. */
TEST_F_TIMEOUT(pin_demote, data_intact, 120)
{
	EXPECT_EQ(self->bad, -1) TH_LOG("content differs at offset %ld", self->bad);
}

/*
 * base, mayfail: the demotion attempt invalidates the pinned half;
 * pin-aware: it does not, and counts the skip for shmem.
 */
TEST_F_TIMEOUT(pin_demote, pinned_invalidated, 120)
{
	if (pinned_invalidated[arm]) {
		EXPECT_GT(self->inv_pinned, 0)
			TH_LOG("%s expects some pinned page invalidated, got %ld",
			       wb_arm_name(arm), self->inv_pinned);
	} else {
		EXPECT_EQ(self->inv_pinned, 0)
			TH_LOG("%s expects no pinned page invalidated, got %ld",
			       wb_arm_name(arm), self->inv_pinned);
	}
	/* v1 counts shmem in pgunmap_pinned_skip, v2 in nr_pinned. */
	if (arm == ARM_PIN_AWARE && variant->backing == SHMEM) {
		if (self->c0.skip >= 0) {
			EXPECT_GT(self->c1.skip - self->c0.skip, 0)
				TH_LOG("pin-aware expects pgunmap_pinned_skip to grow");
		} else {
			EXPECT_GT(self->nr_pinned, 0)
				TH_LOG("pin-aware expects pinned folios set aside (nr_pinned %lld)",
				       self->nr_pinned);
		}
	}
}

static void demotion_restore(void)
{
	if (getpid() != main_pid)
		return;
	demotion_saved[strcspn(demotion_saved, "\n")] = '\0';
	wb_write_text(DEMOTION_PATH, strcmp(demotion_saved, "true") ? "0" : "1");
}

/*
 * What every case needs, checked once: without it the whole binary is one
 * skip ("1..0 # SKIP why", exit 4), not one per case.
 */
#define SKIP_ALL(...)					\
	do {						\
		ksft_print_header();			\
		ksft_exit_skip(__VA_ARGS__);		\
	} while (0)

int main(int argc, char **argv)
{
	int top, low, ntiers, fd;

	if (getuid())
		SKIP_ALL("must run as root\n");
	if (wb_read_text(DEMOTION_PATH, demotion_saved, sizeof(demotion_saved)))
		SKIP_ALL("no %s (CONFIG_NUMA, CONFIG_MIGRATION; 7.3: CONFIG_NUMA_MIGRATION)\n",
			 DEMOTION_PATH);
	top = node_tier(TOP_NODE, &ntiers);
	low = node_tier(LOW_NODE, &ntiers);
	if (ntiers < 2 || top < 0 || low <= top) {
		ksft_print_header();
		ksft_print_msg("arm %s: %d memory tiers, node %d in tier %d, node %d in tier %d\n",
			       wb_arm_name(arm), ntiers, TOP_NODE, top, LOW_NODE, low);
		ksft_exit_skip("no lower memory tier below node %d (needs node %d in a slower tier, e.g. the numa config variant)\n",
			       TOP_NODE, LOW_NODE);
	}
	fd = wb_gup_open();
	if (fd < 0)
		SKIP_ALL("no %s (CONFIG_GUP_TEST, debugfs)\n", WB_GUP_TEST_PATH);
	close(fd);
	fd = open(WB_DMIRROR_PATH, O_RDWR);
	if (fd < 0)
		SKIP_ALL("no %s (CONFIG_TEST_HMM)\n", WB_DMIRROR_PATH);
	close(fd);
	if (!wb_have_cgroup2())
		SKIP_ALL("no cgroup v2 at " WB_CGROUP_ROOT "\n");
	if (wb_write_text(DEMOTION_PATH, "1"))
		SKIP_ALL("cannot enable %s\n", DEMOTION_PATH);
	main_pid = getpid();
	atexit(demotion_restore);

	return test_harness_run(argc, argv);
}
