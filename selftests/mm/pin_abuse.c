// SPDX-License-Identifier: GPL-2.0
/*
 * Abuse of the pinned-folio heuristic by an unprivileged process.
 *
 * Pin-aware reclaim (v2, patches/pin-aware/) sets a mapped folio aside
 * before any rmap walk or mmu notifier when folio_likely_dma_pinned() says
 * so: the exact pincount of a large folio, or for a small folio
 *
 *	refcount - 1 - folio_expected_ref_count() >= GUP_PIN_COUNTING_BIAS
 *
 * (1024; the expected count has the mappings, page cache, swap cache and
 * PG_private).  So references that are neither mappings nor pins count as
 * pins once there are 1024 of them.  The "victim" fixture has a root
 * process (the victim, in a memcg of its own) map and write a tmpfs file
 * readable by all; an attacker process that dropped to uid/gid 65534 takes
 * references to the same pages in one of several ways; then the victim's
 * memcg is reclaimed (memory.reclaim) and the test measures
 *  - whether the victim's PTEs were torn down (its /proc/self/pagemap),
 *  - whether the pages were freed (mincore() of the victim's mapping: a
 *    shmem page written to swap and freed is no longer in core),
 *  - the memcg's pgscan/pgsteal, pswpout and the pinned folios reclaim set
 *    aside (nr_pinned of the vmscan tracepoints on v2, pgunmap_pinned_skip
 *    on v1; -1 on a kernel with neither).
 *
 * The "budget" fixture measures what an unprivileged process can keep
 * resident through references and real pins, against the limits that
 * account them: io_uring fixed buffers and iommufd IOAS maps (both
 * RLIMIT_MEMLOCK; iommufd needs CONFIG_IOMMUFD_TEST's mock domain, the kvm
 * config variant), pipe buffers (fs.pipe-user-pages-soft, RLIMIT_NOFILE)
 * and gup_test (root only, charged to nothing).
 *
 * Every measurement prints one machine-readable line, "AB
 * bench=abuse_victim|abuse_budget key=value ..." (scripts/report/abuse.py
 * turns run directories into the tables of docs/security.md).  PIN_RECLAIM_ARM selects the arm whose expectations are
 * asserted (base, mayfail, pin-aware; default pin-aware).
 *
 * Needs root (to set up; the attacker drops privileges), swap, cgroup v2,
 * a tmpfs /tmp; the budget cases also io_uring (liburing) and gup_test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/iommufd.h>
#include <linux/magic.h>

#include "local_config.h"
#ifdef LOCAL_CONFIG_HAVE_LIBURING
#include <liburing.h>
#endif /* LOCAL_CONFIG_HAVE_LIBURING */

#include "../kselftest_harness.h"
#include "../../../../mm/gup_test.h"
#include "../../../../drivers/iommu/iommufd/iommufd_test.h"
#include "vm_util.h"
#include "wb.h"

#define NOBODY		65534

WB_ARM_FROM_ENV(ARM_PIN_AWARE)

/* The pinned folios reclaim set aside (wb_pinned_read()). */
static struct wb_pinned pinned;

static long pinned_skips(void)
{
	return wb_pinned_read(&pinned, "pin_abuse", "8192");
}

/* Leave every privilege behind: uid/gid NOBODY, no supplementary groups. */
static int drop_privileges(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return -errno;
	if (getuid() != NOBODY || geteuid() != NOBODY || !setuid(0))
		return -EPERM;
	return 0;
}

/* Fixed-size messages over a pipe, with a timeout in seconds. */
static int msg_read(int fd, void *buf, size_t len, int secs)
{
	size_t got = 0;
	ssize_t n;

	alarm(secs);
	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n <= 0) {
			alarm(0);
			return n ? -errno : -EPIPE;
		}
		got += n;
	}
	alarm(0);
	return 0;
}

static void noop_handler(int sig)
{
	(void)sig;
}

