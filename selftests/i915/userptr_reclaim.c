// SPDX-License-Identifier: GPL-2.0
/*
 * userptr_reclaim - does reclaim invalidate pinned i915 userptr objects?
 *
 * Needs real Intel GPU hardware (gen8+, softpin), root, tracefs with kprobe
 * events, and for the memcg variants a cgroup v2 hierarchy at /sys/fs/cgroup
 * with the memory controller.  Without any of these it skips with exit
 * code 4 (KSFT_SKIP) and says why.
 *
 * Build (static, no libdrm; uapi headers come from the kernel tree):
 *
 *   make -C selftests/i915 OUT=<dir> KSRC=<kernel tree>
 *
 * Run, on the kernel of the arm under test:
 *
 *   PIN_RECLAIM_ARM=base|mayfail|pin-aware <dir>/userptr_reclaim
 *
 * Optional: PIN_RECLAIM_ROUNDS (default 32), PIN_RECLAIM_PAGES (default 64).
 * Without PIN_RECLAIM_ARM the numbers are reported and only data integrity
 * is checked.
 *
 * What one test case does (backing x reclaim method, see the variants):
 *
 *  1. maps PIN_RECLAIM_PAGES pages of private anon, shmem
 *     (MAP_SHARED | MAP_ANONYMOUS) or memfd memory and wraps them in a
 *     userptr object; the batch is a second userptr object over private
 *     anon memory (pwrite is gone on gen12+, and pinned private anon is
 *     never invalidated by reclaim, so it adds no noise);
 *  2. per round: the CPU writes dword 1 of every page, an execbuf writes
 *     dword 0 of every page with MI_STORE_DWORD_IMM, reclaim is applied to
 *     the range while the batch may still run (MADV_PAGEOUT, or
 *     memory.reclaim of a memcg the test moved itself into), the test waits
 *     for the GPU and checks both dwords of every page;
 *  3. counts, from the second round on, when the pages are pinned:
 *     - notifier invalidations of the object: a kprobe event on
 *       i915_gem_userptr_invalidate() recording the range and its flags,
 *       traced into a private tracefs instance and matched against the
 *       object's address range (kprobe_profile's hit count, all objects of
 *       all processes, is printed next to it);
 *     - re-validations: i915 unbinds and pins the whole object again when
 *       the notifier sequence moved, so nr_foll_pin_acquired in
 *       /proc/vmstat grows by the object's page count each time;
 *     - execbuf -EAGAIN restarts (the ioctl is restarted like libdrm does);
 *     - execbuf latency percentiles (p50/p90/p99/max);
 *     - data integrity (mismatching dwords).
 *
 * Expectations per arm (expect_for() below):
 *
 *   arm        private anon          shmem / memfd
 *   base       no invalidation       invalidations > 0, re-validations > 0
 *   mayfail    no invalidation       invalidations > 0, all may-fail,
 *                                    no re-validation (seq not bumped)
 *   pin-aware  no invalidation       no invalidation, no re-validation
 *
 * Private anon is the control: reclaim keeps pinned anon folios before
 * adding them to the swap cache on every arm.  Data must be intact on
 * every arm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
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

#include <drm/i915_drm.h>

#include "kselftest_harness.h"
#include "wb.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

/*
 * The batch, gen8+ encoding (as IGT's store_dword()): MI_STORE_DWORD_IMM
 * with a 48-bit PPGTT address is 4 dwords, so its length field is 4 - 2:
 *
 *   0x10000002  MI_STORE_DWORD_IMM_GEN4, bit 22 clear = PPGTT address
 *   addr[31:0]
 *   addr[47:32]
 *   value
 *
 * one per page of the object, then MI_BATCH_BUFFER_END and an MI_NOOP to
 * keep the length a multiple of 8 bytes.  Objects are softpinned
 * (EXEC_OBJECT_PINNED) at fixed GPU addresses, so no relocations are
 * needed; softpin needs full PPGTT, i.e. gen8+, and is checked.
 */
#define MI_INSTR(op, flags)	(((op) << 23) | (flags))
#define MI_NOOP			0
#define MI_BATCH_BUFFER_END	MI_INSTR(0x0a, 0)
#define MI_STORE_DWORD_IMM_GEN8	MI_INSTR(0x20, 2)

#define BATCH_GPU_ADDR		0x01000000ull
#define TARGET_GPU_ADDR		0x10000000ull

