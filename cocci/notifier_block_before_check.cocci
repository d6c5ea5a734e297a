// SPDX-License-Identifier: GPL-2.0-only
/// mmu_interval_notifier_ops.invalidate and .invalidate_start and
/// mmu_notifier_ops.invalidate_range_start callbacks are called from
/// contexts that must not sleep (the OOM reaper; and, with a may-fail or
/// non-blocking invalidation from reclaim, any caller that clears
/// MMU_NOTIFIER_RANGE_BLOCKABLE).  A callback may only sleep or wait on a
/// path that has checked mmu_notifier_range_blockable(range); otherwise it
/// must trylock or return false / -EAGAIN.  Find sleeping calls
/// (mutex_lock, down_read/down_write, dma_resv_wait_timeout, dma_fence_wait,
/// wait_event*, wait_for_completion*, msleep, usleep_range, ...) reached
/// from the callback's entry on a path that does not go through
/// mmu_notifier_range_blockable(), directly or through a helper function
/// of the same file that sleeps on an unchecked path.
///
/// .invalidate_start is the first pass of 7.3's two-pass interval
/// notifiers: mn_itree_invalidate() calls it where it would call
/// .invalidate, with the same range, so the same rule applies.
///
//# Not found: sleeps in helpers defined in other files or headers (e.g.
//# amdkfd's svm_range_lock() from kfd_svm.h), and indirect calls.
//# .invalidate_finish is not checked: it gets no range to test, and runs
//# only for a finish that .invalidate_start returned, so whether the
//# finish pass may sleep is decided (and must be checked) in
//# .invalidate_start.  A blockable check whose result is kept in a local
//# and tested later counts as a check; one done by a caller does not, so
//# a callback that is only ever registered by a blocking-only user gives
//# a false positive.  Event filters are not followed either: a callback
//# that sleeps only for an event that the kernel never sends non-blocking
//# is reported (in 7.3 the only non-blocking invalidation is the OOM
//# reaper's MMU_NOTIFY_CLEAR, from zap_vma_for_reaping(); in 6.12 it was
//# MMU_NOTIFY_UNMAP, from __oom_reap_task_mm()), although the kernel-doc
//# contract still asks for the check.
//
// Confidence: Moderate
// Comments: see the kernel-doc of struct mmu_interval_notifier_ops and
//  struct mmu_notifier_ops in include/linux/mmu_notifier.h
// Options: --no-includes --include-headers

virtual context
virtual org
virtual report

@initialize:python@
@@

SLEEPERS = ("mutex_lock, down_read/down_write, dma_resv_wait_timeout, "
	    "wait_event*, msleep, usleep_range")

def msg(cb, s, via=None, sline=None):
	if via is None:
		what = "%s() may sleep" % s
	else:
		what = "%s() sleeps (%s() at line %s)" % (via, s, sline)
	return ("WARNING %s in mmu notifier callback %s() on a path that does not "
		"check mmu_notifier_range_blockable(range): check it first and "
		"return false/-EAGAIN (or use a trylock) when it is false"
		% (what, cb))

# First sleeping call of each helper of this file, by line.
helper_sleep = {}

@cb@
identifier I, fn;
@@

(
  struct mmu_interval_notifier_ops I = { ..., .invalidate = fn, ... };
|
  struct mmu_interval_notifier_ops I = { ..., .invalidate_start = fn, ... };
|
  struct mmu_notifier_ops I = { ..., .invalidate_range_start = fn, ... };
)

@direct exists@
identifier cb.fn;
identifier s =~ "^(mutex_lock|mutex_lock_interruptible|mutex_lock_killable|mutex_lock_nested|down_read|down_read_killable|down_read_interruptible|down_write|down_write_killable|down|down_interruptible|down_killable|dma_resv_lock|dma_resv_lock_interruptible|dma_resv_wait_timeout|dma_fence_wait|dma_fence_wait_timeout|wait_event|wait_event_timeout|wait_event_interruptible|wait_event_interruptible_timeout|wait_event_killable|wait_event_lock_irq|wait_for_completion|wait_for_completion_timeout|wait_for_completion_interruptible|wait_for_completion_killable|msleep|msleep_interruptible|ssleep|usleep_range|usleep_range_state|fsleep|schedule_timeout|flush_work|cancel_work_sync|synchronize_rcu|synchronize_srcu)$";
position p;
@@

fn(...) {
  ... when != mmu_notifier_range_blockable(...)
  s@p(...)
  ... when any
}

@helper depends on cb exists@
identifier h;
identifier s =~ "^(mutex_lock|mutex_lock_interruptible|mutex_lock_killable|mutex_lock_nested|down_read|down_read_killable|down_read_interruptible|down_write|down_write_killable|down|down_interruptible|down_killable|dma_resv_lock|dma_resv_lock_interruptible|dma_resv_wait_timeout|dma_fence_wait|dma_fence_wait_timeout|wait_event|wait_event_timeout|wait_event_interruptible|wait_event_interruptible_timeout|wait_event_killable|wait_event_lock_irq|wait_for_completion|wait_for_completion_timeout|wait_for_completion_interruptible|wait_for_completion_killable|msleep|msleep_interruptible|ssleep|usleep_range|usleep_range_state|fsleep|schedule_timeout|flush_work|cancel_work_sync|synchronize_rcu|synchronize_srcu)$";
position ps;
@@

h(...) {
  ... when != mmu_notifier_range_blockable(...)
  s@ps(...)
  ... when any
}

@script:python@
h << helper.h;
s << helper.s;
ps << helper.ps;
@@

k = (ps[0].file, h)
if k not in helper_sleep or int(ps[0].line) < int(helper_sleep[k][1]):
	helper_sleep[k] = (s, ps[0].line)

@viahelper exists@
identifier cb.fn;
identifier helper.h;
position p;
@@

fn(...) {
  ... when != mmu_notifier_range_blockable(...)
  h@p(...)
  ... when any
}

@script:python depends on report@
fn << cb.fn;
s << direct.s;
p << direct.p;
@@

coccilib.report.print_report(p[0], msg(fn, s))

@script:python depends on org@
fn << cb.fn;
s << direct.s;
p << direct.p;
@@

coccilib.org.print_todo(p[0], msg(fn, s))

@script:python depends on report@
fn << cb.fn;
h << helper.h;
p << viahelper.p;
@@

s, sline = helper_sleep[(p[0].file, h)]
coccilib.report.print_report(p[0], msg(fn, s, h, sline))

@script:python depends on org@
fn << cb.fn;
h << helper.h;
p << viahelper.p;
@@

s, sline = helper_sleep[(p[0].file, h)]
coccilib.org.print_todo(p[0], msg(fn, s, h, sline))

@depends on context exists@
identifier cb.fn;
identifier direct.s;
position direct.p;
@@

fn(...) {
  ... when != mmu_notifier_range_blockable(...)
* s@p(...)
  ... when any
}

@depends on context exists@
identifier cb.fn;
identifier helper.h;
position viahelper.p;
@@

fn(...) {
  ... when != mmu_notifier_range_blockable(...)
* h@p(...)
  ... when any
}