/* SIGALRM interrupts msg_read()'s read() (no SA_RESTART). */
static void alarm_setup(void)
{
	struct sigaction sa = { .sa_handler = noop_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
}

/* A -errno as one token for the "AB" lines: "none", "ENOMEM", ... */
static const char *err_name(int err)
{
	static char buf[16];

	switch (-err) {
	case 0: return "none";
	case ENOMEM: return "ENOMEM";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case EAGAIN: return "EAGAIN";
	}
	snprintf(buf, sizeof(buf), "E%d", -err);
	return buf;
}
/* ======================================================================== */

#define NR_VICTIM_PAGES	8
/* More than GUP_PIN_COUNTING_BIAS (1024) references of each page. */
#define NR_MANY		1100
/* The references one default pipe holds (PIPE_DEF_BUFFERS). */
#define NR_DEF_PIPE	16
#define RECLAIM_ROUNDS	3
#define MAX_RECLAIM_ROUNDS	25	/* 7 s of waiting for swap writeback */
#define PAGE_CLUSTER	"/proc/sys/vm/page-cluster"

enum source {
	SRC_NONE,	/* the attacker only opens the file */
	SRC_MAP,	/* maps the pages NR_MANY times (mapcount) */
	SRC_VMSPLICE,	/* vmsplice() of a read-only mapping, then munmap */
	SRC_SPLICE,	/* splice() from the file: read permission only */
};

static const char * const source_names[] = {
	[SRC_NONE] = "none",
	[SRC_MAP] = "mmap",
	[SRC_VMSPLICE] = "vmsplice",
	[SRC_SPLICE] = "splice",
};

/* The attacker's report to the victim. */
struct ready {
	int err;		/* 0, or the -errno of the step that failed */
	int step;		/* which step failed */
	long refs_per_page;	/* references the attacker placed per page */
	long pipes;
	long pipe_slots;	/* sum of the pipes' capacities, in buffers */
	uid_t uid;
};

FIXTURE(victim)
{
	long page_cluster;	/* vm.page-cluster to restore, or -1 */
	char path[64];
	int fd;
	char *map;
	size_t ps;
	int pagemap_fd;
	char cg[128];
	pid_t attacker;
	int to_attacker;	/* closing it tells the attacker to exit */
	int from_attacker;
};

FIXTURE_VARIANT(victim)
{
	enum source source;
	long refs;		/* per page */
	/* What reclaim does with the victim's mapping, per arm. */
	bool pte_kept[NR_ARMS];
	bool freed;		/* every arm */
};

FIXTURE_VARIANT_ADD(victim, none)
{
	.source = SRC_NONE,
	.refs = 0,
	/* base mayfail pin-aware */
	.pte_kept = { false, false, false },
	.freed = true,
};

FIXTURE_VARIANT_ADD(victim, mmap_1100)
{
	.source = SRC_MAP,
	.refs = NR_MANY,
	.pte_kept = { false, false, false },
	.freed = true,
};

FIXTURE_VARIANT_ADD(victim, vmsplice_16)
{
	.source = SRC_VMSPLICE,
	.refs = NR_DEF_PIPE,
	.pte_kept = { false, false, false },
	.freed = false,
};

FIXTURE_VARIANT_ADD(victim, vmsplice_1100)
{
	.source = SRC_VMSPLICE,
	.refs = NR_MANY,
	.pte_kept = { false, false, true },
	.freed = false,
};

FIXTURE_VARIANT_ADD(victim, splice_16)
{
	.source = SRC_SPLICE,
	.refs = NR_DEF_PIPE,
	.pte_kept = { false, false, false },
	.freed = false,
};

FIXTURE_VARIANT_ADD(victim, splice_1100)
{
	.source = SRC_SPLICE,
	.refs = NR_MANY,
	.pte_kept = { false, false, true },
	.freed = false,
};

/*
 * Pipes big enough for @refs buffers per page, as large as an unprivileged
 * user may make them (fs.pipe-max-size), or default ones for NR_DEF_PIPE.
 * Returns the number of pipes, or -errno; *slots gets their capacity.
 */
static int attacker_pipes(int (*p)[2], int max, long need, bool def_size,
			  long *slots)
{
	long max_size = wb_read_long("/proc/sys/fs/pipe-max-size");
	int n = 0, sz;

	*slots = 0;
	while (*slots < need) {
		if (n == max)
			return -ENOSPC;
		if (pipe(p[n]))
			return -errno;
		if (!def_size && max_size > 0 &&
		    fcntl(p[n][1], F_SETPIPE_SZ, (int)max_size) < 0)
			return -errno;
		sz = fcntl(p[n][1], F_GETPIPE_SZ);
		if (sz <= 0)
			return -errno;
		*slots += sz / getpagesize();
		n++;
	}
	return n;
}

#define MAX_PIPES	512

/* Fill pipes @p[0..n) with @refs references of each page, page by page. */
static int attacker_fill(int (*p)[2], int n, int fd, char *ro, size_t ps,
			 enum source src, long refs)
{
	long cap = 0, left = 0;
	int cur = -1, page;
	long r;
	ssize_t ret;

	for (page = 0; page < NR_VICTIM_PAGES; page++) {
		for (r = 0; r < refs; r++) {
			if (!left) {
				if (++cur == n)
					return -ENOSPC;
				cap = fcntl(p[cur][1], F_GETPIPE_SZ) / (long)ps;
				left = cap;
			}
			if (src == SRC_VMSPLICE) {
				struct iovec iov = {
					.iov_base = ro + page * ps,
					.iov_len = ps,
				};

				ret = vmsplice(p[cur][1], &iov, 1, SPLICE_F_NONBLOCK);
			} else {
				loff_t off = page * ps;

				ret = splice(fd, &off, p[cur][1], NULL, ps,
					     SPLICE_F_NONBLOCK);
			}
			if (ret != (ssize_t)ps)
				return ret < 0 ? -errno : -EIO;
			left--;
		}
	}
	return 0;
}

/*
 * The attacker: unprivileged, in the root cgroup, with only read
 * permission to the file.  Reports on @out, then waits for EOF on @in.
 */
static void attacker(const char *path, enum source src, long refs, int in, int out)
{
	static int p[MAX_PIPES][2];
	static char *maps[NR_MANY];
	struct ready r = { 0 };
	size_t ps = getpagesize();
	char *ro = NULL, c;
	int fd, i, n;

	r.step = 1;
	if (wb_write_text(WB_CGROUP_ROOT "/cgroup.procs", "0")) {
		r.err = -errno;
		goto report;
	}
	r.step = 2;
	r.err = drop_privileges();
	if (r.err)
		goto report;
	r.uid = getuid();
	r.step = 3;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		r.err = -errno;
		goto report;
	}
	r.step = 4;
	switch (src) {
	case SRC_NONE:
		break;
	case SRC_MAP:
		for (i = 0; i < refs; i++) {
			maps[i] = mmap(NULL, NR_VICTIM_PAGES * ps, PROT_READ,
				       MAP_SHARED, fd, 0);
			if (maps[i] == MAP_FAILED) {
				r.err = -errno;
				goto report;
			}
			for (n = 0; n < NR_VICTIM_PAGES; n++)
				c = *(volatile char *)(maps[i] + n * ps);
			r.refs_per_page++;
		}
		(void)c;
		break;
	case SRC_VMSPLICE:
		ro = mmap(NULL, NR_VICTIM_PAGES * ps, PROT_READ, MAP_SHARED, fd, 0);
		if (ro == MAP_FAILED) {
			r.err = -errno;
			goto report;
		}
		/* fallthrough */
	case SRC_SPLICE:
		n = attacker_pipes(p, MAX_PIPES, refs * NR_VICTIM_PAGES,
				   refs == NR_DEF_PIPE, &r.pipe_slots);
		if (n < 0) {
			r.err = n;
			goto report;
		}
		r.pipes = n;
		r.step = 5;
		r.err = attacker_fill(p, n, fd, ro, ps, src, refs);
		if (r.err)
			goto report;
		r.refs_per_page = refs;
		/* Only the pipes hold the pages now, no mapping. */
		if (ro)
			munmap(ro, NR_VICTIM_PAGES * ps);
		break;
	}
	r.step = 0;
report:
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	/* Hold everything until the victim is done. */
	while (read(in, &c, 1) > 0)
		;
	_exit(0);
}