/* struct mmu_notifier_range: mm, start, end, flags (v6.12) */
#define RANGE_START_OFF		8
#define RANGE_END_OFF		16
#define RANGE_FLAGS_OFF		24
/* MMU_NOTIFIER_RANGE_MAYFAIL of the mayfail arm */
#define RANGE_FLAG_MAYFAIL	0x2

#define KPROBE_GROUP		"pin_reclaim_i915"
#define PAGE_SZ			4096ul

enum backing { BACKING_ANON, BACKING_SHMEM, BACKING_MEMFD };

static const char *const backing_name[] = { "anon", "shmem", "memfd" };

/* Without PIN_RECLAIM_ARM: ARM_NONE, report only. */
WB_ARM_FROM_ENV(ARM_NONE)

/* Set up once by main() before the harness forks the test cases. */
static char g_node[32];
static char g_tracefs[64];
static char g_event[64];
static pid_t g_main_pid;

struct expect {
	bool inval;		/* invalidations of the object expected */
	bool all_mayfail;	/* ...and every one of them may-fail */
	bool reval;		/* re-validations expected */
};

static struct expect expect_for(enum wb_arm arm, enum backing backing)
{
	struct expect e = { false, false, false };

	if (backing == BACKING_ANON)
		return e;

	switch (arm) {
	case ARM_BASE:
		e.inval = true;
		e.reval = true;
		break;
	case ARM_MAYFAIL:
		e.inval = true;
		e.all_mayfail = true;
		break;
	default:
		break;
	}

	return e;
}

static int xioctl(int fd, unsigned long req, void *arg, unsigned int *eagain)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
		if (ret && errno == EAGAIN && eagain)
			(*eagain)++;
	} while (ret && (errno == EINTR || errno == EAGAIN));

	return ret ? -errno : 0;
}

static bool file_contains(const char *path, const char *word)
{
	char buf[512];

	return !wb_read_text(path, buf, sizeof(buf)) && buf[0] && strstr(buf, word);
}

static unsigned long env_ulong(const char *name, unsigned long def,
			       unsigned long max)
{
	const char *s = getenv(name);
	unsigned long v;

	if (!s || !*s)
		return def;
	v = strtoul(s, NULL, 0);
	return v && v <= max ? v : def;
}

/* First render node whose driver is i915, or -errno. */
static int open_i915(char *node, size_t len)
{
	int last = -ENOENT;
	int minor;

	for (minor = 128; minor < 192; minor++) {
		struct drm_version v = { 0 };
		char name[16] = "";
		int fd;

		snprintf(node, len, "/dev/dri/renderD%d", minor);
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT)
				last = -errno;
			continue;
		}
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "i915"))
			return fd;
		close(fd);
	}

	return last;
}

static int i915_getparam(int fd, int param)
{
	int value = 0;
	struct drm_i915_getparam gp = { .param = param, .value = &value };

	return xioctl(fd, DRM_IOCTL_I915_GETPARAM, &gp, NULL) ? 0 : value;
}

static int userptr(int fd, void *ptr, size_t size, uint32_t *handle)
{
	struct drm_i915_gem_userptr arg = {
		.user_ptr = (uintptr_t)ptr,
		.user_size = size,
	};
	int ret;

	ret = xioctl(fd, DRM_IOCTL_I915_GEM_USERPTR, &arg, NULL);
	*handle = arg.handle;
	return ret;
}

static void gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close arg = { .handle = handle };

	if (handle)
		ioctl(fd, DRM_IOCTL_GEM_CLOSE, &arg);
}

static int gem_wait(int fd, uint32_t handle)
{
	struct drm_i915_gem_wait arg = {
		.bo_handle = handle,
		.timeout_ns = 10ll * 1000 * 1000 * 1000,
	};

	return xioctl(fd, DRM_IOCTL_I915_GEM_WAIT, &arg, NULL);
}

static int kprobe_event(bool add)
{
	char path[128], cmd[256];

	snprintf(path, sizeof(path), "%s/kprobe_events", g_tracefs);
	if (add)
		snprintf(cmd, sizeof(cmd),
			 "p:%s/%s i915_gem_userptr_invalidate start=+%d(%%si):x64 end=+%d(%%si):x64 flags=+%d(%%si):x32\n",
			 KPROBE_GROUP, g_event, RANGE_START_OFF,
			 RANGE_END_OFF, RANGE_FLAGS_OFF);
	else
		snprintf(cmd, sizeof(cmd), "-:%s/%s\n", KPROBE_GROUP, g_event);
	return wb_write_flags(path, cmd, O_APPEND);
}

