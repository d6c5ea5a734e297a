// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim vs. guest memory that is long-term pinned for DMA, seen by KVM.
 *
 * A VM whose memory is a memfd, mirrored by KVM's TDP MMU (a secondary MMU
 * with an mmu_notifier), half of it long-term pinned by a real pin source:
 *   gup_test      PIN_LONGTERM_TEST_START (FOLL_PIN | FOLL_LONGTERM)
 *   io_uring      IORING_REGISTER_BUFFERS of the VMM's mapping
 *   iommufd       IOMMU_IOAS_MAP of the VMM's mapping into an IOAS with
 *                 CONFIG_IOMMUFD_TEST's mock domain attached (the iopt
 *                 code that pins for VFIO)
 *   iommufd_file  IOMMU_IOAS_MAP_FILE of the memfd (memfd_pin_folios(),
 *                 no user mapping at all)
 * either by the VMM itself or by another process (a device manager or a
 * vhost-user backend) that pins and keeps no mapping of its own.  Reclaim
 * (MADV_PAGEOUT of the VMM's mapping, or memory.reclaim of the cgroup) then
 * runs, and a vCPU touches every page again.
 *
 * Counted, per kernel: pinned pages whose KVM mapping an mmu-notifier
 * invalidation removed (the kvm_unmap_hva_range tracepoint), KVM's re-faults
 * (the vCPU's pf_fixed binary statistic) on the pinned and the unpinned
 * half, KVM aging calls on the pinned half (kvm_age_hva), the VMM's PTEs,
 * the unpinned pages reclaimed, and the data as the vCPU and the CPU see it.
 * Each test prints one line
 *	AB bench=kvm_pin case=NAME key=value ...
 * and checks what its arm (PIN_RECLAIM_ARM: base, mayfail, pin-aware) must
 * do: on pin-aware reclaim leaves the pinned half alone (no invalidation,
 * no re-fault, PTEs kept); base and mayfail invalidate it (KVM does not
 * decline invalidations on mayfail: it does not know the flag).
 *
 * Needs: /dev/kvm with nested paging (the "kvm" config variant, QEMU -cpu
 * max, kvm_amd.vls=0), CONFIG_GUP_TEST, CONFIG_IOMMUFD_TEST, io_uring,
 * swap, cgroup v2, tracefs, root.  A missing piece makes the test SKIP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
#include <sys/wait.h>
#include <linux/kvm.h>
#include <linux/iommufd.h>
#include <liburing.h>

#include "kselftest_harness.h"
#include "mm/gup_test.h"
#include "drivers/iommu/iommufd/iommufd_test.h"
#include "vm_util.h"
#include "wb.h"

#define NR_PINNED	32
#define NR_PAGES	(2 * NR_PINNED)
#define PAGE		4096UL
#define CODE_GPA	0x1000UL
#define MEM_GPA		0x100000UL
#define EXIT_PORT	0x10
#define TRACE_NAME	"kvm_pin_reclaim"	/* our tracefs instance */

WB_ARM_FROM_ENV(ARM_PIN_AWARE)

enum pin_src { PIN_GUP_TEST, PIN_IO_URING, PIN_IOMMUFD, PIN_IOMMUFD_FILE };
static const char * const pin_names[] = {
	"gup_test", "io_uring", "iommufd", "iommufd_file",
};

enum trigger { TRIGGER_PAGEOUT, TRIGGER_MEMCG_RECLAIM };
static const char * const trigger_names[] = { "pageout", "memcg_reclaim" };

/*
 * The vCPU's program (32-bit protected mode, no paging, so GPA = linear):
 *	xor ebx, ebx
 * 1:	add ebx, [esi]		; read the first dword of the page
 *	add esi, 0x1000
 *	dec ecx
 *	jnz 1b
 *	out EXIT_PORT, al	; KVM_EXIT_IO: ebx is the sum
 *	hlt
 */
static const uint8_t guest_code[] = {
	0x31, 0xdb, 0x03, 0x1e, 0x81, 0xc6, 0x00, 0x10, 0x00, 0x00,
	0x49, 0x75, 0xf5, 0xe6, EXIT_PORT, 0xf4,
};

/* The pinning side, in this process or in another one. */
struct pinner {
	enum pin_src src;
	int gup_fd, iommufd;
	struct io_uring ring;
	bool ring_up, pinned;
};

FIXTURE(kvm_pin)
{
	int memfd, kvm_fd, vm_fd, vcpu_fd, vcpu_stats, vm_stats, pagemap_fd;
	struct kvm_run *run;
	size_t run_size;
	char *mem, *code;
	char cg[128];
	struct pinner pin;
	pid_t child;
	int to_child, from_child;
	bool traced;
};

FIXTURE_VARIANT(kvm_pin)
{
	enum pin_src src;
	bool cross;	/* another process pins */
	enum trigger trig;
};

#define KVM_PIN_VARIANT(name, s, c, t)					\
	FIXTURE_VARIANT_ADD(kvm_pin, name) {				\
		.src = s, .cross = c, .trig = t,			\
	}
KVM_PIN_VARIANT(gup_test_pageout, PIN_GUP_TEST, false, TRIGGER_PAGEOUT);
KVM_PIN_VARIANT(gup_test_memcg, PIN_GUP_TEST, false, TRIGGER_MEMCG_RECLAIM);
KVM_PIN_VARIANT(io_uring_pageout, PIN_IO_URING, false, TRIGGER_PAGEOUT);
KVM_PIN_VARIANT(io_uring_memcg, PIN_IO_URING, false, TRIGGER_MEMCG_RECLAIM);
KVM_PIN_VARIANT(iommufd_pageout, PIN_IOMMUFD, false, TRIGGER_PAGEOUT);
KVM_PIN_VARIANT(iommufd_memcg, PIN_IOMMUFD, false, TRIGGER_MEMCG_RECLAIM);
KVM_PIN_VARIANT(iommufd_file_pageout, PIN_IOMMUFD_FILE, false, TRIGGER_PAGEOUT);
KVM_PIN_VARIANT(iommufd_file_memcg, PIN_IOMMUFD_FILE, false, TRIGGER_MEMCG_RECLAIM);
KVM_PIN_VARIANT(cross_gup_test_pageout, PIN_GUP_TEST, true, TRIGGER_PAGEOUT);
KVM_PIN_VARIANT(cross_io_uring_memcg, PIN_IO_URING, true, TRIGGER_MEMCG_RECLAIM);
KVM_PIN_VARIANT(cross_iommufd_pageout, PIN_IOMMUFD, true, TRIGGER_PAGEOUT);
KVM_PIN_VARIANT(cross_iommufd_file_memcg, PIN_IOMMUFD_FILE, true, TRIGGER_MEMCG_RECLAIM);

/* ---- small helpers ---- */

static uint32_t word(size_t page, size_t i)
{
	return (uint32_t)(page << 16) ^ (uint32_t)i ^ 0x5a5a0000u;
}

/* The expected sum of the first dword of pages [first, first + n). */
static uint32_t page_sum(size_t first, size_t n)
{
	uint32_t sum = 0;

	for (size_t p = first; p < first + n; p++)
		sum += word(p, 0);
	return sum;
}

static int fill_memfd(int fd)
{
	uint32_t buf[PAGE / 4];

	for (size_t p = 0; p < NR_PAGES; p++) {
		for (size_t i = 0; i < PAGE / 4; i++)
			buf[i] = word(p, i);
		if (pwrite(fd, buf, PAGE, p * PAGE) != (ssize_t)PAGE)
			return -1;
	}
	return 0;
}

/* The first page of the memfd whose content is wrong, or -1. */
static long check_memfd(int fd)
{
	uint32_t buf[PAGE / 4];

	for (size_t p = 0; p < NR_PAGES; p++) {
		if (pread(fd, buf, PAGE, p * PAGE) != (ssize_t)PAGE)
			return p;
		for (size_t i = 0; i < PAGE / 4; i++)
			if (buf[i] != word(p, i))
				return p;
	}
	return -1;
}

static long stat_read(int stats_fd, const char *name)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	size_t dsz;
	char *descs;
	uint64_t v;
	long ret = -1;

	if (pread(stats_fd, &h, sizeof(h), 0) != sizeof(h))
		return -1;
	dsz = sizeof(*d) + h.name_size;
	descs = calloc(h.num_desc, dsz);
	if (!descs)
		return -1;
	if (pread(stats_fd, descs, h.num_desc * dsz, h.desc_offset) !=
	    (ssize_t)(h.num_desc * dsz))
		goto out;
	for (uint32_t i = 0; i < h.num_desc; i++) {
		d = (struct kvm_stats_desc *)(descs + i * dsz);
		if (strcmp(d->name, name))
			continue;
		if (pread(stats_fd, &v, sizeof(v), h.data_offset + d->offset) ==
		    sizeof(v))
			ret = (long)v;
		break;
	}
out:
	free(descs);
	return ret;
}

/* A few lines of the cgroup's memory.stat, for the log. */
static void log_memcg(struct __test_metadata *_metadata, const char *cg,
		      const char *when)
{
	static const char * const keys[] = {
		"shmem ", "active_anon ", "inactive_anon ", "unevictable ",
		"pgscan ", "pgsteal ", "pgactivate ", "pgdeactivate ",
	};
	char path[192], line[128], out[512] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", cg);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i], strlen(keys[i]))) {
				line[strcspn(line, "\n")] = 0;
				snprintf(out + strlen(out), sizeof(out) - strlen(out),
					 " %s", line);
			}
	fclose(f);
	TH_LOG("memory.stat %s:%s", when, out);
}

