// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim vs. DMA-pinned folios.
 *
 * Reclaim cannot free a folio that holds a FOLL_PIN pin, yet until now
 * try_to_unmap() still unmapped many of them first: pinned shmem, memfd and
 * tmpfs pages, anon pages already in the swapcache, MADV_FREE pages and large
 * folios.  Every such attempt fires the mmu notifiers of the range, so a
 * secondary MMU (a GPU userptr, an HMM mirror, KVM) throws away a perfectly
 * valid mapping of memory that stays exactly where it was.
 *
 * These tests pin part of a mapping, make a test_hmm dmirror device mirror
 * it, trigger reclaim and then look at
 *  - the mirror: HMM_DMIRROR_READ reports a fault for every page whose mirror
 *    entry an invalidation erased;
 *  - the CPU page table (/proc/self/pagemap);
 *  - the unpinned part of the same mapping, which must still be reclaimed;
 *  - the content of every page, through the CPU and through the pin;
 *  - /proc/vmstat: pgunmap_pinned_skip, thp_split_pmd.
 *
 * What each kernel is expected to do is spelled out in scenarios[] below,
 * per "arm": "base" (no series), "mayfail" (notifier subscribers may decline
 * reclaim invalidations; test_hmm does not decline, so the mirror sees the
 * same as on base) and "pin-aware" (reclaim skips pinned folios before
 * try_to_unmap()).  PIN_RECLAIM_ARM selects the arm; the default is
 * pin-aware, the behaviour this test asserts upstream.
 *
 * Needs: CONFIG_GUP_TEST (debugfs), CONFIG_TEST_HMM (/dev/hmm_dmirror0),
 * swap, cgroup v2 with the memory controller, root.  Missing pieces make the
 * tests SKIP with the reason.
 */
#define _GNU_SOURCE
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
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "local_config.h"
#ifdef LOCAL_CONFIG_HAVE_LIBURING
#include <liburing.h>
#endif /* LOCAL_CONFIG_HAVE_LIBURING */

#include "../kselftest_harness.h"
#include "../../../../mm/gup_test.h"
#include "../../../../lib/test_hmm_uapi.h"
#include "vm_util.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define GUP_TEST_PATH	"/sys/kernel/debug/gup_test"
#define DMIRROR_PATH	"/dev/hmm_dmirror0"
#define SHMEM_THP_PATH	"/sys/kernel/mm/transparent_hugepage/shmem_enabled"

/* Small-page layout: [NR_PINNED pinned pages | NR_UNPINNED unpinned pages] */
#define NR_PINNED	32
#define NR_UNPINNED	32
/* An unpinned page mapped more often than GUP_PIN_COUNTING_BIAS (1024). */
#define NR_WIDE_MAPPINGS	1100

/* ------------------------------------------------------------------------ */
/* Arms and expectations                                                    */

enum arm { ARM_BASE, ARM_MAYFAIL, ARM_PIN_AWARE, NR_ARMS };

static const char * const arm_names[NR_ARMS] = {
	[ARM_BASE] = "base",
	[ARM_MAYFAIL] = "mayfail",
	[ARM_PIN_AWARE] = "pin-aware",
};

static enum arm arm = ARM_PIN_AWARE;

/*
 * Parsed before the harness starts: an unknown arm is a hard failure, not a
 * silent default.
 */
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
	ksft_exit_fail_msg("PIN_RECLAIM_ARM=%s is not an arm (use base, mayfail or pin-aware)\n",
			   s);
}

enum backing {
	ANON,		/* MAP_PRIVATE|MAP_ANONYMOUS, not in the swapcache */
	ANON_SWAPCACHE,	/* ... swapped out and read back: still in swapcache */
	ANON_LAZYFREE,	/* ... after MADV_FREE */
	SHMEM,		/* MAP_SHARED|MAP_ANONYMOUS */
	MEMFD,		/* memfd_create() + MAP_SHARED */
	TMPFS_FILE,	/* a regular file on a tmpfs /tmp + MAP_SHARED */
	THP_ANON,	/* MADV_HUGEPAGE private anon, PMD mapped */
	THP_LAZYFREE,	/* ... after MADV_FREE */
	THP_SHMEM,	/* MADV_HUGEPAGE MAP_SHARED|MAP_ANONYMOUS, shmem THP */
};

enum pin_kind {
	PIN_GUP_TEST,	/* FOLL_PIN|FOLL_LONGTERM|FOLL_WRITE via gup_test */
	PIN_IO_URING,	/* io_uring fixed buffer (FOLL_PIN|FOLL_LONGTERM) */
	REF_VMSPLICE,	/* plain FOLL_GET references held by a pipe */
};

/*
 * What the dmirror (a secondary MMU without any pin awareness) sees for the
 * pinned pages, and what happens to their CPU PTEs, after MADV_PAGEOUT of
 * the pinned pages.
 */
enum inval { INVAL_NONE, INVAL_ALL };
enum pte { PTE_KEPT, PTE_RESTORED, PTE_REMOVED };

struct expect {
	enum inval inval;	/* mirror entries of pinned pages erased */
	enum pte pte;		/* CPU PTEs of the pinned pages afterwards */
	bool skip_counted;	/* pgunmap_pinned_skip grows by the pinned pages */
	bool pmd_split;		/* thp_split_pmd grows */
};

#define KEPT		{ INVAL_NONE, PTE_KEPT,     false, false }
#define SKIPPED		{ INVAL_NONE, PTE_KEPT,     true,  false }
#define RESTORED	{ INVAL_ALL,  PTE_RESTORED, false, false }
#define REMOVED		{ INVAL_ALL,  PTE_REMOVED,  false, false }
#define RESTORED_SPLIT	{ INVAL_ALL,  PTE_RESTORED, false, true }
#define REMOVED_SPLIT	{ INVAL_ALL,  PTE_REMOVED,  false, true }