static void kprobe_event_remove(void)
{
	if (getpid() == g_main_pid)
		kprobe_event(false);
}

/* kprobe_profile hits of our event (every userptr object on the system). */
static long long kprobe_hits(void)
{
	char path[128], line[256], name[128];
	long long hits = -1, h, missed;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kprobe_profile", g_tracefs);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t n, e = strlen(g_event);

		if (sscanf(line, "%127s %lld %lld", name, &h, &missed) != 3)
			continue;
		n = strlen(name);
		if (n >= e && !strcmp(name + n - e, g_event)) {
			hits = h;
			break;
		}
	}
	fclose(f);
	return hits;
}

struct inval_count {
	unsigned int target;		/* invalidations overlapping the object */
	unsigned int target_mayfail;	/* ...of which may-fail */
	unsigned int batch;		/* overlapping the batch object */
	unsigned int lost;		/* trace lines we could not parse */
};

static void count_invalidations(const struct wb_trace *inst, uintptr_t t, size_t tsz,
				uintptr_t b, size_t bsz, struct inval_count *c)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	memset(c, 0, sizeof(*c));
	f = wb_trace_open(inst);
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long start, end;
		unsigned int flags;
		char *p;

		if (line[0] == '#' || !strstr(line, g_event))
			continue;
		p = strstr(line, " start=");
		if (!p || sscanf(p, " start=%llx end=%llx flags=%x",
				 &start, &end, &flags) != 3) {
			c->lost++;
			continue;
		}
		if (start < t + tsz && end > t) {
			c->target++;
			if (flags & RANGE_FLAG_MAYFAIL)
				c->target_mayfail++;
		}
		if (start < b + bsz && end > b)
			c->batch++;
	}
	free(line);
	fclose(f);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint32_t gpu_val(unsigned int round, unsigned long page)
{
	return 0x60000000u | (round << 16) | (page & 0xffff);
}

static uint32_t cpu_val(unsigned int round, unsigned long page)
{
	return 0xc0000000u | (round << 16) | (page & 0xffff);
}

FIXTURE(userptr_reclaim) {
	int fd;
	unsigned long pages;
	size_t size, batch_size;
	uint32_t *target, *batch;
	uint32_t target_handle, batch_handle;
	int memfd;
	char cg[128];
	struct wb_trace inst;
};

FIXTURE_VARIANT(userptr_reclaim) {
	enum backing backing;
	bool memcg;
};

FIXTURE_VARIANT_ADD(userptr_reclaim, anon_pageout) {
	.backing = BACKING_ANON,
};

FIXTURE_VARIANT_ADD(userptr_reclaim, shmem_pageout) {
	.backing = BACKING_SHMEM,
};

FIXTURE_VARIANT_ADD(userptr_reclaim, memfd_pageout) {
	.backing = BACKING_MEMFD,
};

FIXTURE_VARIANT_ADD(userptr_reclaim, anon_memcg) {
	.backing = BACKING_ANON,
	.memcg = true,
};

FIXTURE_VARIANT_ADD(userptr_reclaim, shmem_memcg) {
	.backing = BACKING_SHMEM,
	.memcg = true,
};

FIXTURE_VARIANT_ADD(userptr_reclaim, memfd_memcg) {
	.backing = BACKING_MEMFD,
	.memcg = true,
};

/* Move this process into a fresh memcg, before it allocates anything. */
static const char *memcg_enter(char *cg, size_t len)
{
	int ret;

	if (!file_contains(WB_CGROUP_ROOT "/cgroup.controllers", "memory"))
		return "no cgroup v2 memory controller at /sys/fs/cgroup";
	if (!file_contains(WB_CGROUP_ROOT "/cgroup.subtree_control", "memory") &&
	    wb_write_text(WB_CGROUP_ROOT "/cgroup.subtree_control", "+memory"))
		return "cannot enable the memory controller for child cgroups";
	ret = wb_memcg_create(cg, len, KPROBE_GROUP ".%d", getpid());
	if (ret)
		return ret == -EACCES || ret == -EPERM ?
			"no permission to create a cgroup" :
			"cannot create a cgroup";
	if (wb_memcg_enter(cg)) {
		rmdir(cg);
		cg[0] = 0;
		return "cannot move into the test cgroup";
	}
	return NULL;
}