/*
 * Start memory.reclaim from a settled LRU, the same on every arm and run.
 * Without this, about 1 run in 6 (base and pin-aware alike) ended with
 * -EAGAIN and nothing reclaimed: every page active, pgdeactivate 0.  Our
 * reading of the counts (28 of 70 pages active before, all after): the
 * vCPU's accesses queue activations in this CPU's LRU batches, reclaim
 * applies them first (lru_add_drain()), and its inactive:active check
 * (inactive_is_low()) reads the memcg's flushed statistics, which a few
 * dozen LRU moves leave to the periodic flush (every 2 s), so it did not
 * see the active list it had just grown and never aged it.  So: apply the
 * batches here (MADV_COLD of a page never touched does nothing else), then
 * wait for the periodic flush.  With it, 8 runs of the 12 cases in one
 * boot passed 96 of 96 on each arm.
 */
static void settle_lru(struct __test_metadata *_metadata, const char *cg)
{
	void *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(madvise(p, PAGE, MADV_COLD), 0);
	munmap(p, PAGE);
	usleep(2500 * 1000);
	log_memcg(_metadata, cg, "settled");
}

/* ---- tracefs: KVM's mmu-notifier unmap and age events ---- */

static struct wb_trace trace;

static bool trace_start(void)
{
	static const char * const events[] = {
		"kvm/kvm_unmap_hva_range", "kvm/kvm_age_hva",
	};
	const char *root = wb_tracefs("instances");

	if (!root || wb_trace_create(&trace, root, TRACE_NAME, "8192"))
		return false;
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (wb_trace_enable(&trace, events[i]))
			return false;
	return true;
}

