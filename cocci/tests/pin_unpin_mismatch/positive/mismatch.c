// SPDX-License-Identifier: GPL-2.0
/* Test input for pin_unpin_mismatch.cocci: every release here is wrong. */
#include <linux/mm.h>

struct buf {
	struct page **pages;
	int npages;
};

/* FOLL_PIN pages dropped with put_page() */
int pin_then_put(unsigned long addr, int n, struct page **pages)
{
	int i, got;

	got = pin_user_pages_fast(addr, n, FOLL_WRITE | FOLL_LONGTERM, pages);
	if (got < 0)
		return got;
	for (i = 0; i < got; i++)
		put_page(pages[i]);
	return 0;
}

/* FOLL_PIN pages dropped with release_pages() on the error path */
int pin_then_release(struct mm_struct *mm, unsigned long addr, int n,
		     struct page **pages)
{
	long got;

	got = pin_user_pages_remote(mm, addr, n, FOLL_WRITE, pages, NULL);
	if (got != n) {
		if (got > 0)
			release_pages(pages, got);
		return -EFAULT;
	}
	return 0;
}

/* a single pinned page dropped with put_page() */
int pin_one(unsigned long addr)
{
	struct page *page;

	if (pin_user_pages_fast(addr, 1, 0, &page) != 1)
		return -EFAULT;
	put_page(page);
	return 0;
}

/* the reverse: FOLL_GET references dropped with unpin_user_pages() */
int get_then_unpin(unsigned long addr, int n, struct page **pages)
{
	long got;

	got = get_user_pages(addr, n, FOLL_WRITE, pages);
	if (got <= 0)
		return -EFAULT;
	unpin_user_pages_dirty_lock(pages, got, true);
	return 0;
}

int get_one_unpin(unsigned long addr)
{
	struct page *page;

	if (get_user_pages_unlocked(addr, 1, &page, 0) != 1)
		return -EFAULT;
	unpin_user_page(page);
	return 0;
}

/* pages kept in a structure: pinned here, released with put_page() there */
int buf_pin(struct buf *b, unsigned long addr)
{
	return pin_user_pages_fast(addr, b->npages, FOLL_LONGTERM, b->pages);
}

void buf_release(struct buf *b)
{
	int i;

	for (i = 0; i < b->npages; i++)
		put_page(b->pages[i]);
}
