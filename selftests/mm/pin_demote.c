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
 * Expected (PIN_RECLAIM_ARM, default pin-aware):
 *  - every arm: the unpinned half is demoted to node 1 (and its mirror
 *    entries go with it), the pinned half stays on node 0 with its content;
 *  - base, mayfail: the pinned half is invalidated (demotion is tried and
 *    fails; MAYFAIL does not mark migration as may-fail);
 *  - pin-aware: no pinned page is invalidated (0003: not queued for
 *    demotion; the normal path keeps it), and for shmem the skip is counted
 *    in pgunmap_pinned_skip.
 *
 * Needs two memory tiers with node 1 below node 0
 * (/sys/devices/virtual/memory_tiering), /sys/kernel/mm/numa/demotion_enabled,
 * CONFIG_GUP_TEST (debugfs), CONFIG_TEST_HMM, cgroup v2 with the memory
 * controller and root.  Without them the test skips (exit 4).
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

#include "../kselftest.h"
#include "../../../../mm/gup_test.h"
#include "../../../../lib/test_hmm_uapi.h"
#include "vm_util.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define GUP_TEST_PATH	"/sys/kernel/debug/gup_test"
#define DMIRROR_PATH	"/dev/hmm_dmirror0"
#define TIERS_PATH	"/sys/devices/virtual/memory_tiering"
#define DEMOTION_PATH	"/sys/kernel/mm/numa/demotion_enabled"

#define NR_PAGES	256	/* per half: [pinned | unpinned] */
#define TOP_NODE	0
#define LOW_NODE	1

enum arm { ARM_BASE, ARM_MAYFAIL, ARM_PIN_AWARE, NR_ARMS };

static const char * const arm_names[NR_ARMS] = {
	[ARM_BASE] = "base",
	[ARM_MAYFAIL] = "mayfail",
	[ARM_PIN_AWARE] = "pin-aware",
};

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

static enum arm arm = ARM_PIN_AWARE;
static size_t page_size;
static char demotion_saved[16];

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

static int read_text(const char *path, char *buf, size_t size)
{
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	return 0;
}

/* A /proc/vmstat counter, -1 if this kernel does not have it. */
static long vmstat_read(const char *name)
{
	char key[64];
	long val, ret = -1;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2) {
		if (!strcmp(key, name)) {
			ret = val;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* Sum of every /proc/vmstat counter whose name starts with prefix. */
static long vmstat_sum(const char *prefix)
{
	char key[64];
	long val, ret = 0;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2)
		if (!strncmp(key, prefix, strlen(prefix)))
			ret += val;
	fclose(f);
	return ret;
}

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
		if (!read_text(path, buf, sizeof(buf)) && nodelist_has(buf, node))
			tier = atoi(de->d_name + 11);
	}
	closedir(d);
	return tier;
}

static uint8_t pattern(size_t off)
{
	return (uint8_t)((off >> 12) * 31 + (off & 4095) * 7 + 3);
}

static void fill(char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(i);
}

static long check(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((uint8_t)p[i] != pattern(i))
			return i;
	return -1;
}

static int dmirror_read(int fd, void *addr, void *buf, unsigned long npages,
			uint64_t *faults)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)addr,
		.ptr = (uintptr_t)buf,
		.npages = npages,
	};

	while (ioctl(fd, HMM_DMIRROR_READ, &cmd)) {
		if (errno != EINTR)
			return -errno;
	}
	*faults = cmd.faults;
	return 0;
}