static void trace_clear(void)
{
	wb_trace_clear(&trace);
}

/*
 * From the events since the last clear: the pinned and the unpinned pages
 * that at least one KVM unmap covered, and the aging calls that covered a
 * pinned page (one per page and call); lost events, if the buffer overflowed.
 */
struct trace_count {
	long unmap_pinned, unmap_unpinned, age_pinned, lost;
};

static void trace_take(struct trace_count *t, unsigned long start)
{
	unsigned long s, e, a, end = start + NR_PAGES * PAGE;
	bool unmapped[NR_PAGES] = { false };
	char line[512], *p;
	bool unmap;
	FILE *f = wb_trace_open(&trace);

	memset(t, 0, sizeof(*t));
	if (!f) {
		t->lost = -1;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#') {
			t->lost += wb_trace_lost(line);
			continue;
		}
		p = strstr(line, "unmap range: ");
		unmap = p != NULL;
		if (!unmap)
			p = strstr(line, "age hva: ");
		if (!p || sscanf(strchr(p, ':') + 1, " %lx -- %lx", &s, &e) != 2)
			continue;
		for (a = start; a < end; a += PAGE) {
			if (a + PAGE <= s || a >= e)
				continue;
			if (unmap)
				unmapped[(a - start) / PAGE] = true;
			else if (a < start + NR_PINNED * PAGE)
				t->age_pinned++;
		}
	}
	fclose(f);
	trace_clear();
	for (size_t i = 0; i < NR_PAGES; i++) {
		if (i < NR_PINNED)
			t->unmap_pinned += unmapped[i];
		else
			t->unmap_unpinned += unmapped[i];
	}
}

