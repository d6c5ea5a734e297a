// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reclaim of DMA-pinned folios.
 *
 * Reclaim cannot free a folio that holds a FOLL_PIN pin, so it sets a
 * mapped folio that looks pinned aside before it ages, demotes or unmaps
 * it, and reports the pages it set aside as nr_pinned in the
 * mm_vmscan_reclaim_pages and mm_vmscan_lru_shrink_inactive tracepoints.
 *
 * Pin half of a mapping with gup_test, MADV_PAGEOUT all of it and check
 * that the pinned half is still mapped, the other half is reclaimed, the
 * data is intact and the tracepoints count the pinned pages. A FOLL_GET
 * reference (vmsplice) is not a pin: such pages are reclaimed as before.
 *
 * Needs root, debugfs with CONFIG_GUP_TEST, tracefs, and a swap device for
 * everything but MADV_FREE memory. Skips on kernels whose vmscan
 * tracepoints have no nr_pinned.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "../../../../mm/gup_test.h"
#include "../kselftest_harness.h"
#include "vm_util.h"
#include "hugepage_settings.h"

#define NR_PAGES	16	/* pinned, and as many unpinned */
#define KPF_SWAPCACHE	BIT_ULL(14)

#define GUP_TEST_PATH	"/sys/kernel/debug/gup_test"
#define NUMA_BALANCING	"/proc/sys/kernel/numa_balancing"
#define TRACE_EVENT	"events/vmscan/mm_vmscan_lru_shrink_inactive"

static const char * const tracefs_roots[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

/* The events that carry nr_pinned: MADV_PAGEOUT's and LRU reclaim's. */
static const char * const pinned_events[] = {
	"vmscan/mm_vmscan_reclaim_pages",
	"vmscan/mm_vmscan_lru_shrink_inactive",
};

static const char *tracefs;
static unsigned long pmd_size;
static unsigned long numa_balancing = -1UL;

enum backing {
	SHMEM,
	MEMFD,
	ANON_SWAPCACHE,
	ANON_LAZYFREE,
	ANON,
	THP_SHMEM,
	THP_LAZYFREE,
};

struct pin_state {
	enum backing backing;
	size_t page_size;
	size_t unit;		/* bytes pinned; as many follow unpinned */
	size_t npinned;		/* pages pinned */
	char *area;		/* mapping, before PMD alignment */
	size_t area_size;
	char *mem;
	int gup_fd;
	int pagemap_fd;
	int kpageflags_fd;
	int pipe_fd[2];
	char trace[256];	/* our tracefs instance */
};

static bool is_thp(enum backing b)
{
	return b == THP_SHMEM || b == THP_LAZYFREE;
}

static bool is_lazyfree(enum backing b)
{
	return b == ANON_LAZYFREE || b == THP_LAZYFREE;
}

static bool is_shared(enum backing b)
{
	return b == SHMEM || b == MEMFD || b == THP_SHMEM;
}

static unsigned char pattern(size_t off)
{
	return (off >> 12) * 31 + (off & 4095) * 7 + 1;
}

static void fill(char *p, size_t len, size_t base)
{
	for (size_t i = 0; i < len; i++)
		p[i] = pattern(base + i);
}

/* Whether @p holds the pattern at offset @base (or only zeroes). */
static bool intact(const char *p, size_t len, size_t base, bool zero)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] != (zero ? 0 : pattern(base + i)))
			return false;
	return true;
}

static int write_str(const char *path, const char *val)
{
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

static int trace_write(struct pin_state *st, const char *rel, const char *val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", st->trace, rel);
	return write_str(path, val);
}

/* A tracefs whose mm_vmscan_lru_shrink_inactive reports nr_pinned. */
static const char *find_tracefs(bool *has_nr_pinned)
{
	char path[256], buf[4096];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tracefs_roots); i++) {
		snprintf(path, sizeof(path), "%s/" TRACE_EVENT "/format",
			 tracefs_roots[i]);
		if (read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		*has_nr_pinned = strstr(buf, " nr_pinned;");
		return tracefs_roots[i];
	}
	return NULL;
}