static void memcg_leave(char *cg)
{
	wb_memcg_remove(cg);
	cg[0] = 0;
}

static int memcg_reclaim(const char *cg, size_t bytes)
{
	int ret = wb_memcg_reclaim(cg, bytes);

	/* -EAGAIN: not all of it could be reclaimed, pinned pages included */
	return ret == -EAGAIN ? 0 : ret;
}

static const char *trace_instance_create(struct wb_trace *inst)
{
	char name[64], event[128];

	snprintf(name, sizeof(name), "%s_%d", KPROBE_GROUP, getpid());
	if (wb_trace_create(inst, g_tracefs, name, "8192"))
		return "cannot create a tracefs instance";
	snprintf(event, sizeof(event), "%s/%s", KPROBE_GROUP, g_event);
	if (wb_trace_enable(inst, event))
		return "cannot enable the kprobe event in the tracefs instance";
	return NULL;
}

static void trace_instance_clear(const struct wb_trace *inst)
{
	wb_trace_clear(inst);
}

static void trace_instance_destroy(struct wb_trace *inst)
{
	char rel[192];

	if (!inst->path[0])
		return;
	snprintf(rel, sizeof(rel), "events/%s/%s/enable", KPROBE_GROUP, g_event);
	wb_trace_write(inst, rel, "0");
	wb_trace_remove(inst);
}

static void fixture_cleanup(FIXTURE_DATA(userptr_reclaim) *self)
{
	trace_instance_destroy(&self->inst);
	if (self->fd >= 0) {
		gem_close(self->fd, self->target_handle);
		gem_close(self->fd, self->batch_handle);
		close(self->fd);
		self->fd = -1;
	}
	if (self->target != MAP_FAILED)
		munmap(self->target, self->size);
	self->target = MAP_FAILED;
	if (self->batch != MAP_FAILED)
		munmap(self->batch, self->batch_size);
	self->batch = MAP_FAILED;
	if (self->memfd >= 0)
		close(self->memfd);
	self->memfd = -1;
	memcg_leave(self->cg);
}

/* NULL, or why the setup failed; *skip if that is a reason to skip. */
static const char *fixture_init(FIXTURE_DATA(userptr_reclaim) *self,
				const FIXTURE_VARIANT(userptr_reclaim) *variant,
				bool *skip)
{
	const char *why;
	int flags, fd = -1;
	void *p;
	int ret;

	*skip = true;
	if (variant->memcg) {
		why = memcg_enter(self->cg, sizeof(self->cg));
		if (why)
			return why;
	}

	*skip = false;
	self->fd = open(g_node, O_RDWR | O_CLOEXEC);
	if (self->fd < 0)
		return "cannot open the render node";

	flags = variant->backing == BACKING_ANON ? MAP_PRIVATE | MAP_ANONYMOUS :
		variant->backing == BACKING_SHMEM ? MAP_SHARED | MAP_ANONYMOUS :
		MAP_SHARED;
	if (variant->backing == BACKING_MEMFD) {
		self->memfd = memfd_create("userptr_reclaim", MFD_CLOEXEC);
		if (self->memfd < 0 || ftruncate(self->memfd, self->size))
			return "memfd_create/ftruncate failed";
		fd = self->memfd;
	}
	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED)
		return "mmap of the object's memory failed";
	self->target = p;
	/* Fault in (and charge to the memcg) before userptr pins it. */
	memset(self->target, 0x5a, self->size);

	p = mmap(NULL, self->batch_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return "mmap of the batch failed";
	self->batch = p;
	memset(self->batch, 0, self->batch_size);

	ret = userptr(self->fd, self->target, self->size, &self->target_handle);
	if (!ret)
		ret = userptr(self->fd, self->batch, self->batch_size,
			      &self->batch_handle);
	if (ret)
		return "GEM_USERPTR failed";

	*skip = true;
	return trace_instance_create(&self->inst);
}

FIXTURE_SETUP(userptr_reclaim)
{
	const char *why;
	bool skip;

	self->fd = -1;
	self->memfd = -1;
	self->cg[0] = 0;
	self->inst.path[0] = 0;
	self->target = MAP_FAILED;
	self->batch = MAP_FAILED;
	self->target_handle = 0;
	self->batch_handle = 0;
	self->pages = env_ulong("PIN_RECLAIM_PAGES", 64, 16384);
	self->size = self->pages * PAGE_SZ;
	self->batch_size = (self->pages * 16 + 8 + PAGE_SZ - 1) & ~(PAGE_SZ - 1);

	why = fixture_init(self, variant, &skip);
	if (!why)
		return;
	/* The harness runs no teardown after a failed setup. */
	fixture_cleanup(self);
	if (skip)
		SKIP(return, "%s", why);
	ASSERT_TRUE(0) TH_LOG("setup: %s (errno %d)", why, errno);
}