static void trace_stop(void)
{
	wb_trace_remove(&trace);
}

/* ---- pin sources ---- */

static int iommufd_setup(struct pinner *pn)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};

	pn->iommufd = open("/dev/iommu", O_RDWR);
	if (pn->iommufd < 0)
		return -errno;
	if (ioctl(pn->iommufd, IOMMU_IOAS_ALLOC, &alloc))
		return -errno;
	mock.id = alloc.out_ioas_id;
	/* A mock device with its own domain: maps pin at once. */
	if (ioctl(pn->iommufd, IOMMU_TEST_CMD, &mock))
		return -errno;
	return alloc.out_ioas_id;
}

/*
 * Pin the first NR_PINNED pages: through @va (a MAP_SHARED mapping of
 * @memfd) or, for iommufd_file, through the file.  0 or -errno.
 */
static int pin_first_half(struct pinner *pn, int memfd, char *va)
{
	size_t len = NR_PINNED * PAGE;
	int ret, ioas;

	switch (pn->src) {
	case PIN_GUP_TEST: {
		pn->gup_fd = wb_gup_open();
		if (pn->gup_fd < 0)
			return -errno;
		ret = wb_gup_pin(pn->gup_fd, va, len);
		if (ret)
			return ret;
		break;
	}
	case PIN_IO_URING: {
		struct iovec iov = { .iov_base = va, .iov_len = len };

		ret = io_uring_queue_init(4, &pn->ring, 0);
		if (ret)
			return ret;
		pn->ring_up = true;
		ret = io_uring_register_buffers(&pn->ring, &iov, 1);
		if (ret)
			return ret;
		break;
	}
	case PIN_IOMMUFD: {
		struct iommu_ioas_map map = {
			.size = sizeof(map),
			.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
			.user_va = (uintptr_t)va, .length = len,
		};

		ioas = iommufd_setup(pn);
		if (ioas < 0)
			return ioas;
		map.ioas_id = ioas;
		if (ioctl(pn->iommufd, IOMMU_IOAS_MAP, &map))
			return -errno;
		break;
	}
	case PIN_IOMMUFD_FILE: {
		struct iommu_ioas_map_file map = {
			.size = sizeof(map),
			.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
			.fd = memfd, .start = 0, .length = len,
		};

		ioas = iommufd_setup(pn);
		if (ioas < 0)
			return ioas;
		map.ioas_id = ioas;
		if (ioctl(pn->iommufd, IOMMU_IOAS_MAP_FILE, &map))
			return -errno;
		break;
	}
	}
	pn->pinned = true;
	return 0;
}

static void unpin(struct pinner *pn)
{
	if (pn->gup_fd >= 0) {
		if (pn->pinned)
			wb_gup_unpin(pn->gup_fd);
		close(pn->gup_fd);
	}
	if (pn->ring_up)
		io_uring_queue_exit(&pn->ring);
	if (pn->iommufd >= 0)
		close(pn->iommufd);	/* unmaps and unpins the IOAS */
	pn->gup_fd = pn->iommufd = -1;
	pn->ring_up = pn->pinned = false;
}

/*
 * The other process: map, pin, drop the mapping, report the result on
 * @out ('0' or an errno byte), hold the pins until @in closes.
 */