/* Record the events with nr_pinned of this process in our own instance. */
static int trace_start(struct pin_state *st)
{
	char rel[128], filter[64];
	size_t i;
	int ret;

	snprintf(st->trace, sizeof(st->trace), "%s/instances/pin_reclaim.%d",
		 tracefs, getpid());
	if (mkdir(st->trace, 0700))
		return -errno;
	snprintf(filter, sizeof(filter), "common_pid == %d", getpid());
	for (i = 0; i < ARRAY_SIZE(pinned_events); i++) {
		snprintf(rel, sizeof(rel), "events/%s/filter", pinned_events[i]);
		ret = trace_write(st, rel, filter);
		if (ret)
			return ret;
		snprintf(rel, sizeof(rel), "events/%s/enable", pinned_events[i]);
		ret = trace_write(st, rel, "1");
		if (ret)
			return ret;
	}
	return trace_write(st, "trace", "");
}

static void trace_stop(struct pin_state *st)
{
	if (!st->trace[0])
		return;
	trace_write(st, "tracing_on", "0");
	rmdir(st->trace);
	st->trace[0] = '\0';
}

/* Sum of nr_pinned over the recorded events; -1 if there is none. */
static long trace_nr_pinned(struct pin_state *st, int *nr_events)
{
	char path[512], line[1024], *p;
	long sum = 0;
	FILE *f;

	*nr_events = 0;
	snprintf(path, sizeof(path), "%s/trace", st->trace);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, " nr_pinned=");
		if (line[0] == '#' || !p)
			continue;
		sum += strtol(p + strlen(" nr_pinned="), NULL, 10);
		(*nr_events)++;
	}
	fclose(f);
	return *nr_events ? sum : -1;
}

static bool have_swap(void)
{
	char buf[512];

	/* A header line, then one line per swap device. */
	if (read_file("/proc/swaps", buf, sizeof(buf)) <= 0)
		return false;
	return strchr(buf, '\n') && strchr(buf, '\n')[1];
}

static bool present(struct pin_state *st, char *addr)
{
	return pagemap_get_entry(st->pagemap_fd, addr) & PM_PRESENT;
}

static bool swapped(struct pin_state *st, char *addr)
{
	return pagemap_is_swapped(st->pagemap_fd, addr);
}

static bool in_swapcache(struct pin_state *st, char *addr)
{
	unsigned long pfn = pagemap_get_pfn(st->pagemap_fd, addr);
	uint64_t flags;

	if (pfn == -1UL ||
	    pageflags_get(pfn, st->kpageflags_fd, &flags))
		return false;
	return flags & KPF_SWAPCACHE;
}

/* Pages of [addr, addr + len) for which @fn is @want. */
static size_t count_pages(struct pin_state *st, char *addr, size_t len,
			  bool (*fn)(struct pin_state *, char *), bool want)
{
	size_t n = 0;

	for (size_t off = 0; off < len; off += st->page_size)
		n += fn(st, addr + off) == want;
	return n;
}

static bool huge_mapped(struct pin_state *st, int nr)
{
	if (st->backing == THP_SHMEM)
		return check_huge_shmem(st->mem, 2 * st->unit, nr, pmd_size);
	return check_huge_anon(st->mem, 2 * st->unit, nr, pmd_size);
}

/* Map two units, PMD-aligned for THP. */
static int map_backing(struct pin_state *st)
{
	int flags = MAP_SHARED | MAP_ANONYMOUS, fd = -1;
	size_t size = 2 * st->unit;

	st->area_size = size + (is_thp(st->backing) ? pmd_size : 0);
	st->area = mmap(NULL, st->area_size, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->area == MAP_FAILED)
		return -errno;
	st->mem = st->area;
	if (is_thp(st->backing))
		st->mem = (char *)(((uintptr_t)st->area + pmd_size - 1) &
				   ~(pmd_size - 1));

	if (!is_shared(st->backing))
		flags = MAP_PRIVATE | MAP_ANONYMOUS;
	if (st->backing == MEMFD) {
		fd = memfd_create("pin_reclaim", 0);
		if (fd < 0 || ftruncate(fd, size))
			return -errno;
		flags = MAP_SHARED;
	}
	if (mmap(st->mem, size, PROT_READ | PROT_WRITE, flags | MAP_FIXED,
		 fd, 0) == MAP_FAILED)
		return -errno;
	if (fd >= 0)
		close(fd);
	if (madvise(st->mem, size, is_thp(st->backing) ? MADV_HUGEPAGE :
		    MADV_NOHUGEPAGE))
		return -errno;
	return 0;
}