FIXTURE_TEARDOWN(userptr_reclaim)
{
	fixture_cleanup(self);
}

static void build_batch(uint32_t *b, unsigned long pages, unsigned int round)
{
	unsigned long p, i = 0;

	for (p = 0; p < pages; p++) {
		uint64_t addr = TARGET_GPU_ADDR + p * PAGE_SZ;

		b[i++] = MI_STORE_DWORD_IMM_GEN8;
		b[i++] = (uint32_t)addr;
		b[i++] = (uint32_t)(addr >> 32);
		b[i++] = gpu_val(round, p);
	}
	b[i++] = MI_BATCH_BUFFER_END;
	b[i++] = MI_NOOP;
}

TEST_F_TIMEOUT(userptr_reclaim, gpu_busy_reclaim, 600)
{
	const unsigned int rounds = env_ulong("PIN_RECLAIM_ROUNDS", 32, 4096);
	const struct expect e = expect_for(arm, variant->backing);
	struct drm_i915_gem_exec_object2 obj[2];
	struct drm_i915_gem_execbuffer2 eb;
	long long pins0 = 0, pins1, hits0 = 0, hits1;
	unsigned long bad = 0, repinned, revalidations;
	unsigned int r, eagain = 0;
	struct inval_count inv;
	uint64_t *lat;
	unsigned long p;

	lat = calloc(rounds, sizeof(*lat));
	ASSERT_NE(NULL, lat);

	memset(obj, 0, sizeof(obj));
	obj[0].handle = self->target_handle;
	obj[0].offset = TARGET_GPU_ADDR;
	obj[0].flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_SUPPORTS_48B_ADDRESS |
		       EXEC_OBJECT_WRITE;
	obj[1].handle = self->batch_handle;
	obj[1].offset = BATCH_GPU_ADDR;
	obj[1].flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_SUPPORTS_48B_ADDRESS;

	memset(&eb, 0, sizeof(eb));
	eb.buffers_ptr = (uintptr_t)obj;
	eb.buffer_count = 2;
	eb.batch_len = self->pages * 16 + 8;
	eb.flags = I915_EXEC_RENDER;

	for (r = 0; r <= rounds; r++) {
		uint64_t t0;
		int ret;

		for (p = 0; p < self->pages; p++)
			self->target[p * PAGE_SZ / 4 + 1] = cpu_val(r, p);
		build_batch(self->batch, self->pages, r);

		t0 = now_ns();
		ret = xioctl(self->fd, DRM_IOCTL_I915_GEM_EXECBUFFER2, &eb,
			     r ? &eagain : NULL);
		if (r)
			lat[r - 1] = now_ns() - t0;
		ASSERT_EQ(0, ret) TH_LOG("execbuf failed in round %u", r);

		if (!r) {
			/* The object is pinned now: start counting. */
			trace_instance_clear(&self->inst);
			pins0 = wb_vmstat("nr_foll_pin_acquired");
			hits0 = kprobe_hits();
		}

		/* Reclaim while the batch may still be running. */
		if (variant->memcg)
			ret = memcg_reclaim(self->cg,
					    self->size + self->batch_size);
		else
			ret = madvise(self->target, self->size, MADV_PAGEOUT) ?
				-errno : 0;
		ASSERT_EQ(0, ret) TH_LOG("reclaim failed: %s", strerror(-ret));

		ASSERT_EQ(0, gem_wait(self->fd, self->target_handle));

		for (p = 0; p < self->pages; p++) {
			const uint32_t *d = self->target + p * PAGE_SZ / 4;

			if (d[0] != gpu_val(r, p) || d[1] != cpu_val(r, p)) {
				if (!bad)
					TH_LOG("round %u page %lu: gpu %08x (want %08x) cpu %08x (want %08x)",
					       r, p, d[0], gpu_val(r, p),
					       d[1], cpu_val(r, p));
				bad++;
			}
		}
	}

	pins1 = wb_vmstat("nr_foll_pin_acquired");
	hits1 = kprobe_hits();
	count_invalidations(&self->inst, (uintptr_t)self->target, self->size,
			    (uintptr_t)self->batch, self->batch_size, &inv);
	repinned = pins1 >= pins0 ? pins1 - pins0 : 0;
	revalidations = repinned / self->pages;

	qsort(lat, rounds, sizeof(*lat), cmp_u64);
	ksft_print_msg("arm=%s backing=%s reclaim=%s pages=%lu rounds=%u\n",
		       wb_arm_name(arm), backing_name[variant->backing],
		       variant->memcg ? "memory.reclaim" : "MADV_PAGEOUT",
		       self->pages, rounds);
	ksft_print_msg("  invalidations: object %u (may-fail %u), batch %u, unparsed %u, kprobe hits (system) %lld\n",
		       inv.target, inv.target_mayfail, inv.batch, inv.lost,
		       hits0 >= 0 && hits1 >= 0 ? hits1 - hits0 : -1);
	ksft_print_msg("  re-validations: %lu (pinned pages %lu), execbuf -EAGAIN restarts %u\n",
		       revalidations, repinned, eagain);
	ksft_print_msg("  execbuf latency us: p50 %.1f p90 %.1f p99 %.1f max %.1f\n",
		       lat[(rounds - 1) * 50 / 100] / 1e3,
		       lat[(rounds - 1) * 90 / 100] / 1e3,
		       lat[(rounds - 1) * 99 / 100] / 1e3,
		       lat[rounds - 1] / 1e3);
	ksft_print_msg("  data: %lu bad pages\n", bad);
	free(lat);

	/* Every arm: what the CPU and the GPU wrote is there. */
	ASSERT_EQ(0, bad);
	ASSERT_EQ(0, inv.batch);

	if (arm == ARM_NONE)
		return;

	if (e.inval) {
		EXPECT_LT(0, inv.target) TH_LOG("%s: expected invalidations",
						wb_arm_name(arm));
	} else {
		EXPECT_EQ(0, inv.target) TH_LOG("%s: pinned %s object invalidated",
						wb_arm_name(arm),
						backing_name[variant->backing]);
	}
	if (e.all_mayfail)
		EXPECT_EQ(inv.target, inv.target_mayfail)
			TH_LOG("invalidations that are not may-fail");
	if (e.reval) {
		EXPECT_LT(0, revalidations) TH_LOG("expected re-validations");
	} else {
		EXPECT_EQ(0, revalidations)
			TH_LOG("%s: object re-validated after reclaim",
			       wb_arm_name(arm));
	}
}