static void __attribute__((noreturn)) pinner_child(struct pinner *pn, int memfd,
						  int in, int out)
{
	char *va = NULL, c;
	int ret;

	if (pn->src != PIN_IOMMUFD_FILE) {
		va = mmap(NULL, NR_PAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_SHARED, memfd, 0);
		if (va == MAP_FAILED)
			_exit(2);
	}
	ret = pin_first_half(pn, memfd, va);
	if (va)
		munmap(va, NR_PAGES * PAGE);
	c = ret ? (char)-ret : 0;
	if (write(out, &c, 1) != 1)
		_exit(3);
	while (read(in, &c, 1) > 0)
		;
	unpin(pn);
	_exit(ret ? 1 : 0);
}

/* ---- the VM ---- */

/* Run the vCPU over @n pages from page @first; the sum it read, or -1. */
static long vcpu_touch(struct __test_metadata *_metadata,
		       FIXTURE_DATA(kvm_pin) *self, size_t first, size_t n)
{
	struct kvm_regs regs = {
		.rip = CODE_GPA, .rflags = 2,
		.rsi = MEM_GPA + first * PAGE, .rcx = n,
	};

	if (ioctl(self->vcpu_fd, KVM_SET_REGS, &regs))
		return -1;
	if (ioctl(self->vcpu_fd, KVM_RUN, 0))
		return -1;
	if (self->run->exit_reason != KVM_EXIT_IO ||
	    self->run->io.port != EXIT_PORT) {
		TH_LOG("vCPU exit %u (io port %u), expected KVM_EXIT_IO on %#x",
		       self->run->exit_reason, self->run->io.port, EXIT_PORT);
		return -1;
	}
	if (ioctl(self->vcpu_fd, KVM_GET_REGS, &regs))
		return -1;
	return (uint32_t)regs.rbx;
}

static int vm_create(FIXTURE_DATA(kvm_pin) *self)
{
	struct kvm_userspace_memory_region code = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = 0x10000,
	}, mem = {
		.slot = 1, .guest_phys_addr = MEM_GPA,
		.memory_size = NR_PAGES * PAGE,
	};
	struct kvm_segment seg = {
		.base = 0, .limit = 0xffffffff, .selector = 1 << 3,
		.present = 1, .type = 11, .dpl = 0, .db = 1, .s = 1,
		.l = 0, .g = 1,
	};
	struct kvm_sregs sregs;
	int fd;

	self->vm_fd = ioctl(self->kvm_fd, KVM_CREATE_VM, 0);
	if (self->vm_fd < 0)
		return -1;
	/* The code page is locked: reclaim of the cgroup must not touch it. */
	self->code = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	if (self->code == MAP_FAILED)
		return -1;
	memcpy(self->code + CODE_GPA, guest_code, sizeof(guest_code));
	code.userspace_addr = (uintptr_t)self->code;
	mem.userspace_addr = (uintptr_t)self->mem;
	if (ioctl(self->vm_fd, KVM_SET_USER_MEMORY_REGION, &code) ||
	    ioctl(self->vm_fd, KVM_SET_USER_MEMORY_REGION, &mem))
		return -1;
	self->vcpu_fd = ioctl(self->vm_fd, KVM_CREATE_VCPU, 0);
	if (self->vcpu_fd < 0)
		return -1;
	self->run_size = ioctl(self->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	self->run = mmap(NULL, self->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->vcpu_fd, 0);
	if (self->run == MAP_FAILED)
		return -1;
	if (ioctl(self->vcpu_fd, KVM_GET_SREGS, &sregs))
		return -1;
	sregs.cs = seg;
	seg.type = 3;
	seg.selector = 2 << 3;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg;
	sregs.cr0 |= 1;	/* PE */
	if (ioctl(self->vcpu_fd, KVM_SET_SREGS, &sregs))
		return -1;
	fd = ioctl(self->vcpu_fd, KVM_GET_STATS_FD, 0);
	self->vcpu_stats = fd;
	self->vm_stats = ioctl(self->vm_fd, KVM_GET_STATS_FD, 0);
	return fd < 0 || self->vm_stats < 0 ? -1 : 0;
}