/*
 * Swap the whole mapping out and read it back into the swap cache: after
 * MADV_WILLNEED a read fault maps each page from the swap cache and leaves
 * it there (a write fault, such as a FOLL_WRITE pin of a swap PTE, would
 * drop it).
 */
static const char *setup_swapcache(struct pin_state *st)
{
	size_t size = 2 * st->unit;

	if (madvise(st->mem, size, MADV_PAGEOUT))
		return "MADV_PAGEOUT failed";
	if (count_pages(st, st->mem, size, swapped, true) !=
	    size / st->page_size)
		return "MADV_PAGEOUT did not swap the mapping out";
	if (madvise(st->mem, size, MADV_WILLNEED))
		return "MADV_WILLNEED failed";
	force_read_pages(st->mem, size / st->page_size, st->page_size);
	if (count_pages(st, st->mem, size, in_swapcache, true) !=
	    size / st->page_size)
		return "the pages read back are not in the swap cache";
	return NULL;
}

FIXTURE(pin_reclaim)
{
	struct pin_state st;
};

FIXTURE_VARIANT(pin_reclaim)
{
	enum backing backing;
};

FIXTURE_VARIANT_ADD(pin_reclaim, shmem)
{
	.backing = SHMEM,
};

FIXTURE_VARIANT_ADD(pin_reclaim, memfd)
{
	.backing = MEMFD,
};

FIXTURE_VARIANT_ADD(pin_reclaim, anon_swapcache)
{
	.backing = ANON_SWAPCACHE,
};

FIXTURE_VARIANT_ADD(pin_reclaim, anon_lazyfree)
{
	.backing = ANON_LAZYFREE,
};

FIXTURE_VARIANT_ADD(pin_reclaim, thp_shmem)
{
	.backing = THP_SHMEM,
};

FIXTURE_VARIANT_ADD(pin_reclaim, thp_lazyfree)
{
	.backing = THP_LAZYFREE,
};

/* Common setup; a reason to skip, or NULL. */
static const char *pin_state_init(struct __test_metadata *_metadata,
				  struct pin_state *st, enum backing b)
{
	const char *why;

	memset(st, 0, sizeof(*st));
	st->backing = b;
	st->gup_fd = -1;
	st->pipe_fd[0] = -1;
	st->pipe_fd[1] = -1;
	st->page_size = psize();
	st->pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	st->kpageflags_fd = open("/proc/kpageflags", O_RDONLY);
	ASSERT_GE(st->pagemap_fd, 0);
	ASSERT_GE(st->kpageflags_fd, 0);

	if (!is_lazyfree(b) && !have_swap())
		return "no swap device";
	if (is_thp(b) && !pmd_size)
		return "THP not available";
	st->unit = is_thp(b) ? pmd_size : NR_PAGES * st->page_size;
	st->npinned = st->unit / st->page_size;

	ASSERT_EQ(map_backing(st), 0);
	fill(st->mem, 2 * st->unit, 0);
	if (is_thp(b) && !huge_mapped(st, 2))
		return "no PMD-mapped THP";
	if (b == ANON_SWAPCACHE) {
		why = setup_swapcache(st);
		if (why)
			return why;
	}
	if (is_lazyfree(b))
		ASSERT_EQ(madvise(st->mem, 2 * st->unit, MADV_FREE), 0);
	return NULL;
}

/* Reclaim the whole mapping, with our tracefs instance recording it. */
static void pageout(struct __test_metadata *_metadata, struct pin_state *st)
{
	int ret = trace_start(st);

	ASSERT_EQ(ret, 0)
		TH_LOG("cannot set up a tracefs instance: %s", strerror(-ret));
	ASSERT_EQ(madvise(st->mem, 2 * st->unit, MADV_PAGEOUT), 0);
}