int main(int argc, char **argv)
{
	const char *tracefs;
	char path[128];
	uint32_t handle;
	void *probe;
	int fd, ret;

	fd = open_i915(g_node, sizeof(g_node));
	if (fd == -EACCES || fd == -EPERM)
		ksft_exit_skip("no permission to open %s\n", g_node);
	if (fd < 0)
		ksft_exit_skip("no i915 render node (/dev/dri/renderD128..191 with driver i915)\n");

	if (!i915_getparam(fd, I915_PARAM_HAS_EXEC_SOFTPIN))
		ksft_exit_skip("%s: no softpin, the batch needs gen8+ with full PPGTT\n",
			       g_node);

	probe = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (probe == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	ret = userptr(fd, probe, PAGE_SZ, &handle);
	if (ret)
		ksft_exit_skip("%s: GEM_USERPTR: %s\n", g_node, strerror(-ret));
	gem_close(fd, handle);
	munmap(probe, PAGE_SZ);
	close(fd);

	tracefs = wb_tracefs("kprobe_events");
	if (!tracefs)
		ksft_exit_skip("no tracefs kprobe_events (CONFIG_KPROBE_EVENTS, tracefs mounted?)\n");
	snprintf(g_tracefs, sizeof(g_tracefs), "%s", tracefs);
	snprintf(path, sizeof(path), "%s/kprobe_events", g_tracefs);
	if (access(path, W_OK))
		ksft_exit_skip("no permission to write %s (run as root)\n", path);

	g_main_pid = getpid();
	snprintf(g_event, sizeof(g_event), "uinval_%d", g_main_pid);
	ret = kprobe_event(true);
	if (ret)
		ksft_exit_skip("cannot kprobe i915_gem_userptr_invalidate: %s\n",
			       strerror(-ret));
	atexit(kprobe_event_remove);

	return test_harness_run(argc, argv);
}