FIXTURE_SETUP(kvm_pin)
{
	const char *cg_name = "kvm_pin_reclaim";
	int down[2], up[2];
	long pf0, pf1, pf2;
	cpu_set_t cpus;
	char c;
	int ret = 0;

	memset(self, 0, sizeof(*self));
	self->memfd = self->kvm_fd = self->vm_fd = self->vcpu_fd = -1;
	self->vcpu_stats = self->vm_stats = self->pagemap_fd = -1;
	self->to_child = self->from_child = -1;
	self->mem = self->code = MAP_FAILED;
	self->run = MAP_FAILED;
	self->pin.src = variant->src;
	self->pin.gup_fd = self->pin.iommufd = -1;

	TH_LOG("arm %s, pin %s%s, trigger %s", wb_arm_name(arm),
	       pin_names[variant->src], variant->cross ? " (another process)" : "",
	       trigger_names[variant->trig]);
	if (getuid())
		SKIP(return, "must run as root");
	self->kvm_fd = open("/dev/kvm", O_RDWR);
	if (self->kvm_fd < 0)
		SKIP(return, "no /dev/kvm (the kvm config variant has it)");
	if (ioctl(self->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_BINARY_STATS_FD) <= 0)
		SKIP(return, "KVM has no binary statistics");
	if (variant->src == PIN_GUP_TEST && access(WB_GUP_TEST_PATH, R_OK))
		SKIP(return, "no %s (CONFIG_GUP_TEST, debugfs)", WB_GUP_TEST_PATH);
	if (variant->src >= PIN_IOMMUFD && access("/dev/iommu", R_OK))
		SKIP(return, "no /dev/iommu (CONFIG_IOMMUFD)");
	if (!wb_have_cgroup2())
		SKIP(return, "no cgroup v2 at " WB_CGROUP_ROOT);
	self->traced = trace_start();
	if (!self->traced)
		SKIP(return, "no kvm trace events in tracefs");

	/*
	 * One CPU for the test and its pinning child: the pages it adds to
	 * the LRU wait in that CPU's batch, which the local lru_add_drain()
	 * of MADV_PAGEOUT and of reclaim empties; pages left in another
	 * CPU's batch could not be isolated.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	ASSERT_EQ(sched_setaffinity(0, sizeof(cpus), &cpus), 0);

	/* Everything charged from here on belongs to the test's memcg. */
	ASSERT_EQ(wb_memcg_create(self->cg, sizeof(self->cg), "%s", cg_name), 0);
	ASSERT_EQ(wb_memcg_enter(self->cg), 0);

	self->memfd = memfd_create("kvm_pin_reclaim", 0);
	ASSERT_GE(self->memfd, 0);
	ASSERT_EQ(ftruncate(self->memfd, NR_PAGES * PAGE), 0);
	ASSERT_EQ(fill_memfd(self->memfd), 0);

	if (variant->cross) {
		ASSERT_EQ(pipe(down), 0);
		ASSERT_EQ(pipe(up), 0);
		self->child = fork();
		ASSERT_GE(self->child, 0);
		if (!self->child) {
			close(down[1]);
			close(up[0]);
			pinner_child(&self->pin, self->memfd, down[0], up[1]);
		}
		close(down[0]);
		close(up[1]);
		self->to_child = down[1];
		self->from_child = up[0];
		ASSERT_EQ(read(self->from_child, &c, 1), 1);
		ret = -(int)(unsigned char)c;
	}
	/* The VMM's mapping, made after the fork: the child has none. */
	self->mem = mmap(NULL, NR_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->memfd, 0);
	ASSERT_NE(self->mem, MAP_FAILED);
	if (!variant->cross)
		ret = pin_first_half(&self->pin, self->memfd, self->mem);
	if (ret && variant->src == PIN_IO_URING)
		SKIP(return, "io_uring_register_buffers: %s", strerror(-ret));
	if (ret && variant->src >= PIN_IOMMUFD)
		SKIP(return, "iommufd with a mock domain: %s (CONFIG_IOMMUFD_TEST)",
		     strerror(-ret));
	ASSERT_EQ(ret, 0) TH_LOG("pinning with %s: %s", pin_names[variant->src],
				 strerror(-ret));

	self->pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_GE(self->pagemap_fd, 0);
	ASSERT_EQ(vm_create(self), 0) TH_LOG("creating the VM: %s", strerror(errno));

	/* KVM maps every page, then keeps the mapping while nothing reclaims. */
	pf0 = stat_read(self->vcpu_stats, "pf_fixed");
	ASSERT_GE(pf0, 0);
	ASSERT_EQ(vcpu_touch(_metadata, self, 0, NR_PAGES), page_sum(0, NR_PAGES));
	pf1 = stat_read(self->vcpu_stats, "pf_fixed");
	ASSERT_EQ(vcpu_touch(_metadata, self, 0, NR_PAGES), page_sum(0, NR_PAGES));
	pf2 = stat_read(self->vcpu_stats, "pf_fixed");
	TH_LOG("first touch: %ld KVM faults, second: %ld, pages_4k %ld",
	       pf1 - pf0, pf2 - pf1, stat_read(self->vm_stats, "pages_4k"));
	ASSERT_GE(pf1 - pf0, NR_PAGES);
	ASSERT_EQ(pf2 - pf1, 0) TH_LOG("KVM re-faulted without any reclaim");
}

