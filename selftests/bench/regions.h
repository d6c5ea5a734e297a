/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backing types of the benchmarks' pinned regions (pin_counts,
 * skip_policy): how each is mapped, filled and brought into the state
 * reclaim is to meet it in.  Included once per benchmark binary.
 */
#ifndef _REGIONS_H
#define _REGIONS_H

#include "bench.h"

enum type { ANON, SWAPCACHE, MADVFREE, SHMEM, TMPFS, THP_ANON, THP_SHMEM, NR_TYPES };

static const char *const type_name[NR_TYPES] = {
	"anon", "swapcache", "madvfree", "shmem", "tmpfs", "thp-anon", "thp-shmem",
};

static long long meminfo_kb(const char *key)
{
	char line[128];
	long long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoll(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

struct region {
	char *p;
	size_t len;
	int fd;			/* shmem/tmpfs file, or -1 */
	unsigned int pin_flags;
};

static void map_shared(struct region *r, int fd, int huge)
{
	char *want = map_anon(r->len, huge ? THP_SZ : 0);

	if (ftruncate(fd, r->len))
		die("ftruncate");
	r->p = mmap(want, r->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (r->p == MAP_FAILED)
		die("mmap shared");
	r->fd = fd;
}

static void setup(struct region *r, enum type t, unsigned long seed)
{
	int fd;

	r->fd = -1;
	r->pin_flags = 0;
	switch (t) {
	case ANON:
	case SWAPCACHE:
	case MADVFREE:
		r->p = map_anon(r->len, 0);
		break;
	case THP_ANON:
		r->p = map_anon(r->len, THP_SZ);
		if (madvise(r->p, r->len, MADV_HUGEPAGE))
			die("MADV_HUGEPAGE");
		break;
	case SHMEM:
	case THP_SHMEM:
		fd = memfd_create("ab-shmem", 0);
		if (fd < 0)
			die("memfd_create");
		map_shared(r, fd, t == THP_SHMEM);
		if (t == THP_SHMEM) {
			wb_write_text("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "advise");
			if (madvise(r->p, r->len, MADV_HUGEPAGE))
				die("MADV_HUGEPAGE");
		}
		break;
	case TMPFS:
		fd = open("/tmp/ab-tmpfs-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			die("open /tmp/ab-tmpfs-file");
		unlink("/tmp/ab-tmpfs-file");
		map_shared(r, fd, 0);
		break;
	default:
		break;
	}
	fill_pages(r->p, r->len, seed + t);

	if (t == MADVFREE) {
		if (madvise(r->p, r->len, MADV_FREE))
			die("MADV_FREE");
		/* A write pin would dirty the folios and end lazy freeing. */
		r->pin_flags = USERPTR_EMU_READONLY;
	}
	if (t == SWAPCACHE) {
		/*
		 * Swap it out, read it into the swap cache (MADV_WILLNEED:
		 * even zram, which skips the swap cache on a fault, goes
		 * through it), then fault it in: a read fault leaves the folio
		 * in the swap cache.  Pinned read-only: a write fault could
		 * drop it from there.
		 */
		if (madvise(r->p, r->len, MADV_PAGEOUT) ||
		    madvise(r->p, r->len, MADV_WILLNEED))
			die("MADV_PAGEOUT/WILLNEED");
		touch_pages(r->p, r->len);
		r->pin_flags = USERPTR_EMU_READONLY;
	}
}

static void teardown(struct region *r)
{
	munmap(r->p, r->len);
	if (r->fd >= 0)
		close(r->fd);
}

#endif /* _REGIONS_H */