/* Pages of [start, start + npages) whose mirror entry is gone (refills). */
static long count_invalidated(int dfd, char *start, char *buf, long npages)
{
	uint64_t faults = 0;
	long i, n = 0;

	for (i = 0; i < npages; i++) {
		if (dmirror_read(dfd, start + i * page_size,
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

static int cg_create(char *path, size_t size)
{
	char buf[PATH_MAX];
	int ret;

	ret = write_text(CGROUP_ROOT "/cgroup.subtree_control", "+memory");
	if (ret && ret != -EBUSY)
		return ret;
	snprintf(path, size, CGROUP_ROOT "/pin_demote.%d", getpid());
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(buf, sizeof(buf), "%s/memory.swap.max", path);
	ret = write_text(buf, "0");
	if (!ret) {
		snprintf(buf, sizeof(buf), "%s/cgroup.procs", path);
		ret = write_text(buf, "0");
	}
	if (ret)
		rmdir(path);
	return ret;
}

static void cg_destroy(const char *path)
{
	write_text(CGROUP_ROOT "/cgroup.procs", "0");
	rmdir(path);
}

static long cg_read_long(const char *cg, const char *file)
{
	char path[PATH_MAX], buf[64];

	snprintf(path, sizeof(path), "%.255s/%s", cg, file);
	if (read_text(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

struct counters {
	long demote, mig_ok, mig_fail, skip;
};

static void counters_read(struct counters *c)
{
	c->demote = vmstat_sum("pgdemote_");
	c->mig_ok = vmstat_read("pgmigrate_success");
	c->mig_fail = vmstat_read("pgmigrate_fail");
	c->skip = vmstat_read("pgunmap_pinned_skip");
}

/* One scenario: returns KSFT_PASS, KSFT_FAIL or KSFT_SKIP. */
static int run(enum backing b, int gup_fd, int dfd)
{
	const char *name = backing_names[b];
	size_t half = NR_PAGES * page_size, size = 2 * half;
	struct pin_longterm_test pin = {
		.size = half,
		.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE,
	};
	long inv_pinned, inv_unpinned, pinned_top, pinned_other;
	long unpinned_low, unpinned_other, bad, cur;
	struct counters c0, c1;
	char cg[256], path[PATH_MAX], val[32];
	char *reserve, *mem, *mirror;
	uint64_t faults = 0;
	bool ok = true;
	int ret;

	mirror = malloc(size);
	if (!mirror)
		ksft_exit_fail_msg("malloc: %s\n", strerror(errno));
	ret = cg_create(cg, sizeof(cg));
	if (ret) {
		free(mirror);
		ksft_print_msg("%s: cannot create a memcg with memory.swap.max=0: %s\n",
			       name, strerror(-ret));
		return KSFT_SKIP;
	}

	/*
	 * A PROT_NONE guard page in front: test_hmm also erases the mirror
	 * entry of the page after an invalidated range.
	 */
	reserve = mmap(NULL, size + 2 * page_size, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (reserve == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	mem = mmap(reserve + page_size, size, PROT_READ | PROT_WRITE,
		   MAP_FIXED | (b == ANON ? MAP_PRIVATE : MAP_SHARED) |
		   MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	madvise(mem, size, MADV_NOHUGEPAGE);
	fill(mem, size);

	/* Default policy, every CPU on node 0: all of it starts there. */
	pinned_top = count_on_node(mem, 2 * NR_PAGES, TOP_NODE, &pinned_other);
	if (pinned_top != 2 * NR_PAGES) {
		ksft_print_msg("%s: only %ld of %d pages start on node %d\n",
			       name, pinned_top, 2 * NR_PAGES, TOP_NODE);
		ret = KSFT_SKIP;
		goto out;
	}

	pin.addr = (uintptr_t)mem;
	if (ioctl(gup_fd, PIN_LONGTERM_TEST_START, &pin))
		ksft_exit_fail_msg("PIN_LONGTERM_TEST_START: %s\n", strerror(errno));

	/* The device mirrors the whole range and keeps it. */
	if (dmirror_read(dfd, mem, mirror, 2 * NR_PAGES, &faults) ||
	    dmirror_read(dfd, mem, mirror, 2 * NR_PAGES, &faults) || faults)
		ksft_exit_fail_msg("%s: dmirror does not keep its mirror\n", name);

	/* Clear accessed bits (no notifier), then reclaim the whole memcg. */
	write_text("/proc/self/clear_refs", "1");
	counters_read(&c0);
	cur = cg_read_long(cg, "memory.current");
	snprintf(val, sizeof(val), "%ld", cur);
	snprintf(path, sizeof(path), "%.255s/memory.reclaim", cg);
	ret = write_text(path, val);
	counters_read(&c1);
	ksft_print_msg("%s: memory.reclaim %ld bytes: %s\n", name, cur,
		       ret ? strerror(-ret) : "done");

	inv_pinned = count_invalidated(dfd, mem, mirror, NR_PAGES);
	inv_unpinned = count_invalidated(dfd, mem + half, mirror + half, NR_PAGES);
	pinned_top = count_on_node(mem, NR_PAGES, TOP_NODE, &pinned_other);
	unpinned_low = count_on_node(mem + half, NR_PAGES, LOW_NODE, &unpinned_other);
	bad = check(mem, size);

	ksft_print_msg("%s: pgdemote %ld pgmigrate_success %ld pgmigrate_fail %ld pgunmap_pinned_skip %ld\n",
		       name, c1.demote - c0.demote, c1.mig_ok - c0.mig_ok,
		       c1.mig_fail - c0.mig_fail,
		       c0.skip < 0 ? -1 : c1.skip - c0.skip);
	ksft_print_msg("%s: pinned: %ld/%d invalidated, %ld on node %d, %ld elsewhere\n",
		       name, inv_pinned, NR_PAGES, pinned_top, TOP_NODE, pinned_other);
	ksft_print_msg("%s: unpinned: %ld/%d invalidated, %ld on node %d, %ld elsewhere\n",
		       name, inv_unpinned, NR_PAGES, unpinned_low, LOW_NODE,
		       unpinned_other);

	ioctl(gup_fd, PIN_LONGTERM_TEST_STOP);

	if (bad >= 0) {
		ksft_print_msg("%s: content differs at offset %ld\n", name, bad);
		ok = false;
	}
	if (unpinned_low != NR_PAGES || c1.demote - c0.demote < NR_PAGES) {
		ksft_print_msg("%s: expected every unpinned page demoted to node %d on every arm\n",
			       name, LOW_NODE);
		ok = false;
	}
	if (pinned_top != NR_PAGES) {
		ksft_print_msg("%s: expected every pinned page to stay on node %d\n",
			       name, TOP_NODE);
		ok = false;
	}
	if (pinned_invalidated[arm] ? inv_pinned == 0 : inv_pinned != 0) {
		ksft_print_msg("%s: %s expects %s pinned page invalidated, got %ld\n",
			       name, arm_names[arm],
			       pinned_invalidated[arm] ? "some" : "no", inv_pinned);
		ok = false;
	}
	if (arm == ARM_PIN_AWARE && b == SHMEM && c1.skip - c0.skip <= 0) {
		ksft_print_msg("%s: pin-aware expects pgunmap_pinned_skip to grow\n",
			       name);
		ok = false;
	}
	ret = ok ? KSFT_PASS : KSFT_FAIL;
out:
	munmap(reserve, size + 2 * page_size);
	cg_destroy(cg);
	free(mirror);
	return ret;
}

int main(void)
{
	const char *s = getenv("PIN_RECLAIM_ARM");
	int top, low, ntiers, gup_fd, dfd, i;

	ksft_print_header();
	if (s && *s) {
		for (i = 0; i < NR_ARMS; i++)
			if (!strcmp(s, arm_names[i]))
				break;
		if (i == NR_ARMS)
			ksft_exit_fail_msg("PIN_RECLAIM_ARM=%s: use base, mayfail or pin-aware\n", s);
		arm = i;
	}
	page_size = getpagesize();

	if (getuid())
		ksft_exit_skip("must run as root\n");
	if (read_text(DEMOTION_PATH, demotion_saved, sizeof(demotion_saved)))
		ksft_exit_skip("no %s (CONFIG_NUMA, CONFIG_MIGRATION; 7.3: CONFIG_NUMA_MIGRATION)\n", DEMOTION_PATH);
	top = node_tier(TOP_NODE, &ntiers);
	low = node_tier(LOW_NODE, &ntiers);
	ksft_print_msg("arm %s: %d memory tiers, node %d in tier %d, node %d in tier %d\n",
		       arm_names[arm], ntiers, TOP_NODE, top, LOW_NODE, low);
	if (ntiers < 2 || top < 0 || low <= top)
		ksft_exit_skip("no lower memory tier below node %d (needs node %d in a slower tier, e.g. the numa config variant)\n",
			       TOP_NODE, LOW_NODE);
	gup_fd = open(GUP_TEST_PATH, O_RDWR);
	if (gup_fd < 0)
		ksft_exit_skip("no %s (CONFIG_GUP_TEST, debugfs)\n", GUP_TEST_PATH);
	dfd = open(DMIRROR_PATH, O_RDWR);
	if (dfd < 0)
		ksft_exit_skip("no %s (CONFIG_TEST_HMM)\n", DMIRROR_PATH);
	if (access(CGROUP_ROOT "/cgroup.subtree_control", W_OK))
		ksft_exit_skip("no cgroup v2 at " CGROUP_ROOT "\n");
	if (write_text(DEMOTION_PATH, "1"))
		ksft_exit_skip("cannot enable %s\n", DEMOTION_PATH);

	ksft_set_plan(NR_BACKINGS);
	for (i = 0; i < NR_BACKINGS; i++) {
		switch (run(i, gup_fd, dfd)) {
		case KSFT_PASS:
			ksft_test_result_pass("%s\n", backing_names[i]);
			break;
		case KSFT_SKIP:
			ksft_test_result_skip("%s\n", backing_names[i]);
			break;
		default:
			ksft_test_result_fail("%s\n", backing_names[i]);
		}
	}
	demotion_saved[strcspn(demotion_saved, "\n")] = '\0';
	write_text(DEMOTION_PATH, strcmp(demotion_saved, "true") ? "0" : "1");
	close(dfd);
	close(gup_fd);
	ksft_finished();
}