FIXTURE_TEARDOWN(kvm_pin)
{
	int status;

	if (self->run != MAP_FAILED)
		munmap(self->run, self->run_size);
	if (self->code != MAP_FAILED)
		munmap(self->code, 0x10000);
	{
		int fds[] = { self->vcpu_stats, self->vm_stats, self->vcpu_fd,
			      self->vm_fd, self->kvm_fd, self->pagemap_fd };

		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	if (self->child > 0) {
		close(self->to_child);
		waitpid(self->child, &status, 0);
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("the pinning process failed (status %#x)", status);
	}
	unpin(&self->pin);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, NR_PAGES * PAGE);
	if (self->memfd >= 0)
		close(self->memfd);
	if (self->traced)
		trace_stop();
	wb_memcg_remove(self->cg);
}

static long count_present(FIXTURE_DATA(kvm_pin) *self, size_t first, size_t n)
{
	long present = 0;

	for (size_t p = first; p < first + n; p++)
		present += !!(pagemap_get_entry(self->pagemap_fd,
						self->mem + p * PAGE) & PM_PRESENT);
	return present;
}

/* Pages of [first, first + n) no longer in memory (mincore()). */
static long count_evicted(FIXTURE_DATA(kvm_pin) *self, size_t first, size_t n)
{
	unsigned char vec[NR_PAGES];
	long evicted = 0;

	if (mincore(self->mem, NR_PAGES * PAGE, vec))
		return -1;
	for (size_t p = first; p < first + n; p++)
		evicted += !(vec[p] & 1);
	return evicted;
}