struct scenario {
	const char *name;
	struct expect arm[NR_ARMS];	/* base, mayfail, pin-aware */
	const char *why;
};

/*
 * The per-arm expectations, for MADV_PAGEOUT of the pinned range.
 *
 * "RESTORED": try_to_unmap() fired the notifiers and cleared the PTE, then
 * gave up on the pin and put the PTE back: the CPU sees no difference, the
 * secondary MMU lost its mapping.  "REMOVED": the PTE is really gone (the
 * page stays in the page cache); the next CPU access faults it back in.
 *
 * Reclaim through memcg (memory.reclaim, memory.max) visits folios in LRU
 * order and may stop early, so there "every pinned page" (INVAL_ALL,
 * PTE_REMOVED) becomes "at least one pinned page"; "none" stays "none" and
 * a counted skip becomes "pgunmap_pinned_skip grew".
 */
static const struct scenario scenarios[] = {
	[ANON] = { "anon",
		/* base      mayfail    pin-aware */
		{ KEPT,      KEPT,      KEPT },
		"vmscan keeps pinned anon folios before add_to_swap() on every arm" },
	[ANON_SWAPCACHE] = { "anon_swapcache",
		{ RESTORED,  RESTORED,  SKIPPED },
		"already in swapcache: no pre-unmap pin check before the series" },
	[ANON_LAZYFREE] = { "anon_lazyfree",
		{ RESTORED,  RESTORED,  SKIPPED },
		"MADV_FREE folios go straight to try_to_unmap()" },
	[SHMEM] = { "shmem",
		{ REMOVED,   REMOVED,   SKIPPED },
		"shmem is only checked for pins after the unmap" },
	[MEMFD] = { "memfd",
		{ REMOVED,   REMOVED,   SKIPPED },
		"memfd is shmem" },
	[TMPFS_FILE] = { "tmpfs_file",
		{ REMOVED,   REMOVED,   SKIPPED },
		"tmpfs files are shmem" },
	[THP_ANON] = { "thp_anon",
		{ KEPT,      KEPT,      KEPT },
		"large anon folios: _pincount is exact, vmscan keeps them" },
	[THP_LAZYFREE] = { "thp_lazyfree",
		{ RESTORED_SPLIT, RESTORED_SPLIT, SKIPPED },
		"PMD split by TTU_SPLIT_HUGE_PMD, then the lazyfree refcount check fails" },
	[THP_SHMEM] = { "thp_shmem",
		{ REMOVED_SPLIT,  REMOVED_SPLIT,  SKIPPED },
		"PMD split and unmapped, then vmscan sees the pin" },
};

/*
 * Plain references (FOLL_GET, here held by a pipe after vmsplice()) are not
 * pins: reclaim unmaps the folio on every arm, as it always did.  Private
 * anon then gets a swap PTE, shmem loses its PTE.
 */
static const struct expect get_ref_expect[NR_ARMS] = {
	REMOVED, REMOVED, REMOVED
};

static const struct expect *expected(enum backing b, enum pin_kind pin)
{
	if (pin == REF_VMSPLICE)
		return &get_ref_expect[arm];
	return &scenarios[b].arm[arm];
}

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

/* Value of a /proc/vmstat counter, -1 if this kernel does not have it. */
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

static long meminfo_kb(const char *name)
{
	char line[128];
	size_t len = strlen(name);
	long ret = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, len) && line[len] == ':') {
			ret = strtol(line + len + 1, NULL, 10);
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
	/* A header line, then one line per swap device. */
	if (fgets(line, sizeof(line), f) && fgets(line, sizeof(line), f))
		ret = true;
	fclose(f);
	return ret;
}

static int write_file(const char *path, const char *buf)
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

static int read_file(const char *path, char *buf, size_t size)
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

static uint8_t pattern(size_t off, unsigned int seed)
{
	return (uint8_t)((off >> 12) * 31 + (off & 4095) * 7 + seed);
}

static void fill(char *p, size_t len, size_t base, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(base + i, seed);
}

/* Offset of the first byte that differs from the pattern, or -1. */
static long check(const char *p, size_t len, size_t base, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((uint8_t)p[i] != pattern(base + i, seed))
			return i;
	return -1;
}

/* Clear the accessed bits of this process (no mmu notifier involved). */
static int age_pages(void)
{
	return write_file("/proc/self/clear_refs", "1");
}

/* ------------------------------------------------------------------------ */
/* cgroup v2                                                                */

static int cg_create(char *path, size_t size)
{
	char buf[32];
	int ret;

	ret = write_file(CGROUP_ROOT "/cgroup.subtree_control", "+memory");
	if (ret && ret != -EBUSY)
		return ret;
	snprintf(path, size, CGROUP_ROOT "/pin_reclaim.%d", getpid());
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(buf, sizeof(buf), "%s/cgroup.procs", path);
	ret = write_file(buf, "0");
	if (ret)
		rmdir(path);
	return ret;
}

static void cg_destroy(const char *path)
{
	write_file(CGROUP_ROOT "/cgroup.procs", "0");
	rmdir(path);
}

static int cg_write(const char *cg, const char *file, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return write_file(path, val);
}