static void pin_state_cleanup(struct pin_state *st)
{
	trace_stop(st);
	if (st->gup_fd >= 0)
		close(st->gup_fd);	/* drops the pins */
	if (st->pipe_fd[0] >= 0)
		close(st->pipe_fd[0]);
	if (st->pipe_fd[1] >= 0)
		close(st->pipe_fd[1]);
	if (st->area && st->area != MAP_FAILED)
		munmap(st->area, st->area_size);
	if (st->pagemap_fd >= 0)
		close(st->pagemap_fd);
	if (st->kpageflags_fd >= 0)
		close(st->kpageflags_fd);
}

FIXTURE_SETUP(pin_reclaim)
{
	struct pin_state *st = &self->st;
	struct pin_longterm_test args;
	const char *why;

	why = pin_state_init(_metadata, st, variant->backing);
	if (why)
		SKIP(return, "%s", why);

	st->gup_fd = open(GUP_TEST_PATH, O_RDWR);
	ASSERT_GE(st->gup_fd, 0);
	args.addr = (uintptr_t)st->mem;
	args.size = st->unit;
	args.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE;
	ASSERT_EQ(ioctl(st->gup_fd, PIN_LONGTERM_TEST_START, &args), 0)
		TH_LOG("PIN_LONGTERM_TEST_START: %s", strerror(errno));
	if (variant->backing == ANON_SWAPCACHE)
		ASSERT_EQ(count_pages(st, st->mem, st->unit, in_swapcache,
				      true), st->npinned)
			TH_LOG("pinning took the pages out of the swap cache");

	pageout(_metadata, st);
}

FIXTURE_TEARDOWN(pin_reclaim)
{
	pin_state_cleanup(&self->st);
}

/* Reclaim leaves the pinned half mapped, and THPs PMD-mapped. */
TEST_F(pin_reclaim, pinned_stays_mapped)
{
	struct pin_state *st = &self->st;

	ASSERT_EQ(count_pages(st, st->mem, st->unit, present, true),
		  st->npinned);
	if (variant->backing == ANON_SWAPCACHE)
		ASSERT_EQ(count_pages(st, st->mem, st->unit, in_swapcache,
				      true), st->npinned);
	if (is_thp(variant->backing))
		ASSERT_TRUE(huge_mapped(st, 1))
			TH_LOG("the pinned THP is no longer PMD-mapped");
}

/* The unpinned half of the same mapping is reclaimed. */
TEST_F(pin_reclaim, unpinned_reclaimed)
{
	struct pin_state *st = &self->st;
	char *half = st->mem + st->unit;

	ASSERT_EQ(count_pages(st, half, st->unit, present, false),
		  st->npinned);
	if (!is_shared(variant->backing) && !is_lazyfree(variant->backing))
		ASSERT_EQ(count_pages(st, half, st->unit, swapped, true),
			  st->npinned);
}

/* The data survives, through the CPU and through the pin. */
TEST_F(pin_reclaim, data_intact)
{
	struct pin_state *st = &self->st;
	char *buf = malloc(st->unit);
	__u64 addr = (uintptr_t)buf;

	ASSERT_NE(buf, NULL);
	ASSERT_EQ(ioctl(st->gup_fd, PIN_LONGTERM_TEST_READ, &addr), 0);
	ASSERT_TRUE(intact(buf, st->unit, 0, false));
	ASSERT_TRUE(intact(st->mem, st->unit, 0, false));
	/* A discarded MADV_FREE page reads as zeroes. */
	ASSERT_TRUE(intact(st->mem + st->unit, st->unit, st->unit,
			   is_lazyfree(variant->backing)));
	free(buf);
}

/* The tracepoints report every pinned page that reclaim set aside. */
TEST_F(pin_reclaim, nr_pinned)
{
	struct pin_state *st = &self->st;
	int nr_events;
	long nr;

	nr = trace_nr_pinned(st, &nr_events);
	TH_LOG("%d event(s), nr_pinned %ld, %zu page(s) pinned", nr_events,
	       nr, st->npinned);
	ASSERT_EQ(nr, st->npinned);
}

FIXTURE(foll_get)
{
	struct pin_state st;
};

FIXTURE_VARIANT(foll_get)
{
	enum backing backing;
};