TEST_F_TIMEOUT(kvm_pin, reclaim, 240)
{
	bool exact = variant->trig == TRIGGER_PAGEOUT;
	long pf0, pf1, pf2, pte_pinned, unmapped, evicted, bad;
	long lo, hi, k4_before, k4_after;
	struct trace_count t;
	char req[32];
	int ret = 0;

	k4_before = stat_read(self->vm_stats, "pages_4k");
	log_memcg(_metadata, self->cg, "before");
	trace_clear();
	if (exact) {
		ASSERT_EQ(madvise(self->mem, NR_PINNED * PAGE, MADV_PAGEOUT), 0);
		ASSERT_EQ(madvise(self->mem + NR_PINNED * PAGE, NR_PINNED * PAGE,
				  MADV_PAGEOUT), 0);
	} else {
		/*
		 * More than the cgroup could give back: with the pinned half
		 * unreclaimable, memory.reclaim ends with -EAGAIN on every arm,
		 * after trying every folio several times.
		 */
		ASSERT_EQ(wb_clear_refs(), 0);
		settle_lru(_metadata, self->cg);
		snprintf(req, sizeof(req), "%lu", NR_PAGES * PAGE + (16UL << 20));
		ret = wb_memcg_write(self->cg, "memory.reclaim", req);
	}
	trace_take(&t, (uintptr_t)self->mem);
	log_memcg(_metadata, self->cg, "after");
	k4_after = stat_read(self->vm_stats, "pages_4k");
	pte_pinned = count_present(self, 0, NR_PINNED);
	unmapped = NR_PINNED - count_present(self, NR_PINNED, NR_PINNED);
	evicted = count_evicted(self, NR_PINNED, NR_PINNED);

	/* The vCPU touches the pinned half, then the unpinned half. */
	pf0 = stat_read(self->vcpu_stats, "pf_fixed");
	EXPECT_EQ(vcpu_touch(_metadata, self, 0, NR_PINNED), page_sum(0, NR_PINNED));
	pf1 = stat_read(self->vcpu_stats, "pf_fixed");
	EXPECT_EQ(vcpu_touch(_metadata, self, NR_PINNED, NR_PINNED),
		  page_sum(NR_PINNED, NR_PINNED));
	pf2 = stat_read(self->vcpu_stats, "pf_fixed");
	bad = check_memfd(self->memfd);

	printf("AB bench=kvm_pin case=%s%s_%s arm=%s pinned=%d"
	       " invalidated_pinned=%ld refault_pinned=%ld pte_pinned=%ld"
	       " invalidated_unpinned=%ld refault_unpinned=%ld"
	       " unpinned_unmapped=%ld unpinned_evicted=%ld age_pinned=%ld pages_4k_dropped=%ld"
	       " trace_lost=%ld reclaim_rc=%d data_bad_page=%ld\n",
	       variant->cross ? "cross_" : "", pin_names[variant->src],
	       trigger_names[variant->trig], wb_arm_name(arm), NR_PINNED,
	       t.unmap_pinned, pf1 - pf0, pte_pinned, t.unmap_unpinned,
	       pf2 - pf1, unmapped, evicted, t.age_pinned, k4_before - k4_after, t.lost,
	       ret, bad);
	fflush(stdout);	/* the harness _exit()s its test children */

	ASSERT_EQ(t.lost, 0) TH_LOG("the trace buffer lost events");
	if (!exact)
		EXPECT_EQ(ret, -EAGAIN) TH_LOG("memory.reclaim %s: %d", req, ret);
	/* 1. KVM's mapping of the pinned half, and its re-faults. */
	lo = arm == ARM_PIN_AWARE ? 0 : exact ? NR_PINNED : 1;
	hi = arm == ARM_PIN_AWARE ? 0 : NR_PINNED;
	EXPECT_GE(t.unmap_pinned, lo) TH_LOG("pinned pages invalidated on %s",
					     wb_arm_name(arm));
	EXPECT_LE(t.unmap_pinned, hi) TH_LOG("pinned pages invalidated on %s",
					     wb_arm_name(arm));
	EXPECT_EQ(pf1 - pf0, t.unmap_pinned)
		TH_LOG("KVM re-faults on the pinned half vs its invalidated pages");
	/* 2. The VMM's PTEs of the pinned half. */
	lo = arm == ARM_PIN_AWARE ? NR_PINNED : 0;
	hi = arm == ARM_PIN_AWARE ? NR_PINNED : exact ? 0 : NR_PINNED - 1;
	EXPECT_GE(pte_pinned, lo);
	EXPECT_LE(pte_pinned, hi);
	/*
	 * 3. The unpinned half is reclaimed on every arm: unmapped from the
	 * VMM and from KVM, which re-faults it.  (Evicted from memory only
	 * once its swap write finished: reported, not checked.)
	 */
	EXPECT_GE(unmapped, exact ? NR_PINNED : 1);
	EXPECT_GE(t.unmap_unpinned, unmapped);
	EXPECT_EQ(pf2 - pf1, t.unmap_unpinned)
		TH_LOG("KVM re-faults on the unpinned half vs its invalidated pages");
	/* 4. Data, as the vCPU (above) and the CPU see it. */
	EXPECT_EQ(bad, -1) TH_LOG("memfd page %ld has wrong data", bad);
}

/*
 * Without /dev/kvm (every config variant but "kvm") the whole binary is one
 * skip, not one per case.
 */
int main(int argc, char **argv)
{
	if (access("/dev/kvm", R_OK | W_OK))
		ksft_exit_skip("no /dev/kvm (the kvm config variant has it)\n");
	return test_harness_run(argc, argv);
}