static long cg_read_long(const char *cg, const char *file)
{
	char path[PATH_MAX], buf[64];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	if (read_file(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/* One key of memory.stat, -1 if missing. */
static long cg_stat(const char *cg, const char *key)
{
	char path[PATH_MAX], k[64];
	long val, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", cg);
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

/* ------------------------------------------------------------------------ */
/* The fixture                                                              */

FIXTURE(pin_reclaim)
{
	size_t page_size;
	size_t pmd_size;
	size_t unit;		/* one pinned/unpinned half */
	size_t size;		/* the whole mapping: 2 * unit */
	size_t npinned;		/* pages */
	char *reserve;		/* PROT_NONE reservation (for alignment) */
	size_t reserve_size;
	char *mem;		/* [pinned unit | unpinned unit] */
	int file_fd;
	char tmpfs_path[64];
	int pagemap_fd;
	int dmirror_fd;
	int gup_fd;
	bool pinned;
	int pipe_fd[2];
	char *mirror;		/* bounce buffer for HMM_DMIRROR_READ */
	char *tmp;		/* buffer for reads through the pin */
	char cg[PATH_MAX];
	char shmem_thp_saved[64];
#ifdef LOCAL_CONFIG_HAVE_LIBURING
	struct io_uring ring;
	bool ring_registered;
	int uring_out_fd;
#endif
};

FIXTURE_VARIANT(pin_reclaim)
{
	enum backing backing;
	enum pin_kind pin;
};

#define VARIANT(_name, _backing, _pin)				\
	FIXTURE_VARIANT_ADD(pin_reclaim, _name)			\
	{							\
		.backing = _backing,				\
		.pin = _pin,					\
	}

VARIANT(anon_pin, ANON, PIN_GUP_TEST);
VARIANT(anon_swapcache_pin, ANON_SWAPCACHE, PIN_GUP_TEST);
VARIANT(anon_lazyfree_pin, ANON_LAZYFREE, PIN_GUP_TEST);
VARIANT(shmem_pin, SHMEM, PIN_GUP_TEST);
VARIANT(memfd_pin, MEMFD, PIN_GUP_TEST);
VARIANT(tmpfs_file_pin, TMPFS_FILE, PIN_GUP_TEST);
VARIANT(thp_anon_pin, THP_ANON, PIN_GUP_TEST);
VARIANT(thp_lazyfree_pin, THP_LAZYFREE, PIN_GUP_TEST);
VARIANT(thp_shmem_pin, THP_SHMEM, PIN_GUP_TEST);
VARIANT(anon_swapcache_io_uring, ANON_SWAPCACHE, PIN_IO_URING);
VARIANT(shmem_io_uring, SHMEM, PIN_IO_URING);
VARIANT(anon_get, ANON, REF_VMSPLICE);
VARIANT(shmem_get, SHMEM, REF_VMSPLICE);

static bool is_thp(enum backing b)
{
	return b == THP_ANON || b == THP_LAZYFREE || b == THP_SHMEM;
}

static bool is_lazyfree(enum backing b)
{
	return b == ANON_LAZYFREE || b == THP_LAZYFREE;
}

static bool is_private_anon(enum backing b)
{
	return b == ANON || b == ANON_SWAPCACHE || b == ANON_LAZYFREE ||
	       b == THP_ANON || b == THP_LAZYFREE;
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

/* Map the backing store, 2 * unit bytes, aligned to unit. */
static void *map_backing(FIXTURE_DATA(pin_reclaim) *self, enum backing b)
{
	int flags = MAP_FIXED;
	char *addr;
	int fd = -1;

	self->reserve_size = self->size + self->unit;
	self->reserve = mmap(NULL, self->reserve_size, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (self->reserve == MAP_FAILED)
		return MAP_FAILED;
	addr = (char *)(((uintptr_t)self->reserve + self->unit - 1) &
			~(uintptr_t)(self->unit - 1));

	switch (b) {
	case ANON:
	case ANON_SWAPCACHE:
	case ANON_LAZYFREE:
	case THP_ANON:
	case THP_LAZYFREE:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case SHMEM:
	case THP_SHMEM:
		flags |= MAP_SHARED | MAP_ANONYMOUS;
		break;
	case MEMFD:
		fd = memfd_create("pin_reclaim", 0);
		break;
	case TMPFS_FILE:
		snprintf(self->tmpfs_path, sizeof(self->tmpfs_path),
			 "/tmp/pin_reclaim.XXXXXX");
		fd = mkstemp(self->tmpfs_path);
		break;
	}
	if (b == MEMFD || b == TMPFS_FILE) {
		if (fd < 0 || ftruncate(fd, self->size))
			return MAP_FAILED;
		self->file_fd = fd;
		flags |= MAP_SHARED;
	}
	return mmap(addr, self->size, PROT_READ | PROT_WRITE, flags, fd, 0);
}

FIXTURE_SETUP(pin_reclaim)
{
	enum backing b = variant->backing;
	struct statfs sfs;
	uint64_t faults = 0;
	size_t i;

	self->page_size = getpagesize();
	self->file_fd = -1;
	self->pagemap_fd = -1;
	self->dmirror_fd = -1;
	self->gup_fd = -1;
	self->pipe_fd[0] = self->pipe_fd[1] = -1;

	TH_LOG("arm %s, scenario %s, %s", arm_names[arm], scenarios[b].name,
	       variant->pin == REF_VMSPLICE ? "FOLL_GET (vmsplice)" :
	       variant->pin == PIN_IO_URING ? "FOLL_PIN (io_uring)" :
	       "FOLL_PIN (gup_test)");

	if (getuid())
		SKIP(return, "must run as root");
	self->gup_fd = open(GUP_TEST_PATH, O_RDWR);
	if (self->gup_fd < 0)
		SKIP(return, "no %s (CONFIG_GUP_TEST, debugfs)", GUP_TEST_PATH);
	self->dmirror_fd = open(DMIRROR_PATH, O_RDWR);
	if (self->dmirror_fd < 0)
		SKIP(return, "no %s (CONFIG_TEST_HMM)", DMIRROR_PATH);
	if (!have_swap())
		SKIP(return, "no swap device");
	if (access(CGROUP_ROOT "/cgroup.subtree_control", W_OK))
		SKIP(return, "no cgroup v2 at " CGROUP_ROOT);
	self->pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_GE(self->pagemap_fd, 0);
#ifndef LOCAL_CONFIG_HAVE_LIBURING
	if (variant->pin == PIN_IO_URING)
		SKIP(return, "built without liburing");
#endif
	if (b == TMPFS_FILE &&
	    (statfs("/tmp", &sfs) || sfs.f_type != TMPFS_MAGIC))
		SKIP(return, "/tmp is not a tmpfs");

	if (is_thp(b)) {
		self->pmd_size = read_pmd_pagesize();
		if (!self->pmd_size)
			SKIP(return, "no THP support");
		self->unit = self->pmd_size;
	} else {
		self->unit = NR_PINNED * self->page_size;
	}
	ASSERT_EQ(NR_PINNED, NR_UNPINNED);
	self->size = 2 * self->unit;
	self->npinned = self->unit / self->page_size;

	if (b == THP_SHMEM) {
		if (read_file(SHMEM_THP_PATH, self->shmem_thp_saved,
			      sizeof(self->shmem_thp_saved)))
			SKIP(return, "no %s", SHMEM_THP_PATH);
		if (write_file(SHMEM_THP_PATH, "advise"))
			SKIP(return, "cannot set %s to advise", SHMEM_THP_PATH);
	}

	self->mirror = malloc(self->size);
	self->tmp = malloc(self->size);
	ASSERT_NE(self->mirror, NULL);
	ASSERT_NE(self->tmp, NULL);

	/* Everything charged from here on belongs to the test's memcg. */
	ASSERT_EQ(cg_create(self->cg, sizeof(self->cg)), 0)
		TH_LOG("cannot create a memory cgroup under " CGROUP_ROOT);

	self->mem = map_backing(self, b);
	ASSERT_NE(self->mem, MAP_FAILED);
	ASSERT_EQ(madvise(self->mem, self->size,
			  is_thp(b) ? MADV_HUGEPAGE : MADV_NOHUGEPAGE), 0);

	fill(self->mem, self->size, 0, 0);
	if (is_thp(b)) {
		bool huge = b == THP_SHMEM ?
			check_huge_shmem(self->mem, 2, self->pmd_size) :
			check_huge_anon(self->mem, 2, self->pmd_size);
		if (!huge)
			SKIP(return, "no PMD-mapped THP for %s", scenarios[b].name);
	}

	if (b == ANON_SWAPCACHE) {
		/* Swap it all out, then read it back: it stays in swapcache. */
		ASSERT_EQ(madvise(self->mem, self->size, MADV_PAGEOUT), 0);
		for (i = 0; i < self->size; i += self->page_size) {
			if (!pagemap_is_swapped(self->pagemap_fd, self->mem + i))
				SKIP(return, "MADV_PAGEOUT did not swap out page %zu",
				     i / self->page_size);
		}
		ASSERT_EQ(check(self->mem, self->size, 0, 0), -1);
	}
	if (is_lazyfree(b))
		ASSERT_EQ(madvise(self->mem, self->size, MADV_FREE), 0);

	/* Pin (or reference) the first unit. */
	switch (variant->pin) {
	case PIN_GUP_TEST: {
		struct pin_longterm_test args = {
			.addr = (uintptr_t)self->mem,
			.size = self->unit,
			.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE,
		};

		ASSERT_EQ(ioctl(self->gup_fd, PIN_LONGTERM_TEST_START, &args), 0)
			TH_LOG("PIN_LONGTERM_TEST_START: %s", strerror(errno));
		self->pinned = true;
		break;
	}
	case PIN_IO_URING: {
#ifdef LOCAL_CONFIG_HAVE_LIBURING
		struct iovec iov = { .iov_base = self->mem, .iov_len = self->unit };
		int ret;

		ret = io_uring_queue_init(4, &self->ring, 0);
		if (ret)
			SKIP(return, "io_uring_queue_init: %s", strerror(-ret));
		ret = io_uring_register_buffers(&self->ring, &iov, 1);
		if (ret) {
			io_uring_queue_exit(&self->ring);
			SKIP(return, "io_uring_register_buffers: %s", strerror(-ret));
		}
		self->ring_registered = true;
		self->uring_out_fd = memfd_create("pin_reclaim_out", 0);
		ASSERT_GE(self->uring_out_fd, 0);
#endif
		break;
	}
	case REF_VMSPLICE: {
		struct iovec iov = { .iov_base = self->mem, .iov_len = self->unit };
		ssize_t n;

		ASSERT_EQ(pipe(self->pipe_fd), 0);
		ASSERT_GE(fcntl(self->pipe_fd[1], F_SETPIPE_SZ, (int)self->unit),
			  (int)self->unit);
		while (iov.iov_len) {
			n = vmsplice(self->pipe_fd[1], &iov, 1, 0);
			ASSERT_GT(n, 0);
			iov.iov_base = (char *)iov.iov_base + n;
			iov.iov_len -= n;
		}
		break;
	}
	}

	if (b == ANON_SWAPCACHE) {
		long kb = meminfo_kb("SwapCached");

		if (kb < (long)(self->size / 1024))
			SKIP(return, "SwapCached %ld kB < %zu kB: swap-in did not keep the swapcache (zram?)",
			     kb, self->size / 1024);
	}

	/* The device mirrors the whole mapping ... */
	ASSERT_EQ(dmirror_read(self->dmirror_fd, self->mem, self->mirror,
			       self->size / self->page_size, &faults), 0);
	/* ... and keeps it while nothing invalidates it. */
	ASSERT_EQ(dmirror_read(self->dmirror_fd, self->mem, self->mirror,
			       self->size / self->page_size, &faults), 0);
	ASSERT_EQ(faults, 0)
		TH_LOG("the mirror lost entries without any reclaim");
	if (!is_lazyfree(b))
		ASSERT_EQ(check(self->mirror, self->size, 0, 0), -1);
}

FIXTURE_TEARDOWN(pin_reclaim)
{
	if (self->pinned)
		ioctl(self->gup_fd, PIN_LONGTERM_TEST_STOP);
#ifdef LOCAL_CONFIG_HAVE_LIBURING
	if (self->ring_registered) {
		io_uring_unregister_buffers(&self->ring);
		io_uring_queue_exit(&self->ring);
		close(self->uring_out_fd);
	}
#endif
	if (self->pipe_fd[0] >= 0) {
		close(self->pipe_fd[0]);
		close(self->pipe_fd[1]);
	}
	if (self->reserve && self->reserve != MAP_FAILED)
		munmap(self->reserve, self->reserve_size);
	if (self->file_fd >= 0)
		close(self->file_fd);
	if (self->tmpfs_path[0])
		unlink(self->tmpfs_path);
	if (self->shmem_thp_saved[0]) {
		/* "always within_size advise [never] deny force" -> "never" */
		char *l = strchr(self->shmem_thp_saved, '['), *r;

		if (l && (r = strchr(l, ']'))) {
			*r = '\0';
			write_file(SHMEM_THP_PATH, l + 1);
		}
	}
	if (self->cg[0])
		cg_destroy(self->cg);
	free(self->mirror);
	free(self->tmp);
	if (self->dmirror_fd >= 0)
		close(self->dmirror_fd);
	if (self->gup_fd >= 0)
		close(self->gup_fd);
	if (self->pagemap_fd >= 0)
		close(self->pagemap_fd);
}

/* Counter snapshot around a trigger. */
struct counters {
	long skip;		/* pgunmap_pinned_skip, -1 if missing */
	long split;		/* thp_split_pmd */
	long pswpout;
	long pgactivate;
};

static void counters_read(struct counters *c)
{
	c->skip = vmstat_read("pgunmap_pinned_skip");
	c->split = vmstat_read("thp_split_pmd");
	c->pswpout = vmstat_read("pswpout");
	c->pgactivate = vmstat_read("pgactivate");
}

/* Pinned pages whose mirror entry is gone; refills the mirror. */
static long count_invalidated(struct __test_metadata *_metadata,
			      FIXTURE_DATA(pin_reclaim) *self)
{
	uint64_t faults = 0;
	long n = 0;
	size_t i;

	for (i = 0; i < self->unit; i += self->page_size) {
		ASSERT_EQ(dmirror_read(self->dmirror_fd, self->mem + i,
				       self->mirror + i, 1, &faults), 0);
		if (faults)
			n++;
	}
	return n;
}

static long count_present(FIXTURE_DATA(pin_reclaim) *self, char *start,
			  size_t len)
{
	long n = 0;
	size_t i;

	for (i = 0; i < len; i += self->page_size)
		if (pagemap_get_entry(self->pagemap_fd, start + i) & PM_PRESENT)
			n++;
	return n;
}

enum trigger { TRIGGER_PAGEOUT, TRIGGER_MEMCG_RECLAIM, TRIGGER_MEMCG_MAX };

static const char * const trigger_names[] = {
	"MADV_PAGEOUT", "memory.reclaim", "memory.max",
};

/*
 * Compare what the kernel did with the table.  @exact: MADV_PAGEOUT, where
 * every pinned folio went through shrink_folio_list() exactly once.
 */
static void check_outcome(struct __test_metadata *_metadata,
			  FIXTURE_DATA(pin_reclaim) *self,
			  const FIXTURE_VARIANT(pin_reclaim) *variant,
			  enum trigger trig, const struct counters *before,
			  const struct counters *after, long unpinned_reclaimed)
{
	const struct expect *e = expected(variant->backing, variant->pin);
	enum backing b = variant->backing;
	bool exact = trig == TRIGGER_PAGEOUT;
	long npinned = self->npinned, nunpinned = self->npinned;
	long present, invalidated, skip = -1;
	long off;

	present = count_present(self, self->mem, self->unit);
	invalidated = count_invalidated(_metadata, self);
	if (before->skip >= 0 && after->skip >= 0)
		skip = after->skip - before->skip;

	/* Machine-readable summary, also useful on a failure. */
	ksft_print_msg("result arm=%s scenario=%s pin=%s trigger=%s pinned=%ld invalidated=%ld pte_present=%ld unpinned=%ld unpinned_reclaimed=%ld pgunmap_pinned_skip=%ld thp_split_pmd=%ld pswpout=%ld pgactivate=%ld\n",
		       arm_names[arm], scenarios[b].name,
		       variant->pin == REF_VMSPLICE ? "get" :
		       variant->pin == PIN_IO_URING ? "io_uring" : "gup_test",
		       trigger_names[trig], npinned, invalidated, present,
		       nunpinned, unpinned_reclaimed, skip,
		       after->split - before->split,
		       after->pswpout - before->pswpout,
		       after->pgactivate - before->pgactivate);

	/* 1. The secondary MMU. */
	if (e->inval == INVAL_NONE) {
		EXPECT_EQ(invalidated, 0)
			TH_LOG("%s: expected no invalidation of pinned pages on %s (%s)",
			       scenarios[b].name, arm_names[arm], scenarios[b].why);
	} else if (exact) {
		EXPECT_EQ(invalidated, npinned)
			TH_LOG("%s: expected every pinned page invalidated on %s (%s)",
			       scenarios[b].name, arm_names[arm], scenarios[b].why);
	} else {
		EXPECT_GE(invalidated, 1)
			TH_LOG("%s: expected pinned pages invalidated on %s (%s)",
			       scenarios[b].name, arm_names[arm], scenarios[b].why);
	}

	/* 2. The CPU page table of the pinned pages. */
	if (e->pte != PTE_REMOVED) {
		EXPECT_EQ(present, npinned)
			TH_LOG("%s: pinned PTEs must be %s on %s",
			       scenarios[b].name,
			       e->pte == PTE_KEPT ? "kept" : "restored",
			       arm_names[arm]);
	} else if (exact) {
		EXPECT_EQ(present, 0)
			TH_LOG("%s: pinned PTEs expected removed on %s",
			       scenarios[b].name, arm_names[arm]);
	} else {
		EXPECT_LT(present, npinned)
			TH_LOG("%s: some pinned PTEs expected removed on %s",
			       scenarios[b].name, arm_names[arm]);
	}

	/* 3. The new counter. */
	if (arm == ARM_PIN_AWARE) {
		ASSERT_GE(after->skip, 0)
			TH_LOG("no pgunmap_pinned_skip in /proc/vmstat: kernel without pin-aware reclaim");
		if (!e->skip_counted) {
			EXPECT_EQ(skip, 0);
		} else if (exact) {
			EXPECT_EQ(skip, npinned);
		} else {
			EXPECT_GE(skip, 1);
		}
	}

	/* 4. PMD splits, only measurable where nothing else was reclaimed. */
	if (exact) {
		if (e->pmd_split) {
			EXPECT_GE(after->split - before->split, 1);
		} else {
			EXPECT_EQ(after->split - before->split, 0);
		}
	}

	/* 5. The unpinned part of the same mapping is reclaimed on every arm. */
	if (exact) {
		EXPECT_EQ(unpinned_reclaimed, nunpinned);
	} else {
		EXPECT_GE(unpinned_reclaimed, 1);
	}

	/* 6. Data: the device view (just refilled), the CPU view, the pin. */
	off = check(self->mirror, self->unit, 0, 0);
	EXPECT_EQ(off, -1) TH_LOG("device read wrong data at pinned offset %ld", off);
	off = check(self->mem, self->unit, 0, 0);
	EXPECT_EQ(off, -1) TH_LOG("CPU read wrong data at pinned offset %ld", off);
	if (!is_lazyfree(b)) {
		off = check(self->mem + self->unit, self->unit, self->unit, 0);
		EXPECT_EQ(off, -1)
			TH_LOG("CPU read wrong data at unpinned offset %ld", off);
	}

	switch (variant->pin) {
	case PIN_GUP_TEST: {
		__u64 dst = (uintptr_t)self->tmp;

		ASSERT_EQ(ioctl(self->gup_fd, PIN_LONGTERM_TEST_READ, &dst), 0);
		off = check(self->tmp, self->unit, 0, 0);
		EXPECT_EQ(off, -1) TH_LOG("pinned page has wrong data at %ld", off);
		/* The CPU mapping must still lead to the pinned pages. */
		fill(self->mem, self->unit, 0, 1);
		ASSERT_EQ(ioctl(self->gup_fd, PIN_LONGTERM_TEST_READ, &dst), 0);
		off = check(self->tmp, self->unit, 0, 1);
		EXPECT_EQ(off, -1)
			TH_LOG("CPU write did not reach the pinned page (offset %ld)", off);
		break;
	}
	case PIN_IO_URING: {
#ifdef LOCAL_CONFIG_HAVE_LIBURING
		struct io_uring_sqe *sqe;
		struct io_uring_cqe *cqe;
		int round;

		/* WRITE_FIXED copies from the registered (pinned) pages. */
		for (round = 0; round < 2; round++) {
			if (round)
				fill(self->mem, self->unit, 0, 1);
			sqe = io_uring_get_sqe(&self->ring);
			ASSERT_NE(sqe, NULL);
			io_uring_prep_write_fixed(sqe, self->uring_out_fd, self->mem,
						  self->unit, 0, 0);
			ASSERT_EQ(io_uring_submit_and_wait(&self->ring, 1), 1);
			ASSERT_EQ(io_uring_wait_cqe(&self->ring, &cqe), 0);
			ASSERT_EQ(cqe->res, (int)self->unit);
			io_uring_cqe_seen(&self->ring, cqe);
			ASSERT_EQ(pread(self->uring_out_fd, self->tmp, self->unit, 0),
				  (ssize_t)self->unit);
			off = check(self->tmp, self->unit, 0, round);
			EXPECT_EQ(off, -1)
				TH_LOG("registered buffer differs at %ld (round %d)",
				       off, round);
		}
#endif
		break;
	}
	case REF_VMSPLICE: {
		size_t got = 0;
		ssize_t n;

		/*
		 * The pipe holds the pages it got at vmsplice() time.  Only
		 * their content is checked: FOLL_GET gives no coherency
		 * guarantee against later CPU writes.
		 */
		while (got < self->unit) {
			n = read(self->pipe_fd[0], self->tmp + got, self->unit - got);
			ASSERT_GT(n, 0);
			got += n;
		}
		off = check(self->tmp, self->unit, 0, 0);
		EXPECT_EQ(off, -1) TH_LOG("referenced page has wrong data at %ld", off);
		break;
	}
	}
}

/* Unpinned pages of the mapping that reclaim took away from the CPU. */
static long count_unpinned_reclaimed(FIXTURE_DATA(pin_reclaim) *self,
				     enum backing b)
{
	char *start = self->mem + self->unit;
	long n = 0;
	uint64_t ent;
	size_t i;

	for (i = 0; i < self->unit; i += self->page_size) {
		ent = pagemap_get_entry(self->pagemap_fd, start + i);
		/*
		 * Private anon: a swap PTE (lazyfree: PTE cleared, page
		 * discarded).  Shared: the PTE is gone and the page was written
		 * to swap.
		 */
		if ((is_lazyfree(b) || !is_private_anon(b)) ?
		    !(ent & PM_PRESENT) : !!(ent & PM_SWAP))
			n++;
	}
	return n;
}

TEST_F_TIMEOUT(pin_reclaim, pageout, 120)
{
	struct counters c0, c1;
	long reclaimed;

	counters_read(&c0);
	ASSERT_EQ(madvise(self->mem, self->unit, MADV_PAGEOUT), 0);
	counters_read(&c1);
	/* The unpinned half separately: its PMD splits are not ours. */
	ASSERT_EQ(madvise(self->mem + self->unit, self->unit, MADV_PAGEOUT), 0);
	reclaimed = count_unpinned_reclaimed(self, variant->backing);
	check_outcome(_metadata, self, variant, TRIGGER_PAGEOUT, &c0, &c1,
		      reclaimed);
}

TEST_F_TIMEOUT(pin_reclaim, memcg_reclaim, 180)
{
	struct counters c0, c1;
	char req[32];
	long reclaimed;
	int ret;

	ASSERT_EQ(age_pages(), 0);
	counters_read(&c0);
	/*
	 * Ask for more than the cgroup could ever give back: with the pinned
	 * unit unreclaimable, memory.reclaim must end with -EAGAIN on every
	 * arm, after having tried every folio several times.
	 */
	snprintf(req, sizeof(req), "%zu", self->size + (16UL << 20));
	ret = cg_write(self->cg, "memory.reclaim", req);
	counters_read(&c1);
	EXPECT_EQ(ret, -EAGAIN)
		TH_LOG("memory.reclaim %s: %d (memory.current %ld)", req, ret,
		       cg_read_long(self->cg, "memory.current"));
	reclaimed = count_unpinned_reclaimed(self, variant->backing);
	ksft_print_msg("memory.stat pgactivate=%ld pgscan=%ld pgsteal=%ld\n",
		       cg_stat(self->cg, "pgactivate"), cg_stat(self->cg, "pgscan"),
		       cg_stat(self->cg, "pgsteal"));
	check_outcome(_metadata, self, variant, TRIGGER_MEMCG_RECLAIM, &c0, &c1,
		      reclaimed);
}

TEST_F_TIMEOUT(pin_reclaim, memcg_max, 180)
{
	size_t pressure_size = self->size + (2UL << 20);
	struct counters c0, c1;
	long current, reclaimed;
	char *pressure;
	char max[32];
	size_t i;

	ASSERT_EQ(age_pages(), 0);
	current = cg_read_long(self->cg, "memory.current");
	ASSERT_GT(current, 0);
	/*
	 * 1 MiB of room, then fault in more than that: the charges reclaim
	 * from this cgroup.  The pressure pages are swappable themselves, so
	 * this never needs the OOM killer.
	 */
	snprintf(max, sizeof(max), "%ld", current + (1L << 20));
	counters_read(&c0);
	ASSERT_EQ(cg_write(self->cg, "memory.max", max), 0);
	pressure = mmap(NULL, pressure_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(pressure, MAP_FAILED);
	madvise(pressure, pressure_size, MADV_NOHUGEPAGE);
	for (i = 0; i < pressure_size; i += self->page_size)
		pressure[i] = 1;
	counters_read(&c1);
	reclaimed = count_unpinned_reclaimed(self, variant->backing);
	ASSERT_EQ(cg_write(self->cg, "memory.max", "max"), 0);
	munmap(pressure, pressure_size);
	ksft_print_msg("memory.stat pgactivate=%ld pgscan=%ld pgsteal=%ld\n",
		       cg_stat(self->cg, "pgactivate"), cg_stat(self->cg, "pgscan"),
		       cg_stat(self->cg, "pgsteal"));
	check_outcome(_metadata, self, variant, TRIGGER_MEMCG_MAX, &c0, &c1,
		      reclaimed);
}

/* ------------------------------------------------------------------------ */
/*
 * An unpinned small page mapped NR_WIDE_MAPPINGS (> 1024) times has a
 * refcount above GUP_PIN_COUNTING_BIAS, which folio_maybe_dma_pinned()
 * alone cannot tell from a pin.  It must stay reclaimable on every arm.
 */
FIXTURE(unpinned)
{
	int memfd;
	char *maps[NR_WIDE_MAPPINGS];
	int pagemap_fd;
	char cg[PATH_MAX];
};

FIXTURE_SETUP(unpinned)
{
	if (getuid())
		SKIP(return, "must run as root");
	if (!have_swap())
		SKIP(return, "no swap device");
	if (access(CGROUP_ROOT "/cgroup.subtree_control", W_OK))
		SKIP(return, "no cgroup v2 at " CGROUP_ROOT);
	self->pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_GE(self->pagemap_fd, 0);
	ASSERT_EQ(cg_create(self->cg, sizeof(self->cg)), 0);
	self->memfd = memfd_create("pin_reclaim_wide", 0);
	ASSERT_GE(self->memfd, 0);
	ASSERT_EQ(ftruncate(self->memfd, getpagesize()), 0);
}

FIXTURE_TEARDOWN(unpinned)
{
	int i;

	for (i = 0; i < NR_WIDE_MAPPINGS; i++)
		if (self->maps[i] && self->maps[i] != MAP_FAILED)
			munmap(self->maps[i], getpagesize());
	close(self->memfd);
	close(self->pagemap_fd);
	cg_destroy(self->cg);
}

TEST_F_TIMEOUT(unpinned, mapped_1100_times, 180)
{
	size_t ps = getpagesize();
	long mapped = 0, before_skip, after_skip;
	char req[32];
	int i, ret;

	for (i = 0; i < NR_WIDE_MAPPINGS; i++) {
		self->maps[i] = mmap(NULL, ps, PROT_READ | PROT_WRITE,
				     MAP_SHARED, self->memfd, 0);
		ASSERT_NE(self->maps[i], MAP_FAILED);
		if (!i)
			fill(self->maps[0], ps, 0, 0);
		/* Map it (read fault) in every VMA. */
		ASSERT_EQ((uint8_t)self->maps[i][0], pattern(0, 0));
	}
	for (i = 0; i < NR_WIDE_MAPPINGS; i++)
		if (pagemap_get_entry(self->pagemap_fd, self->maps[i]) & PM_PRESENT)
			mapped++;
	ASSERT_EQ(mapped, NR_WIDE_MAPPINGS);

	ASSERT_EQ(age_pages(), 0);
	before_skip = vmstat_read("pgunmap_pinned_skip");
	snprintf(req, sizeof(req), "%lu", 16UL << 20);
	ret = cg_write(self->cg, "memory.reclaim", req);
	after_skip = vmstat_read("pgunmap_pinned_skip");

	mapped = 0;
	for (i = 0; i < NR_WIDE_MAPPINGS; i++)
		if (pagemap_get_entry(self->pagemap_fd, self->maps[i]) & PM_PRESENT)
			mapped++;
	ksft_print_msg("result arm=%s scenario=unpinned_mapped_%d trigger=memory.reclaim ret=%d still_mapped=%ld pgunmap_pinned_skip=%ld\n",
		       arm_names[arm], NR_WIDE_MAPPINGS, ret, mapped,
		       before_skip >= 0 ? after_skip - before_skip : -1);
	/* Every arm: reclaim unmapped it everywhere (a false "pinned" would not). */
	EXPECT_EQ(mapped, 0)
		TH_LOG("an unpinned page mapped %d times was treated as pinned",
		       NR_WIDE_MAPPINGS);
	if (arm == ARM_PIN_AWARE && before_skip >= 0) {
		EXPECT_EQ(after_skip - before_skip, 0);
	}
	/* Its content survives the round trip through swap. */
	EXPECT_EQ(check(self->maps[NR_WIDE_MAPPINGS - 1], ps, 0, 0), -1);
}

/* ------------------------------------------------------------------------ */
/*
 * The 2020 i915 scenario: an object is pinned page by page inside a memcg at
 * its limit, so that direct reclaim from the pin loop meets the object's own,
 * already pinned pages.  Before the series reclaim unmaps them again (their
 * shmem PTEs are gone when the loop ends: a "self-invalidation"); with it,
 * it skips them.  Base and mayfail may or may not get there (LRU order), so
 * only the count is reported for them.
 */
#define PIN_LOOP_OBJECT	(4UL << 20)
#define PIN_LOOP_FILLER	(6UL << 20)

FIXTURE(pin_loop)
{
	int gup_fd;
	int pagemap_fd;
	char cg[PATH_MAX];
};

FIXTURE_SETUP(pin_loop)
{
	if (getuid())
		SKIP(return, "must run as root");
	self->gup_fd = open(GUP_TEST_PATH, O_RDWR);
	if (self->gup_fd < 0)
		SKIP(return, "no %s (CONFIG_GUP_TEST, debugfs)", GUP_TEST_PATH);
	if (!have_swap())
		SKIP(return, "no swap device");
	if (access(CGROUP_ROOT "/cgroup.subtree_control", W_OK))
		SKIP(return, "no cgroup v2 at " CGROUP_ROOT);
	self->pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_GE(self->pagemap_fd, 0);
	ASSERT_EQ(cg_create(self->cg, sizeof(self->cg)), 0);
}

FIXTURE_TEARDOWN(pin_loop)
{
	ioctl(self->gup_fd, PIN_LONGTERM_TEST_STOP);
	close(self->gup_fd);
	close(self->pagemap_fd);
	cg_destroy(self->cg);
}

TEST_F_TIMEOUT(pin_loop, memcg_at_limit, 180)
{
	struct pin_longterm_test args = { .flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE };
	size_t ps = getpagesize(), i;
	long skip0, skip1, lost;
	char *obj, *filler;
	char max[32];

	filler = mmap(NULL, PIN_LOOP_FILLER, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	obj = mmap(NULL, PIN_LOOP_OBJECT, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(filler, MAP_FAILED);
	ASSERT_NE(obj, MAP_FAILED);
	madvise(filler, PIN_LOOP_FILLER, MADV_NOHUGEPAGE);
	madvise(obj, PIN_LOOP_OBJECT, MADV_NOHUGEPAGE);

	/* The object fits, the filler does not: reclaim runs during the pins. */
	snprintf(max, sizeof(max), "%lu", PIN_LOOP_OBJECT + (3UL << 20));
	ASSERT_EQ(cg_write(self->cg, "memory.max", max), 0);
	memset(filler, 1, PIN_LOOP_FILLER);

	skip0 = vmstat_read("pgunmap_pinned_skip");
	args.addr = (uintptr_t)obj;
	args.size = PIN_LOOP_OBJECT;
	/* pin_user_pages() faults in and pins one page after the other. */
	ASSERT_EQ(ioctl(self->gup_fd, PIN_LONGTERM_TEST_START, &args), 0)
		TH_LOG("PIN_LONGTERM_TEST_START: %s", strerror(errno));
	skip1 = vmstat_read("pgunmap_pinned_skip");

	lost = 0;
	for (i = 0; i < PIN_LOOP_OBJECT; i += ps)
		if (!(pagemap_get_entry(self->pagemap_fd, obj + i) & PM_PRESENT))
			lost++;
	ksft_print_msg("result arm=%s scenario=pin_loop trigger=memory.max pinned=%lu self_invalidated=%ld pgunmap_pinned_skip=%ld\n",
		       arm_names[arm], PIN_LOOP_OBJECT / ps, lost,
		       skip0 >= 0 ? skip1 - skip0 : -1);
	/* base, mayfail: any number; pin-aware: none. */
	if (arm == ARM_PIN_AWARE) {
		EXPECT_EQ(lost, 0)
			TH_LOG("reclaim unmapped %ld pages the pin loop had already pinned",
			       lost);
	}

	ASSERT_EQ(cg_write(self->cg, "memory.max", "max"), 0);
	ASSERT_EQ(ioctl(self->gup_fd, PIN_LONGTERM_TEST_STOP), 0);
	munmap(obj, PIN_LOOP_OBJECT);
	munmap(filler, PIN_LOOP_FILLER);
}

TEST_HARNESS_MAIN