static long victim_present(FIXTURE_DATA(victim) *self)
{
	long n = 0;
	int i;

	for (i = 0; i < NR_VICTIM_PAGES; i++)
		if (pagemap_get_entry(self->pagemap_fd, self->map + i * self->ps) &
		    PM_PRESENT)
			n++;
	return n;
}

static long victim_incore(FIXTURE_DATA(victim) *self)
{
	unsigned char vec[NR_VICTIM_PAGES];
	long n = 0;
	int i;

	if (mincore(self->map, NR_VICTIM_PAGES * self->ps, vec))
		return -errno;
	for (i = 0; i < NR_VICTIM_PAGES; i++)
		n += vec[i] & 1;
	return n;
}

/* The attacker's PTEs of its NR_MANY mappings, through /proc/PID/pagemap. */
static long attacker_present(pid_t pid)
{
	char path[64], line[256];
	long n = 0;
	FILE *maps;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "r");
	if (fd < 0 || !maps) {
		if (fd >= 0)
			close(fd);
		if (maps)
			fclose(maps);
		return -1;
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi, a;

		if (!strstr(line, "pin_abuse.") ||
		    sscanf(line, "%lx-%lx", &lo, &hi) != 2)
			continue;
		for (a = lo; a < hi; a += getpagesize())
			if (pagemap_get_entry(fd, (char *)a) & PM_PRESENT)
				n++;
	}
	fclose(maps);
	close(fd);
	return n;
}