FIXTURE_VARIANT_ADD(foll_get, anon)
{
	.backing = ANON,
};

FIXTURE_VARIANT_ADD(foll_get, shmem)
{
	.backing = SHMEM,
};

/* Half of the mapping referenced by a pipe (FOLL_GET), then reclaimed. */
FIXTURE_SETUP(foll_get)
{
	struct pin_state *st = &self->st;
	struct iovec iov;
	const char *why;
	ssize_t n;

	why = pin_state_init(_metadata, st, variant->backing);
	if (why)
		SKIP(return, "%s", why);

	ASSERT_EQ(pipe(st->pipe_fd), 0);
	ASSERT_GE(fcntl(st->pipe_fd[1], F_SETPIPE_SZ, (int)st->unit),
		  (int)st->unit);
	iov.iov_base = st->mem;
	iov.iov_len = st->unit;
	while (iov.iov_len) {
		n = vmsplice(st->pipe_fd[1], &iov, 1, 0);
		ASSERT_GT(n, 0);
		iov.iov_base = (char *)iov.iov_base + n;
		iov.iov_len -= n;
	}

	pageout(_metadata, st);
}

FIXTURE_TEARDOWN(foll_get)
{
	pin_state_cleanup(&self->st);
}

/* A reference is not a pin: the referenced pages are unmapped. */
TEST_F(foll_get, referenced_reclaimed)
{
	struct pin_state *st = &self->st;

	ASSERT_EQ(count_pages(st, st->mem, 2 * st->unit, present, false),
		  2 * st->npinned);
}

/* Neither are they counted as pinned, and the pipe has their data. */
TEST_F(foll_get, not_counted)
{
	struct pin_state *st = &self->st;
	char *buf = malloc(st->unit);
	int nr_events;

	ASSERT_NE(buf, NULL);
	ASSERT_EQ(trace_nr_pinned(st, &nr_events), 0);
	ASSERT_EQ(read(st->pipe_fd[0], buf, st->unit), (ssize_t)st->unit);
	ASSERT_TRUE(intact(buf, st->unit, 0, false));
	ASSERT_TRUE(intact(st->mem, 2 * st->unit, 0, false));
	free(buf);
}

static void numa_balancing_restore(void)
{
	if (numa_balancing != -1UL)
		write_num(NUMA_BALANCING, numa_balancing);
}

int main(int argc, char **argv)
{
	struct thp_settings settings;
	bool has_nr_pinned = false;
	cpu_set_t cpus;
	int fd;

	if (geteuid())
		ksft_exit_skip("Please run the test as root\n");
	tracefs = find_tracefs(&has_nr_pinned);
	if (!tracefs)
		ksft_exit_skip("no tracefs with vmscan events\n");
	if (!has_nr_pinned)
		ksft_exit_skip("mm_vmscan_lru_shrink_inactive has no nr_pinned\n");
	fd = open(GUP_TEST_PATH, O_RDWR);
	if (fd < 0)
		ksft_exit_skip("gup_test not available (CONFIG_GUP_TEST)\n");
	close(fd);

	/*
	 * MADV_PAGEOUT drains only this CPU's LRU batches: a folio that gup
	 * queued for activation on another CPU is off the LRU and is not
	 * isolated, so stay on one CPU.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		ksft_exit_fail_msg("sched_setaffinity: %s\n", strerror(errno));

	/* NUMA hinting faults would unmap the pages behind our back. */
	if (!access(NUMA_BALANCING, W_OK)) {
		numa_balancing = read_num(NUMA_BALANCING);
		atexit(numa_balancing_restore);
		write_num(NUMA_BALANCING, 0);
	}

	if (thp_available())
		pmd_size = read_pmd_pagesize();
	if (pmd_size) {
		thp_save_settings();
		thp_read_settings(&settings);
		settings.thp_enabled = THP_MADVISE;
		settings.shmem_enabled = SHMEM_ADVISE;
		settings.hugepages[sz2ord(pmd_size, psize())].enabled =
			THP_INHERIT;
		settings.shmem_hugepages[sz2ord(pmd_size, psize())].enabled =
			SHMEM_INHERIT;
		thp_push_settings(&settings);
	}

	return test_harness_run(argc, argv);
}