FIXTURE_SETUP(victim)
{
	int to[2], from[2];
	struct statfs sfs;
	size_t i;

	self->page_cluster = -1;
	self->fd = -1;
	self->pagemap_fd = -1;
	self->to_attacker = -1;
	self->from_attacker = -1;
	self->map = MAP_FAILED;
	self->ps = getpagesize();
	if (getuid())
		SKIP(return, "must run as root (the attacker drops to %d)", NOBODY);
	if (!wb_have_swap())
		SKIP(return, "no swap device");
	if (access(WB_CGROUP_ROOT "/cgroup.subtree_control", W_OK))
		SKIP(return, "no cgroup v2 at " WB_CGROUP_ROOT);
	if (statfs("/tmp", &sfs) || sfs.f_type != TMPFS_MAGIC)
		SKIP(return, "/tmp is not a tmpfs");
	alarm_setup();
	self->pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_GE(self->pagemap_fd, 0);

	/* A file everybody may read, written by the victim. */
	snprintf(self->path, sizeof(self->path), "/tmp/pin_abuse.XXXXXX");
	self->fd = mkstemp(self->path);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(fchmod(self->fd, 0644), 0);
	ASSERT_EQ(ftruncate(self->fd, NR_VICTIM_PAGES * self->ps), 0);

	/* The victim's memory is charged to its own memcg. */
	ASSERT_EQ(wb_memcg_create(self->cg, sizeof(self->cg), "pin_abuse.%d", getpid()), 0);
	ASSERT_EQ(wb_memcg_write(self->cg, "cgroup.procs", "0"), 0);
	self->map = mmap(NULL, NR_VICTIM_PAGES * self->ps, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->fd, 0);
	ASSERT_NE(self->map, MAP_FAILED);
	madvise(self->map, NR_VICTIM_PAGES * self->ps, MADV_NOHUGEPAGE);
	for (i = 0; i < NR_VICTIM_PAGES * self->ps; i++)
		self->map[i] = (char)(i * 7 + i / self->ps);

	ASSERT_EQ(pipe(to), 0);
	ASSERT_EQ(pipe(from), 0);
	self->attacker = fork();
	ASSERT_GE(self->attacker, 0);
	if (!self->attacker) {
		close(to[1]);
		close(from[0]);
		attacker(self->path, variant->source, variant->refs, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	self->to_attacker = to[1];
	self->from_attacker = from[0];
}

FIXTURE_TEARDOWN(victim)
{
	char val[24];
	int status;

	if (self->page_cluster >= 0) {
		snprintf(val, sizeof(val), "%ld", self->page_cluster);
		wb_write_text(PAGE_CLUSTER, val);
	}

	if (self->to_attacker >= 0) {
		close(self->to_attacker);
		waitpid(self->attacker, &status, 0);
	}
	if (self->from_attacker >= 0)
		close(self->from_attacker);
	if (self->map != MAP_FAILED)
		munmap(self->map, NR_VICTIM_PAGES * self->ps);
	if (self->fd >= 0) {
		close(self->fd);
		unlink(self->path);
	}
	if (self->pagemap_fd >= 0)
		close(self->pagemap_fd);
	wb_memcg_remove(self->cg);
	wb_pinned_stop(&pinned);
}

TEST_F_TIMEOUT(victim, reclaim, 180)
{
	long pte0, pte1, core0, core1, prev, att1 = -1;
	long scan0, steal0, swp0, skip0, skip1;
	struct ready r;
	char req[32], path[64];
	int ret, round, stable;
	size_t i;

	ASSERT_EQ(msg_read(self->from_attacker, &r, sizeof(r), 60), 0)
		TH_LOG("no word from the attacker");
	ASSERT_EQ(r.err, 0)
		TH_LOG("attacker (uid %d) failed at step %d: %s", r.uid, r.step,
		       strerror(-r.err));
	ASSERT_EQ(r.uid, NOBODY);
	ASSERT_EQ(r.refs_per_page, variant->refs);

	pte0 = victim_present(self);
	core0 = victim_incore(self);
	ASSERT_EQ(pte0, NR_VICTIM_PAGES);
	ASSERT_EQ(core0, NR_VICTIM_PAGES);

	/*
	 * The references, not the LRU order, must decide: no young bits of
	 * either process, and the victim's pages on the inactive list (the
	 * attacker's GUP marked them accessed, which can activate them;
	 * MADV_COLD skips pages that other processes map, which is the mmap
	 * case, where nothing took a GUP reference).  The attacker's
	 * activations (splice marks the folios it reads accessed) wait in
	 * its CPU's LRU batch, the folios off the LRU meanwhile: apply every
	 * CPU's batches first, or MADV_COLD misses a folio still queued and
	 * a later drain activates it after MADV_COLD deactivated it.
	 */
	ASSERT_EQ(wb_lru_drain_all(), 0);
	ASSERT_EQ(wb_write_text("/proc/self/clear_refs", "1"), 0);
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", self->attacker);
	ASSERT_EQ(wb_write_text(path, "1"), 0);
	ASSERT_EQ(madvise(self->map, NR_VICTIM_PAGES * self->ps, MADV_COLD), 0);

	skip0 = pinned_skips();
	scan0 = wb_memcg_key(self->cg, "memory.stat", "pgscan");
	steal0 = wb_memcg_key(self->cg, "memory.stat", "pgsteal");
	swp0 = wb_vmstat("pswpout");
	/*
	 * More than the memcg holds: reclaim tries every page, repeatedly.
	 * At least RECLAIM_ROUNDS times, a moment apart, and on until the
	 * victim's pages in memory stayed the same over the last
	 * RECLAIM_ROUNDS rounds: a page written to swap is freed only by a
	 * round after its write completed, which a loaded host can delay
	 * past a few rounds (one page of eight was left so, under TCG with
	 * the host's load at 8).  Where the pages are to be freed, on until
	 * they are, at most MAX_RECLAIM_ROUNDS.  Each round first applies
	 * every CPU's LRU batches: the end of a page's writeback moves it to
	 * the inactive tail through the batch of the CPU that completed it.
	 */
	snprintf(req, sizeof(req), "%lu", 16UL << 20);
	/*
	 * No swap readahead: each round swaps the test's own pages in again,
	 * and readahead around them read a victim page written to the
	 * neighbouring slot back into the swap cache, where mincore() counts
	 * it in memory (one page of eight, now and then, on every arm).
	 */
	self->page_cluster = wb_read_long(PAGE_CLUSTER);
	ASSERT_GE(self->page_cluster, 0);
	ASSERT_EQ(wb_write_text(PAGE_CLUSTER, "0"), 0);
	for (round = 0, stable = 0, prev = -1; round < MAX_RECLAIM_ROUNDS; round++) {
		if (round)
			usleep(300000);
		ASSERT_EQ(wb_lru_drain_all(), 0);
		ret = wb_memcg_write(self->cg, "memory.reclaim", req);
		core1 = victim_incore(self);
		stable = core1 == prev ? stable + 1 : 0;
		prev = core1;
		if (stable + 1 >= RECLAIM_ROUNDS && !(variant->freed && core1))
			break;
	}
	skip1 = pinned_skips();

	pte1 = victim_present(self);
	core1 = victim_incore(self);
	if (variant->source == SRC_MAP)
		att1 = attacker_present(self->attacker);

	printf("AB bench=abuse_victim arm=%s source=%s refs_per_page=%ld pages=%d",
		       wb_arm_name(arm), source_names[variant->source],
		       r.refs_per_page, NR_VICTIM_PAGES);
	printf(" pipes=%ld pipe_slots=%ld rounds=%d reclaim_ret=%d victim_pte=%ld",
	       r.pipes, r.pipe_slots, round + (round < MAX_RECLAIM_ROUNDS), ret, pte1);
	printf(" resident=%ld attacker_pte=%ld pgscan=%ld pgsteal=%ld pswpout=%ld",
	       core1, att1,
	       wb_memcg_key(self->cg, "memory.stat", "pgscan") - scan0,
	       wb_memcg_key(self->cg, "memory.stat", "pgsteal") - steal0,
	       wb_vmstat("pswpout") - swp0);
	printf(" nr_pinned=%ld\n", skip0 >= 0 ? skip1 - skip0 : -1);
	fflush(stdout);	/* the harness _exit()s its test children */

	/* The victim's PTEs: torn down unless pin-aware takes it for pinned. */
	EXPECT_EQ(pte1, variant->pte_kept[arm] ? NR_VICTIM_PAGES : 0)
		TH_LOG("%s, %ld refs/page on %s: victim PTEs %ld of %d",
		       source_names[variant->source], variant->refs,
		       wb_arm_name(arm), pte1, NR_VICTIM_PAGES);
	/* Freed (written to swap and gone from memory), or held by the pipes. */
	EXPECT_EQ(core1, variant->freed ? 0 : NR_VICTIM_PAGES)
		TH_LOG("%s: %ld of %d pages still in memory",
		       source_names[variant->source], core1, NR_VICTIM_PAGES);
	if (variant->source == SRC_MAP)
		EXPECT_EQ(att1, 0) TH_LOG("attacker kept %ld PTEs", att1);
	if (arm == ARM_PIN_AWARE) {
		ASSERT_GE(skip1, 0)
			TH_LOG("no nr_pinned, no pgunmap_pinned_skip: no pin-aware reclaim");
		/* Set aside as pinned exactly where the PTEs were kept. */
		if (variant->pte_kept[arm]) {
			EXPECT_GE(skip1 - skip0, NR_VICTIM_PAGES);
		} else {
			EXPECT_EQ(skip1 - skip0, 0);
		}
	}
	/* The victim's data, whatever happened. */
	for (i = 0; i < NR_VICTIM_PAGES * self->ps; i++)
		if (self->map[i] != (char)(i * 7 + i / self->ps))
			break;
	EXPECT_EQ(i, NR_VICTIM_PAGES * self->ps) TH_LOG("data differs at %zu", i);
}

/* ------------------------------------------------------------------------ */
/*
 * What an unprivileged process can keep resident, per reference source,
 * against the limit that accounts it.  Each case runs the unprivileged part
 * in a child that reports a struct budget.
 */
#define MEMLOCK_LIMIT	(8UL << 20)
#define URING_CHUNK	(1UL << 20)
#define URING_MAX	32	/* rings: 32 MiB, four times the limit */

struct budget {
	int err;		/* -errno of the attempt that failed, 0 if none */
	int step;
	long bytes;		/* what the source held when it stopped */
	long count;		/* rings, pipes */
	long full;		/* pipes grown to fs.pipe-max-size */
	long refs;		/* page references placed in pipe buffers */
	long vmpin_kb;		/* VmPin of the process */
	long pins;		/* nr_foll_pin_acquired delta */
};

FIXTURE(budget)
{
	int chan[2];
	int go[2];
	pid_t child[2];
};

FIXTURE_SETUP(budget)
{
	if (getuid())
		SKIP(return, "must run as root (the children drop to %d)", NOBODY);
	alarm_setup();
	ASSERT_EQ(pipe(self->chan), 0);
	ASSERT_EQ(pipe(self->go), 0);
	self->child[0] = self->child[1] = -1;
}

FIXTURE_TEARDOWN(budget)
{
	int i, status;

	close(self->go[1]);	/* EOF: the children exit */
	for (i = 0; i < 2; i++)
		if (self->child[i] > 0)
			waitpid(self->child[i], &status, 0);
	close(self->chan[0]);
	close(self->chan[1]);
	close(self->go[0]);
}

/* A child of the budget fixture: only its own ends of the pipes. */
static void budget_child_ends(FIXTURE_DATA(budget) *self)
{
	close(self->go[1]);
	close(self->chan[0]);
}

static void budget_report(int fd, struct budget *b, int go)
{
	char c;

	b->vmpin_kb = wb_proc_status_kb(getpid(), "VmPin");
	if (write(fd, b, sizeof(*b)) != sizeof(*b))
		_exit(1);
	while (read(go, &c, 1) > 0)
		;
	_exit(0);
}

#ifdef LOCAL_CONFIG_HAVE_LIBURING
/*
 * Unprivileged, RLIMIT_MEMLOCK = MEMLOCK_LIMIT: one ring per 1 MiB fixed
 * buffer until a registration fails.  io_uring charges the user's
 * locked_vm, so the rings of a second process of the same user add up.
 */
static void uring_child(int out, int go)
{
	static struct io_uring rings[URING_MAX];
	struct rlimit rl = { MEMLOCK_LIMIT, MEMLOCK_LIMIT };
	struct budget b = { 0 };
	long pins0 = wb_vmstat("nr_foll_pin_acquired");
	struct iovec iov;
	int i, ret;

	b.step = 1;
	if (setrlimit(RLIMIT_MEMLOCK, &rl) || (b.err = drop_privileges())) {
		b.err = b.err ?: -errno;
		budget_report(out, &b, go);
	}
	b.step = 2;
	for (i = 0; i < URING_MAX; i++) {
		iov.iov_len = URING_CHUNK;
		iov.iov_base = mmap(NULL, URING_CHUNK, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (iov.iov_base == MAP_FAILED) {
			b.err = -errno;
			break;
		}
		madvise(iov.iov_base, URING_CHUNK, MADV_NOHUGEPAGE);
		ret = io_uring_queue_init(2, &rings[i], 0);
		if (ret) {
			b.err = ret;
			b.step = 3;
			break;
		}
		ret = io_uring_register_buffers(&rings[i], &iov, 1);
		if (ret) {
			b.err = ret;
			b.step = 4;
			break;
		}
		b.bytes += URING_CHUNK;
	}
	b.count = i;
	b.pins = wb_vmstat("nr_foll_pin_acquired") - pins0;
	budget_report(out, &b, go);
}
#endif /* LOCAL_CONFIG_HAVE_LIBURING */

TEST_F_TIMEOUT(budget, io_uring_memlock, 120)
{
#ifndef LOCAL_CONFIG_HAVE_LIBURING
	SKIP(return, "built without liburing");
#else
	struct budget b[2];
	int i;

	if (wb_read_long("/proc/sys/kernel/io_uring_disabled") > 0)
		SKIP(return, "kernel.io_uring_disabled is set");
	/* The second process of the same user starts once the first holds. */
	for (i = 0; i < 2; i++) {
		self->child[i] = fork();
		ASSERT_GE(self->child[i], 0);
		if (!self->child[i]) {
			budget_child_ends(self);
			uring_child(self->chan[1], self->go[0]);
		}
		ASSERT_EQ(msg_read(self->chan[0], &b[i], sizeof(b[i]), 60), 0);
		printf("AB bench=abuse_budget arm=%s source=io_uring process=%d memlock_limit=%lu",
			       wb_arm_name(arm), i, MEMLOCK_LIMIT);
		printf(" held_bytes=%ld rings=%ld vmpin_kb=%ld pins=%ld err=%s step=%d\n",
		       b[i].bytes, b[i].count, b[i].vmpin_kb, b[i].pins,
		       err_name(b[i].err), b[i].step);
		fflush(stdout);
	}
	/* The first stops at the limit, with ENOMEM from the registration. */
	EXPECT_EQ(b[0].step, 4);
	EXPECT_EQ(b[0].err, -ENOMEM);
	EXPECT_LE(b[0].bytes, (long)MEMLOCK_LIMIT);
	EXPECT_GE(b[0].bytes, (long)(MEMLOCK_LIMIT - URING_CHUNK));
	EXPECT_EQ(b[0].vmpin_kb * 1024, b[0].bytes);
	/* nr_foll_pin_acquired is a node counter: per-CPU deltas may lag. */
	EXPECT_GE(b[0].pins, b[0].bytes / getpagesize() / 10 * 9);
	/* The limit is per user: the second process gets what is left. */
	EXPECT_EQ(b[1].err, -ENOMEM);
	EXPECT_LE(b[0].bytes + b[1].bytes, (long)MEMLOCK_LIMIT);
#endif
}

/*
 * Unprivileged, RLIMIT_MEMLOCK = MEMLOCK_LIMIT: /dev/iommu (mode 0666),
 * an IOAS with CONFIG_IOMMUFD_TEST's mock domain attached (so that a map
 * pins at once, as with a VFIO device), then 1 MiB IOMMU_IOAS_MAPs until
 * one fails.  iommufd charges the user's locked_vm by default.
 */
static void iommufd_child(int out, int go)
{
	struct rlimit rl = { MEMLOCK_LIMIT, MEMLOCK_LIMIT };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	long pins0 = wb_vmstat("nr_foll_pin_acquired");
	struct budget b = { 0 };
	int fd, i;

	b.step = 1;
	if (setrlimit(RLIMIT_MEMLOCK, &rl) || (b.err = drop_privileges())) {
		b.err = b.err ?: -errno;
		budget_report(out, &b, go);
	}
	b.step = 2;
	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0 || ioctl(fd, IOMMU_IOAS_ALLOC, &alloc)) {
		b.err = -errno;
		budget_report(out, &b, go);
	}
	b.step = 3;
	mock.id = alloc.out_ioas_id;
	if (ioctl(fd, IOMMU_TEST_CMD, &mock)) {
		b.err = -errno;
		budget_report(out, &b, go);
	}
	b.step = 4;
	for (i = 0; i < URING_MAX; i++) {
		struct iommu_ioas_map map = {
			.size = sizeof(map),
			.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
			.ioas_id = alloc.out_ioas_id,
			.length = URING_CHUNK,
		};
		void *p = mmap(NULL, URING_CHUNK, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		if (p == MAP_FAILED) {
			b.err = -errno;
			break;
		}
		madvise(p, URING_CHUNK, MADV_NOHUGEPAGE);
		map.user_va = (uintptr_t)p;
		if (ioctl(fd, IOMMU_IOAS_MAP, &map)) {
			b.err = -errno;
			break;
		}
		b.bytes += URING_CHUNK;
	}
	b.count = i;
	b.pins = wb_vmstat("nr_foll_pin_acquired") - pins0;
	budget_report(out, &b, go);
}

TEST_F_TIMEOUT(budget, iommufd_memlock, 120)
{
	struct budget b[2];
	struct stat st;
	int i, fd;

	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0)
		SKIP(return, "no /dev/iommu (the kvm config variant has it)");
	close(fd);
	/*
	 * Access to /dev/iommu is the administrator's choice (the guest's
	 * devtmpfs node is not open to uid 65534): give it, to measure the
	 * accounting of an unprivileged user that has it.
	 */
	ASSERT_EQ(stat("/dev/iommu", &st), 0);
	ASSERT_EQ(chmod("/dev/iommu", 0666), 0);
	for (i = 0; i < 2; i++) {
		self->child[i] = fork();
		ASSERT_GE(self->child[i], 0);
		if (!self->child[i]) {
			budget_child_ends(self);
			iommufd_child(self->chan[1], self->go[0]);
		}
		ASSERT_EQ(msg_read(self->chan[0], &b[i], sizeof(b[i]), 60), 0);
		printf("AB bench=abuse_budget arm=%s source=iommufd process=%d memlock_limit=%lu dev_mode=0%o",
		       wb_arm_name(arm), i, MEMLOCK_LIMIT, st.st_mode & 07777);
		printf(" held_bytes=%ld maps=%ld vmpin_kb=%ld pins=%ld err=%s step=%d\n",
		       b[i].bytes, b[i].count, b[i].vmpin_kb, b[i].pins,
		       err_name(b[i].err), b[i].step);
		fflush(stdout);
		if (b[i].step == 3 && b[i].err) {
			chmod("/dev/iommu", st.st_mode & 07777);
			SKIP(return, "no mock domain: %s (CONFIG_IOMMUFD_TEST)",
			     strerror(-b[i].err));
		}
	}
	chmod("/dev/iommu", st.st_mode & 07777);
	/* As io_uring: the first stops at the limit, the second gets the rest. */
	EXPECT_EQ(b[0].step, 4);
	EXPECT_EQ(b[0].err, -ENOMEM);
	EXPECT_LE(b[0].bytes, (long)MEMLOCK_LIMIT);
	EXPECT_GE(b[0].bytes, (long)(MEMLOCK_LIMIT - URING_CHUNK));
	EXPECT_GE(b[0].pins, b[0].bytes / getpagesize() / 10 * 9);
	EXPECT_EQ(b[1].err, -ENOMEM);
	EXPECT_LE(b[0].bytes + b[1].bytes, (long)MEMLOCK_LIMIT);
}

/*
 * Pipes of an unprivileged user with RLIMIT_NOFILE = 1024: each grown to
 * fs.pipe-max-size until the soft limit refuses (EPERM), then new ones of
 * their own (2 buffers each past the soft limit) until the descriptors run
 * out.  Every buffer can hold a reference to a page; the capacity is
 * filled with references to one page of the process's own to show it.
 */
static void pipe_child(int out, int go)
{
	struct rlimit rl = { 1024, 1024 };
	long max_size = wb_read_long("/proc/sys/fs/pipe-max-size");
	size_t ps = getpagesize();
	struct budget b = { 0 };
	int p[2], sz, full = 0;
	long filled = 0, s;
	char *page;

	b.step = 1;
	if (setrlimit(RLIMIT_NOFILE, &rl) || (b.err = drop_privileges())) {
		b.err = b.err ?: -errno;
		budget_report(out, &b, go);
	}
	page = mmap(NULL, ps, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (page == MAP_FAILED) {
		b.err = -errno;
		budget_report(out, &b, go);
	}
	b.step = 2;
	for (;;) {
		if (pipe(p)) {
			b.err = -errno;
			break;
		}
		if (fcntl(p[1], F_SETPIPE_SZ, (int)max_size) >= 0)
			full++;
		else if (errno != EPERM)
			b.err = -errno;
		sz = fcntl(p[1], F_GETPIPE_SZ);
		for (s = 0; s < sz / (long)ps; s++) {
			struct iovec iov = { .iov_base = page, .iov_len = ps };

			if (vmsplice(p[1], &iov, 1, SPLICE_F_NONBLOCK) != (ssize_t)ps)
				break;
			filled++;
		}
		b.bytes += sz;
		b.count++;
	}
	b.full = full;
	b.refs = filled;
	budget_report(out, &b, go);
}

TEST_F_TIMEOUT(budget, pipe_buffers, 120)
{
	long soft = wb_read_long("/proc/sys/fs/pipe-user-pages-soft");
	long hard = wb_read_long("/proc/sys/fs/pipe-user-pages-hard");
	long max_size = wb_read_long("/proc/sys/fs/pipe-max-size");
	long slots, max_slots;
	struct budget b;

	ASSERT_GT(soft, 0);
	ASSERT_GT(max_size, 0);
	self->child[0] = fork();
	ASSERT_GE(self->child[0], 0);
	if (!self->child[0]) {
		budget_child_ends(self);
		pipe_child(self->chan[1], self->go[0]);
	}
	ASSERT_EQ(msg_read(self->chan[0], &b, sizeof(b), 60), 0);
	slots = b.bytes / getpagesize();
	printf("AB bench=abuse_budget arm=%s source=pipe pipe_user_pages_soft=%ld pipe_user_pages_hard=%ld pipe_max_size=%ld nofile=1024",
		       wb_arm_name(arm), soft, hard, max_size);
	printf(" pipes=%ld full_size_pipes=%ld slots=%ld refs_placed=%ld held_bytes=%ld err=%s\n",
	       b.count, b.full, slots, b.refs, b.bytes,
	       err_name(b.err));
	fflush(stdout);
	/* It ends with the descriptors, not with a pipe limit (hard = 0). */
	EXPECT_EQ(b.err, -EMFILE);
	/* Grown to pipe-max-size only while under the soft limit ... */
	max_slots = max_size / getpagesize();
	EXPECT_LE(b.full * max_slots, soft + max_slots);
	/* ... then 2 buffers a pipe: soft + 2 per pipe bounds the total. */
	EXPECT_LE(slots, soft + max_slots + 2 * b.count);
	EXPECT_EQ(b.refs, slots) TH_LOG("every buffer holds a page reference");
}

/*
 * gup_test is root only (debugfs is mode 0700) and charges nothing:
 * root with RLIMIT_MEMLOCK = MEMLOCK_LIMIT pins twice as much, VmPin 0.
 */
TEST_F_TIMEOUT(budget, gup_test_root_only, 120)
{
	struct rlimit rl = { MEMLOCK_LIMIT, MEMLOCK_LIMIT };
	size_t size = 2 * MEMLOCK_LIMIT;
	struct pin_longterm_test args = {
		.size = size,
		.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE,
	};
	struct budget b = { 0 };
	long pins0, vmpin;
	char *mem;
	int fd, ret;

	fd = open(WB_GUP_TEST_PATH, O_RDWR);
	if (fd < 0)
		SKIP(return, "no %s (CONFIG_GUP_TEST, debugfs)", WB_GUP_TEST_PATH);
	self->child[0] = fork();
	ASSERT_GE(self->child[0], 0);
	if (!self->child[0]) {
		budget_child_ends(self);
		close(fd);
		b.err = drop_privileges();
		if (!b.err) {
			fd = open(WB_GUP_TEST_PATH, O_RDWR);
			b.err = fd < 0 ? -errno : 0;
		}
		budget_report(self->chan[1], &b, self->go[0]);
	}
	ASSERT_EQ(msg_read(self->chan[0], &b, sizeof(b), 60), 0);

	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(mem, MAP_FAILED);
	args.addr = (uintptr_t)mem;
	pins0 = wb_vmstat("nr_foll_pin_acquired");
	ret = ioctl(fd, PIN_LONGTERM_TEST_START, &args) ? -errno : 0;
	vmpin = wb_proc_status_kb(getpid(), "VmPin");
	printf("AB bench=abuse_budget arm=%s source=gup_test memlock_limit=%lu unprivileged_open=%s",
		       wb_arm_name(arm), MEMLOCK_LIMIT,
		       b.err ? err_name(b.err) : "allowed");
	printf(" root_pin_bytes=%zu root_pin=%s vmpin_kb=%ld pins=%ld\n", size,
	       ret ? err_name(ret) : "ok", vmpin,
	       wb_vmstat("nr_foll_pin_acquired") - pins0);
	fflush(stdout);
	EXPECT_EQ(b.err, -EACCES) TH_LOG("an unprivileged process opened gup_test");
	EXPECT_EQ(ret, 0);
	EXPECT_EQ(vmpin, 0);
	EXPECT_GE(wb_vmstat("nr_foll_pin_acquired") - pins0,
		  (long)(size / getpagesize() / 10 * 9));
	ioctl(fd, PIN_LONGTERM_TEST_STOP);
	close(fd);
	munmap(mem, size);
}

TEST_HARNESS_MAIN
