"""The A/B job (scripts/ab.sh): summary.json from a job directory, and the
Markdown report, the SVG plot and the terminal tables from that JSON.

A job directory holds meta.txt and one directory per arm (ARM/) with the
boot's results.tap, qemu.cmd, series.txt, config.sha256 and summary;
ARM.rN/ (N = 2, 3, ...) are repeated boots of the same arm (REPEAT=N of
ab.sh), ARM/suite/ the verdict files of the arm's selftest matrix
(scripts/ab-suite.sh).  Layout follows mmtests' compare-kernels: arms as
columns, base first, one row per metric, counts (exact) before times
(median [min..max], n).  A counter that a kernel lacks is "n/a", never 0.
"""
import glob
import json
import os
import re
import statistics

from . import i915, project, svg, tap, table as T
from .stats import (NA, disjoint, fmt_int, fmt_ms, fmt_ratio, med_range, median, num,
                    pct_change, significant, ssum)

SCHEMA = 1
# What the guest's type names mean (the types themselves and their order
# come from the data: selftests/bench prints them).
TYPE_DESC = {
    "anon": "private anon",
    "swapcache": "anon in swap cache",
    "madvfree": "MADV_FREE anon",
    "shmem": "shmem (memfd)",
    "tmpfs": "tmpfs file",
    "thp-anon": "THP anon",
    "thp-shmem": "THP shmem",
}
# Counts that depend only on what reclaim does to the pinned range, and the
# LRU-wide ones, which also see the pages of the benchmark process itself
# and of per-CPU batches.
STRICT = ["inval", "mayfail_declined", "pgunmap_pinned_skip", "nr_pinned", "repins",
          "repinned_pages", "young_pinned", "young_pinned_pages", "thp_split_pmd"]
LOOSE = ["reclaimed", "scanned", "pgactivate", "pgdeactivate", "pgrotate_anon",
         "pgrotate_file", "young", "pswpout"]
MARK = " *"


# ---------------------------------------------------------------- reading

class Boot:
    def __init__(self, d, root):
        self.dir = os.path.basename(d)
        run = tap.run_dir(d, root)
        s = run["stream"]
        self.recs = s.records if s else []
        self.top = s.top if s else {}
        self.summary = run["summary"]
        self.qemu = run["qemu"]
        self.series = tap.read_text(os.path.join(d, "series.txt"), "")
        self.config_sha = tap.read_text(os.path.join(d, "config.sha256"))
        self.meta = next((r for r in self.recs if r.get("stage") == "meta"), {})

    def select(self, bench, **kw):
        return [r for r in self.recs if r.get("bench") == bench
                and all(r.get(k) == v for k, v in kw.items())]

    def params(self, bench):
        p = self.select(bench, stage="params")
        return p[0] if p else {}

    def counts(self, typ):
        return [r for r in self.select("counts", type=typ) if "pass" in r]


class Arm:
    def __init__(self, jobdir, name, root):
        self.name = name
        dirs = [name] + sorted((d for d in os.listdir(jobdir)
                                if re.fullmatch(re.escape(name) + r"\.r\d+", d)),
                               key=lambda d: int(d.rsplit(".r", 1)[1]))
        self.boots = [Boot(os.path.join(jobdir, d), root) for d in dirs
                      if os.path.isdir(os.path.join(jobdir, d))]
        self.suite = tap.run_dir(os.path.join(jobdir, name, "suite"))
        self.suite_numa = tap.run_dir(os.path.join(jobdir, name, "suite-numa"))

    @property
    def first(self):
        return self.boots[0]

    def select(self, bench, **kw):
        """Records of every boot, each with the index of its boot."""
        return [(i, r) for i, b in enumerate(self.boots) for r in b.select(bench, **kw)]

    def params(self, bench):
        return next((b.params(bench) for b in self.boots if b.params(bench)), {})


def joined(vals):
    """One cell for the values of identical boots: the value, or each boot's
    separated by " / " when they differ."""
    vals = [str(v) for v in vals]
    return vals[0] if len(set(vals)) <= 1 else " / ".join(vals)


def first_params(arms, bench):
    return next((a.params(bench) for a in arms if a.params(bench)), {})


# ---------------------------------------------------------------- tables

class Ctx:
    """What every table needs: the arms and whether the job has repeats."""

    def __init__(self, arms):
        self.arms = arms
        self.cols = [a.name for a in arms]
        self.repeats = min(len(a.boots) for a in arms)

    def counts_row(self, t, label, per_boot, key=None):
        """A row of exact counts, one list of per-boot values per arm, with
        the change against base (column 0) and, with repeats, " *" where it
        exceeds the spread of identical boots of both arms."""
        base = per_boot[0]
        cells, plain, sig = [], [], []
        for i, vals in enumerate(per_boot):
            shown = joined(fmt_int(v) for v in vals) if vals else NA
            if len(set(vals)) > 1:
                shown += " (moves)"
            plain.append(shown)
            cell = shown
            s = None
            if i and vals and any(v is not None for v in vals):
                cell += pct_change(median(base), median(vals))
                s = significant(base, vals)
                if s:
                    cell += MARK
            sig.append(s)
            cells.append(cell)
        r = T.row(t, label, cells, key=key,
                  values=[vals[0] if len(vals) == 1 else vals for vals in per_boot])
        r["plain"] = plain
        r["significant"] = sig
        return r


def counts_table(c, repro, tid="counts",
                 title="Counts per reclaim pass, by backing type (exact)", lead=""):
    arms = c.arms
    p = first_params(arms, "counts")
    if c.repeats >= 2:
        rep = ("%d boots of every arm: a change marked `%s` exceeds the spread of the "
               "identical boots of both arms (mmtests' rule); unmarked changes do not, and "
               "\"(moves)\" marks a count that differs between identical boots (%s)."
               % (c.repeats, MARK.strip(), "per boot, separated by /"))
    else:
        rep = ("No repeat: spread unknown (one boot per arm; `REPEAT=N make ab` boots each "
               "arm N times), so no change is marked significant.")
    t = T.table(tid, title, c.cols,
                lead + "Region %s MiB per type in its own memory cgroup, first half pinned by a "
                "userptr_emu object (mmu_interval_notifier, no wait), %s passes of "
                "`MADV_COLD` of the region (the device's buffer is cold for the CPU), "
                "`memory.reclaim` of half the region (what is reclaimable), SUBMIT, re-read of "
                "the unpinned half. "
                "Young calls: the clear_flush_young / clear_young / test_young callbacks of a "
                "plain mmu_notifier that the emulator registers on the same mm (what KVM or "
                "another secondary MMU receives when reclaim ages a folio through the rmap), "
                "on the pinned pages and in all. "
                "pgrotate_anon/file (7.3 node stats) count pages that reclaim scanned and did "
                "not free, pgrotated the end-of-writeback rotation; n/a where the kernel lacks "
                "the counter. "
                "`a, b, c` = pass 1, 2, 3; other rows are sums over the passes; "
                "(+x%%) is the change against base. Pages scanned/reclaimed, pgactivate and "
                "pgdeactivate are LRU-wide: they also count pages of the benchmark process "
                "itself. %s Job to job: %s"
                % (p.get("region_mib", "?"), p.get("passes", "?"), rep, repro_brief(repro)))
    types = list(dict.fromkeys(r["type"] for a in arms for b in a.boots
                               for r in b.select("counts") if "pass" in r and "type" in r))
    for typ in types:
        if not any(b.counts(typ) for a in arms for b in a.boots):
            continue
        T.section(t, TYPE_DESC.get(typ, typ))

        def setup(key):
            return [joined(next(iter(b.select("counts", type=typ, stage="setup")), {})
                           .get(key, NA) for b in a.boots) for a in arms]

        def passes_of(key):
            return [joined(", ".join(r.get(key, NA) for r in b.counts(typ)) or NA
                           for b in a.boots) for a in arms]

        def total(key):
            return [[ssum(num(r.get(key)) for r in b.counts(typ)) if b.counts(typ) else None
                     for b in a.boots] for a in arms]

        def total_of(keys):
            per = [total(k) for k in keys]
            return [[ssum(v[i][j] for v in per) for j in range(len(a.boots))]
                    for i, a in enumerate(arms)]

        def has(key):
            return any(v is not None for vals in total(key) for v in vals)

        T.row(t, "  pinned pages (setup)", setup("pinned_pages"), key="pinned_pages")
        if typ.startswith("thp"):
            T.row(t, "  THPs allocated (setup)",
                  setup("thp_anon" if typ == "thp-anon" else "thp_shmem"), key="thps")
        if typ == "swapcache":
            T.row(t, "  pages in swap cache (setup)", setup("swapcache_pages"),
                  key="swapcache_pages")
        T.row(t, "  pinned-range invalidations, per pass", passes_of("inval"), key="inval_passes")
        c.counts_row(t, "  pinned-range invalidations, total", total("inval"), "inval")
        c.counts_row(t, "  declined by the subscriber (MAYFAIL)", total("mayfail_declined"),
                     "mayfail_declined")
        if has("pgunmap_pinned_skip"):
            # v1's vm event (6.12); v2 counts nr_pinned in the tracepoints only.
            c.counts_row(t, "  pinned pages skipped (pgunmap_pinned_skip)",
                         total("pgunmap_pinned_skip"), "pgunmap_pinned_skip")
        if has("nr_pinned"):
            # v2 (7.3): the nr_pinned field of mm_vmscan_lru_shrink_inactive.
            c.counts_row(t, "  pinned pages set aside (nr_pinned, tracepoint)",
                         total("nr_pinned"), "nr_pinned")
        c.counts_row(t, "  subscriber re-pins (SUBMIT found it stale)", total("repins"), "repins")
        c.counts_row(t, "  pages re-pinned (secondary-MMU re-faults)", total("repinned_pages"),
                     "repinned_pages")
        T.row(t, "  pages reclaimed, per pass", passes_of("reclaimed"), key="reclaimed_passes")
        c.counts_row(t, "  pages reclaimed, total", total("reclaimed"), "reclaimed")
        T.row(t, "  pages scanned, per pass", passes_of("scanned"), key="scanned_passes")
        c.counts_row(t, "  pages scanned, total", total("scanned"), "scanned")
        c.counts_row(t, "  pgactivate (rotations back to active)", total("pgactivate"),
                     "pgactivate")
        c.counts_row(t, "  pgdeactivate", total("pgdeactivate"), "pgdeactivate")
        c.counts_row(t, "  pgrotate_anon+file (scanned, not freed)",
                     total_of(["pgrotate_anon", "pgrotate_file"]), "pgrotate")
        c.counts_row(t, "  pgrotated (end-of-writeback rotation)", total("pgrotated"), "pgrotated")
        T.row(t, "  young calls on pinned pages, per pass", passes_of("young_pinned"),
              key="young_pinned_passes")
        c.counts_row(t, "  young calls on pinned pages, total", total("young_pinned"),
                     "young_pinned")
        c.counts_row(t, "  pinned pages in young calls", total("young_pinned_pages"),
                     "young_pinned_pages")
        c.counts_row(t, "  young calls, all pages of the mm", total("young"), "young")
        c.counts_row(t, "  thp_split_pmd", total("thp_split_pmd"), "thp_split_pmd")
    t["types"] = types
    return t


def ratio_row(c, t, label, per_boot):
    """median(arm) / median(base) over all runs, per arm; with repeats, " *"
    where the per-boot ratios of the arm and the base's own boot-to-boot
    ratios do not overlap."""
    arms = c.arms
    pooled = {a.name: [v for vals in per_boot[a.name] for v in vals] for a in arms}
    base = pooled[arms[0].name]
    bmed = median(base)
    cells = []
    for a in arms:
        m = median(pooled[a.name])
        if m is None or not bmed:
            cells.append(NA)
            continue
        cell = fmt_ratio(m / bmed)
        if a is not arms[0]:
            s = disjoint([median(v) for v in per_boot[arms[0].name]],
                         [median(v) for v in per_boot[a.name]])
            if s:
                cell += MARK
        cells.append(cell)
    T.row(t, label, cells)


def times_note(c):
    if c.repeats >= 2:
        return ("With %d boots per arm, an arm/base ratio marked `%s` is one where the "
                "per-boot medians of the arm and of base do not overlap." % (c.repeats, MARK.strip()))
    return "Arm/base ratios: no repeat: spread unknown (one boot per arm)."


def wait_table(c):
    arms = c.arms
    p = first_params(arms, "reclaim-wait")
    t = T.table("reclaim-wait", "Reclaim cost with a waiting subscriber (bench 1)", c.cols,
                "%s MiB shmem (memfd) per memory cgroup, %s MiB of it pinned by a subscriber "
                "that waits %s us per invalidation; a run = %s x (dirty the unpinned half, "
                "`memory.reclaim` of it). Control = the same without pin and notifier, "
                "run pairwise in the same boot (alternating order). Times in ms, "
                "median [min..max] n. %s"
                % (p.get("region_mib", "?"), p.get("pinned_mib", "?"), p.get("wait_us", "?"),
                   p.get("rounds", "?"), times_note(c)))
    data = {}
    for a in arms:
        runs = a.select("reclaim-wait")
        pin = {(i, r["run"]): r for i, r in runs if r.get("variant") == "pinned"}
        ctl = {(i, r["run"]): r for i, r in runs if r.get("variant") == "control"}
        ratios = [[num(pin[k]["ns"]) / num(ctl[k]["ns"]) for k in pin
                   if k[0] == i and k in ctl and num(ctl[k]["ns"])] for i in range(len(a.boots))]
        data[a.name] = (pin, ctl, ratios)

    def pins(a, key):
        return [num(r.get(key)) for r in data[a.name][0].values()]
    T.section(t, "counts (per run: median [min..max])")
    T.row(t, "  pinned-range invalidations", [med_range(pins(a, "inval"), str) for a in arms])
    T.row(t, "  declined by the subscriber (MAYFAIL)",
          [med_range(pins(a, "mayfail_declined"), str) for a in arms])
    T.row(t, "  pages reclaimed, pinned run", [med_range(pins(a, "reclaimed"), str) for a in arms])
    T.section(t, "times (ms)")
    T.row(t, "  reclaim time, 50% pinned + waiting subscriber",
          [med_range([num(r["ns"]) for r in data[a.name][0].values()], fmt_ms) for a in arms],
          key="wait_pinned_ns",
          values=[median([num(r["ns"]) for r in data[a.name][0].values()]) for a in arms])
    T.row(t, "  reclaim time, control (no pin)",
          [med_range([num(r["ns"]) for r in data[a.name][1].values()], fmt_ms) for a in arms])
    T.row(t, "  in-boot ratio pinned/control",
          [med_range([v for b in data[a.name][2] for v in b], fmt_ratio) for a in arms],
          key="wait_ratio", values=[median([v for b in data[a.name][2] for v in b]) for a in arms])
    T.section(t, "arm/base (different boots: see the noise note)")
    ratio_row(c, t, "  pinned time, median arm/base",
              {a.name: [[num(r["ns"]) for k, r in data[a.name][0].items() if k[0] == i]
                        for i in range(len(a.boots))] for a in arms})
    ratio_row(c, t, "  in-boot ratio, median arm/base", {a.name: data[a.name][2] for a in arms})
    return t


def nopin_table(c):
    arms = c.arms
    p = first_params(arms, "reclaim-nopin")
    t = T.table("reclaim-nopin", "Reclaim without pins: overhead for everyone else (bench 2)",
                c.cols,
                "%s MiB private anon + %s MiB tmpfs file per memory cgroup, one "
                "`memory.reclaim` of all of it per run; throughput in pages/s, "
                "median [min..max] n. Calibrated = throughput x (user-space reference "
                "loop time / 100 ms), which factors out the speed of each boot. "
                "Target for pin-aware: >= 0.99 of base. %s"
                % (p.get("anon_mib", "?"), p.get("file_mib", "?"), times_note(c)))
    tp, cal, pages = {}, {}, {}
    for a in arms:
        runs = [(i, r) for i, r in a.select("reclaim-nopin") if "run" in r]
        tp[a.name] = [[num(r["reclaimed"]) / (num(r["ns"]) / 1e9) for j, r in runs
                       if j == i and num(r.get("ns")) and num(r.get("reclaimed")) is not None]
                      for i in range(len(a.boots))]
        cal[a.name] = [[num(r["reclaimed"]) / (num(r["ns"]) / 1e9) * num(r["calib_ns"]) / 1e8
                        for j, r in runs if j == i and num(r.get("ns")) and num(r.get("calib_ns"))]
                       for i in range(len(a.boots))]
        pages[a.name] = [num(r.get("reclaimed")) for _, r in runs]

    def flat(d, a):
        return [v for vals in d[a.name] for v in vals]
    T.row(t, "  pages reclaimed per run (count)", [med_range(pages[a.name], str) for a in arms])
    T.row(t, "  throughput (pages/s)", [med_range(flat(tp, a), lambda v: "%.0f" % v) for a in arms])
    T.row(t, "  calibrated throughput", [med_range(flat(cal, a), lambda v: "%.0f" % v) for a in arms])
    ratio_row(c, t, "  throughput, median arm/base", tp)
    ratio_row(c, t, "  calibrated, median arm/base", cal)
    return t


def incr_table(c):
    arms = c.arms
    p = first_params(arms, "pin-incremental")
    t = T.table("pin-incremental",
                "The 2020 scenario: pinning a large object page by page (bench 3)", c.cols,
                "A %s MiB object (private anon as in 2020, and shmem) pinned with "
                "USERPTR_EMU_PIN_INCREMENTAL (one GUP call per "
                "page) in a memory cgroup with memory.max = %s; the object's first half is "
                "populated and aged first "
                "(the LRU tail), then a %s MiB filler, so the reclaim that the pin loop triggers "
                "at the limit meets "
                "the object's own pinned pages first (as in the selftest pin_loop); then SUBMITs "
                "until one needs no "
                "re-pin (at most 3). Counts: per run, `a, b, c`%s; time in ms, median "
                "[min..max] n."
                % (p.get("object_mib", "?"),
                   p.get("memory_max") or (p.get("memory_max_mib", "?") + " MiB"),
                   p.get("filler_mib", "?"),
                   " (boots separated by /)" if c.repeats >= 2 else ""))
    for backing in ("anon", "shmem"):
        runs = {a.name: [(i, r) for i, r in a.select("pin-incremental", backing=backing)
                         if "run" in r] for a in arms}
        if not any(runs.values()):
            continue

        def per_run(key):
            return [joined(", ".join(r.get(key, NA) for j, r in runs[a.name] if j == i) or NA
                           for i in range(len(a.boots))) for a in arms]

        T.section(t, "%s object: counts (per run)" % backing)
        T.row(t, "  self-invalidations while pinning", per_run("self_inval"))
        T.row(t, "  ... from the pinning task's own reclaim", per_run("recursive_inval"))
        T.row(t, "  declined by the subscriber (MAYFAIL)", per_run("mayfail_declined"))
        T.row(t, "  object stale after CREATE (1 = yes)", per_run("stale"))
        T.row(t, "  re-pins of the whole object", per_run("repins"))
        T.row(t, "  valid at the end (1 = yes)", per_run("valid"))
        T.row(t, "  pinned pages skipped (pgunmap_pinned_skip)", per_run("pgunmap_pinned_skip"))
        T.section(t, "%s object: times (ms)" % backing)
        T.row(t, "  CREATE (incremental pin)",
              [med_range([num(r.get("create_ns")) for _, r in runs[a.name]], fmt_ms) for a in arms])
        T.row(t, "  until the object is valid",
              [med_range([num(r.get("valid_ns")) for _, r in runs[a.name]], fmt_ms) for a in arms])
    return t


def latency_table(c):
    arms = c.arms
    p = first_params(arms, "latency")
    t = T.table("latency", "Fault latency while reclaim runs over a pinned working set (bench 4)",
                c.cols,
                "memory.max %s MiB: %s MiB shmem pinned by a subscriber waiting %s us per "
                "invalidation, %s MiB unpinned, a child looping `memory.reclaim`; the probe "
                "faults fresh memory in the same cgroup. Latency in ms (TSC-timed); n = samples "
                "taken (deadline %s s per kind)%s."
                % (p.get("memory_max_mib", "?"), p.get("pinned_mib", "?"), p.get("wait_us", "?"),
                   p.get("filler_mib", "?"), p.get("deadline_s", "?"),
                   "; boots separated by /" if c.repeats >= 2 else ""))
    for kind, desc in (("4k", "4 KiB anon faults"), ("thp", "THP faults (MADV_HUGEPAGE)")):
        recs = [[next(iter(b.select("latency", kind=kind)), {}) for b in a.boots] for a in arms]
        T.section(t, desc)
        T.row(t, "  n", [joined(r.get("n", NA) for r in rs) for rs in recs])
        for q in ("p50", "p90", "p99", "max"):
            T.row(t, "  " + q, [joined(fmt_ms(num(r.get(q + "_ns"))) for r in rs) for rs in recs],
                  key="lat_%s_%s_ns" % (kind, q),
                  values=[median([num(r.get(q + "_ns")) for r in rs
                                  if num(r.get(q + "_ns")) is not None]) for rs in recs])
        for label, key in (("  pinned-range invalidations during the probe", "inval"),
                           ("  declined by the subscriber (MAYFAIL)", "mayfail_declined"),
                           ("  subscriber re-pins (SUBMIT before each batch)", "repins"),
                           ("  SUBMITs retried after -EAGAIN", "submit_eagain")) + (
                ((("  thp_fault_alloc", "thp_fault_alloc"),
                  ("  thp_fault_fallback", "thp_fault_fallback")) if kind == "thp" else ())):
            c.counts_row(t, label, [[num(r.get(key)) for r in rs] for rs in recs])
    return t


def status_table(c):
    arms = c.arms
    t = T.table("runs", "Runs", c.cols)
    T.row(t, "  guest verdict (scripts/verdict.sh)",
          [joined(b.summary.replace(" ", ", ") for b in a.boots) for a in arms])
    benches = list(dict.fromkeys(project.BENCHES + [n for a in arms for b in a.boots
                                                     for n in b.top]))
    for name in benches:
        T.row(t, "  " + name, [joined(b.top.get(name, "missing") for b in a.boots) for a in arms])

    def wall(b):
        v = ssum(num(r.get("seconds")) for r in b.recs if r.get("stage") == "wall")
        return str(v or NA)
    T.row(t, "  benchmark wall time (s)", [joined(wall(b) for b in a.boots) for a in arms])
    T.row(t, "  pgunmap_pinned_skip in /proc/vmstat",
          [joined(b.meta.get("pgunmap_pinned_skip", NA) for b in a.boots) for a in arms])
    T.row(t, "  guest CLOCK_MONOTONIC resolution (ns)",
          [joined(b.params("counts").get("clock_res_ns", NA) for b in a.boots) for a in arms])
    T.row(t, "  TSC for fault latencies (MHz)",
          [joined(next(iter(b.select("latency", stage="clock")), {}).get("tsc_mhz", NA)
                  for b in a.boots) for a in arms])
    T.row(t, "  emulator built with MAYFAIL",
          [joined(b.meta.get("mayfail_support", NA) for b in a.boots) for a in arms])
    T.row(t, "  emulator honour_mayfail",
          [joined(b.meta.get("honour_mayfail", NA) for b in a.boots) for a in arms])
    return t


# userptr_selfinval's scenarios, as it names them in its result lines.
SELFINVAL = [("pin_loop", "pin", "the 2020 pin loop at the memcg limit, pinning object"),
             ("pin_loop", "get", "the same, FOLL_GET object (never declines)"),
             ("pageout_shmem", "pin", "MADV_PAGEOUT of pinned shmem, pinning object"),
             ("pageout_shmem", "get", "the same, FOLL_GET object (never declines)")]


def subscriber_table(arms):
    """What a subscriber that declines saw, per arm: the result lines of
    userptr_selfinval (the userptr_emu object; on mayfail it declines the
    may-fail invalidations of pinning objects) in each arm's suite boot.
    None when no suite boot has them."""
    recs = {}
    for a in arms:
        st = (a.suite or {}).get("stream")
        for r in (st.result_records if st else []):
            if r.get("scenario") in {s for s, _, _ in SELFINVAL}:
                recs.setdefault((a.name, r["scenario"], r.get("pin")), r)
    if not recs:
        return None
    t = T.table("subscriber", "A subscriber that declines: the userptr emulator in the selftests",
                [a.name for a in arms],
                "From `userptr_selfinval` in each arm's suite boot (Selftests per arm): a "
                "userptr_emu object (mmu_interval_notifier) over shmem, pinned with FOLL_PIN or "
                "referenced with FOLL_GET. On mayfail it declines the may-fail invalidations of "
                "a pinning object (no mmu_interval_set_seq(), so not stale), so MAYFAIL's row is "
                "measured here rather than assumed; `pin_reclaim`'s mirror (test_hmm) never "
                "declines, so its mayfail expectations are base's. Invalidations: calls of the "
                "object's notifier; stale: its sequence moved, so the driver must re-pin; "
                "mapped: pages the CPU still maps afterwards.")
    for scen, pin, label in SELFINVAL:
        if not any((a.name, scen, pin) in recs for a in arms):
            continue
        T.section(t, label)

        def val(a, key):
            v = recs.get((a.name, scen, pin), {}).get(key)
            return int(v) if v is not None and v.lstrip("-").isdigit() else None
        T.row(t, "  pages", [fmt_int(val(a, "npages")) if val(a, "npages") is not None else NA
                             for a in arms])
        for key, lab, k in (("invalidations", "invalidations", "inval"),
                            ("mayfail_declined", "declined (MAYFAIL)", None),
                            ("stale", "stale (sequence moved)", None),
                            ("present", "pages mapped afterwards", None),
                            ("mismatch", "data mismatches", None)):
            vals = [val(a, key) for a in arms]
            if all(v is None for v in vals):
                continue
            T.row(t, "  " + lab, [fmt_int(v) if v is not None else NA for v in vals],
                  key=k, values=vals if k else None)
    return t


def suite_table(arms, attr="suite"):
    """The selftest matrix (scripts/ab-suite.sh): one row per test binary,
    from each arm's verdict (binaries.tsv, console.bad) of its suite boot
    (attr "suite") or of its boot on tiered NUMA nodes ("suite_numa"); None
    when no arm ran it."""
    if not any(getattr(a, attr, None) and getattr(a, attr)["binaries"] is not None
               for a in arms):
        return None
    names, cells = [], {}
    for a in arms:
        suite = getattr(a, attr)
        for name, n, p, f, sk in suite["binaries"] or []:
            if name not in names:
                names.append(name)
            r = "FAIL" if f else ("ok" if p else "skip")
            why = ", ".join(x for x in ("%d failed" % f if f else "",
                                        "%d skipped" % sk if sk else "") if x)
            if n > 1 and why:
                r += " (%s of %d)" % (why, n)
            cells[(name, a.name)] = r
        clean = suite["console_clean"]
        cells[("console", a.name)] = NA if clean is None else ("clean" if clean else "FAIL")
    return {"columns": [a.name for a in arms],
            "rows": [[n] + [cells.get((n, a.name), NA) for a in arms] for n in names + ["console"]]}


# ---------------------------------------------------------------- reproducibility

def count_map(boot):
    return {(r["type"], r["pass"]): r for r in boot.select("counts") if "pass" in r}


def diff_counts(cur, was):
    """What moved between two boots of the same arm: the pinned-range counts
    that differ (TYPE pass N KEY) and, per LRU-wide key, the largest move."""
    cur, was = count_map(cur), count_map(was)
    strict = sorted({"%s pass %s %s" % (k[0], k[1], key)
                     for k in set(cur) | set(was) for key in STRICT
                     if cur.get(k, {}).get(key) != was.get(k, {}).get(key)})
    loose = []
    for key in LOOSE:
        d = [abs(num(cur[k].get(key)) - num(was[k].get(key))) for k in cur
             if k in was and isinstance(num(cur[k].get(key)), int)
             and isinstance(num(was[k].get(key)), int)]
        if d and max(d):
            loose.append([key, max(d)])
    return {"strict": strict, "loose": loose}


def within_job(arms):
    """Identical boots of one arm in this job (REPEAT=N): what moved."""
    out = []
    for a in arms:
        for b in a.boots[1:]:
            out.append(dict(arm=a.name, boots=[a.first.dir, b.dir], **diff_counts(b, a.first)))
    return out


def compare_previous(arms, prev, meta, root):
    if not prev or not os.path.isdir(prev):
        return {"status": "none"}
    pmeta = tap.read_kv(os.path.join(prev, "meta.txt"))
    r = {"date": pmeta.get("date", "?")}
    if pmeta.get("bench_src") != meta.get("bench_src") or pmeta.get("seed") != meta.get("seed"):
        return dict(r, status="incompatible")
    r["arms"] = []
    for a in arms:
        if not os.path.exists(os.path.join(prev, a.name, "results.tap")):
            continue
        old = Boot(os.path.join(prev, a.name), root)
        if old.series != a.first.series or old.qemu != a.first.qemu:
            continue
        r["arms"].append(dict(arm=a.name, **diff_counts(a.first, old)))
    return dict(r, status="compared" if r["arms"] else "no-match")


def describe_diff(d):
    m = "%s: " % d["arm"]
    if d["strict"]:
        m += "**pinned-range counts differ** (%s)" % ", ".join(d["strict"][:6])
    else:
        m += "pinned-range counts (%s) identical" % ", ".join(STRICT)
    m += "; LRU-wide counts " + ("identical" if not d["loose"] else "differ: " + ", ".join(
        "%s by up to %d" % tuple(x) for x in d["loose"]))
    return m


def repro_text(repro):
    prev = repro["previous"]
    out = []
    if repro["within"]:
        out.append("Identical boots of the same arm in this job: " + "; ".join(
            describe_diff(d) + " (%s vs %s)" % tuple(reversed(d["boots"]))
            for d in repro["within"]) + ".")
    else:
        out.append("No repeat in this job: spread unknown (one boot per arm).")
    if prev["status"] == "none":
        out.append("No previous job of this mode to compare the counts with.")
    elif prev["status"] == "incompatible":
        out.append("The previous job (%s) ran other benchmark sources or another seed: "
                   "counts not compared." % prev["date"])
    elif prev["status"] == "no-match":
        out.append("The previous job (%s) ran no arm with the same series and QEMU command."
                   % prev["date"])
    else:
        out.append("Backing-type counts compared with the previous job of this mode (%s, same "
                   "series, benchmarks, seed and QEMU command): " % prev["date"] +
                   "; ".join(describe_diff(d) for d in prev["arms"]) + ".")
    return " ".join(out)


def repro_brief(repro):
    """One computed sentence for the counts table: what the data says about
    whether the pinned-range rows repeat (never more)."""
    def says(diffs):
        moved = sorted({d["arm"] for d in diffs if d["strict"]})
        same = sorted({d["arm"] for d in diffs} - set(moved))
        return " and ".join(x for x in (
            "repeated exactly for %s" % ", ".join(same) if same else "",
            "moved for %s" % ", ".join(moved) if moved else "") if x)
    parts = []
    if repro["within"]:
        parts.append("between the identical boots of this job the pinned-range rows "
                     + says(repro["within"]))
    prev = repro["previous"].get("arms") or []
    if prev:
        parts.append("against the previous job the pinned-range rows " + says(prev))
    if not parts:
        return "the pinned-range rows were not compared with another boot (see Reproducibility)."
    return "; ".join(parts) + " (see Reproducibility)."


# ---------------------------------------------------------------- summary

def accel_of(arms):
    acc = set()
    for a in arms:
        for b in a.boots:
            m = re.search(r"-accel (\w+)", b.qemu)
            acc.add(m.group(1) if m else "?")
    return sorted(acc)


def noise_text(arms):
    acc = accel_of(arms)
    tsc = all("tsc=reliable" in b.qemu for a in arms for b in a.boots)
    if acc == ["tcg"]:
        how = ("QEMU ran under TCG (`-accel tcg` in every QEMU command above): an emulated "
               "CPU, whose speed follows the host's load (load averages above).")
    else:
        how = "QEMU ran with `-accel %s`." % "/".join(acc)
    return (how + " Times are only meaningful as ratios measured side by side in one boot "
            "(bench 1's pinned/control pairs, bench 2's calibration loop). Every arm is a "
            "different boot, so an arm/base ratio of times compares different boots: prefer "
            "the counts, which do not depend on speed. " +
            ("The guest booted with tsc=reliable (CLOCK_MONOTONIC follows the TSC); the Runs "
             "table shows the measured resolution. " if tsc else
             "The Runs table shows the measured CLOCK_MONOTONIC resolution. ") +
            "Bench 4 times its faults with the TSC, calibrated against CLOCK_MONOTONIC over 1 s.")


def plot_data(arms, types):
    inval = {a.name: {typ: (ssum(num(r.get("inval")) for r in a.first.counts(typ))
                            if a.first.counts(typ) else None) for typ in types} for a in arms}
    ratios = {}
    for a in arms:
        runs = a.first.select("reclaim-wait")
        pin = {r["run"]: num(r["ns"]) for r in runs if r.get("variant") == "pinned"}
        ctl = {r["run"]: num(r["ns"]) for r in runs if r.get("variant") == "control"}
        ratios[a.name] = [pin[k] / ctl[k] for k in sorted(pin) if k in ctl and ctl[k]]
    lat = {}
    for a in arms:
        for kind in ("4k", "thp"):
            r = next(iter(a.first.select("latency", kind=kind)), {})
            for q in ("p50", "p99"):
                v = num(r.get(q + "_ns"))
                lat.setdefault(a.name, {})["%s %s" % (kind, q)] = v / 1e6 if v is not None else None
    return {"types": [[t, TYPE_DESC.get(t, t)] for t in types], "inval": inval,
            "wait_ratios": ratios, "latency_ms": lat,
            "colors": {a.name: project.color(a.name) for a in arms},
            "accel": accel_of(arms)}


# The rest of make ab's matrix: one boot per arm each on the same kernels,
# in SET/ARM/ of the job (scripts/ab.sh): set -> (title, what differs).
SETS = {
    "mglru": ("Counts per reclaim pass, multi-gen LRU on (exact)",
              "The same benchmarks on the same kernels, each booted again with the multi-gen "
              "LRU switched on (`LRU_GEN=y`: the guest writes `y` to "
              "/sys/kernel/mm/lru_gen/enabled before the benchmarks; job directory mglru/). "),
    "virtio": ("Counts per reclaim pass, swap on a virtio disk (exact)",
               "The same benchmarks on the same kernels, each booted again with swap on a "
               "virtio-blk disk instead of zram (`SWAP=virtio`; job directory virtio/): swap-in "
               "from zram frees the swap cache, so only here the swap-cache type has its pages "
               "in the swap cache. "),
}


def set_table(jobdir, names, root, name):
    """The counts table of the job's boots in SET/ARM/, or None."""
    d = os.path.join(jobdir, name)
    if not os.path.isdir(d):
        return None
    arms = [a for a in (Arm(d, n, root) for n in names) if a.boots]
    if not arms:
        return None
    title, lead = SETS[name]
    return counts_table(Ctx(arms), {"within": within_job(arms), "previous": {"status": "none"}},
                        "counts-" + name, title, lead)


# The pinned-range rows that show the problem and the fix on every base.
BASES_KEYS = [("inval", "pinned-range invalidations"),
              ("mayfail_declined", "declined by the subscriber (MAYFAIL)"),
              ("skipped", "pinned pages skipped (6.12: pgunmap_pinned_skip; 7.3: nr_pinned)"),
              ("repinned_pages", "pages re-pinned (secondary-MMU re-faults)"),
              ("reclaimed", "pages reclaimed")]


def counts_by_type(t):
    """{type label: {key: [value per column]}} of a counts table's rows."""
    out, sec = {}, None
    for r in t["rows"]:
        if r.get("section"):
            sec = out.setdefault(r["label"], {})
        elif sec is not None and r.get("key") and "values" in r:
            key = "skipped" if r["key"] in ("nr_pinned", "pgunmap_pinned_skip") else r["key"]
            sec[key] = r["values"]
    return out


def bases_table(base, tables, others):
    """The pinned-range counts of this job (its tables) beside those of other
    bases' published jobs (their summary JSON): one column per base and arm,
    totals over the passes. The swap-cache type comes from a job's virtio set
    where it has one: swap-in from zram leaves no folio in the swap cache."""
    jobs = [(b, s) for b, s in others] + [(base, {"tables": tables, "meta": {}})]
    cols, data, virtio = [], [], []
    for b, s in sorted(jobs, key=lambda j: [int(x) for x in j[0].split(".") if x.isdigit()]):
        t = next((t for t in s["tables"] if t.get("id") == "counts"), None)
        if not t:
            continue
        per = counts_by_type(t)
        v = next((v for v in s["tables"] if v.get("id") == "counts-virtio"), None)
        sc = TYPE_DESC["swapcache"]
        if v and v["columns"] == t["columns"] and sc in counts_by_type(v):
            per[sc] = counts_by_type(v)[sc]
            virtio.append(b)
        for i, arm in enumerate(t["columns"]):
            cols.append("%s %s" % (b, arm))
            data.append({typ: {k: (v[i] if isinstance(v[i], int) or v[i] is None
                                   else v[i][0]) for k, v in keys.items()}
                         for typ, keys in per.items()})
    srcs = ", ".join("%s: `%s` (%s)" % (b, s.get("path", "?"), s.get("meta", {}).get("date", "?"))
                     for b, s in others)
    t = T.table("bases", "The pinned-range counts on each base (totals over the passes)", cols,
                "This job's counts beside those of the published job of each other base "
                "(%s), so the problem and the fix can be seen to carry over. Each base runs "
                "its own series (6.12: v1, 7.3: v2) and its own benchmark sources; n/a where a "
                "kernel lacks the counter.%s" % (srcs, " The %s rows of %s come from the boots "
                "with swap on virtio (swap-in from zram leaves no folio in the swap cache); the "
                "other rows from those with zram." % (TYPE_DESC["swapcache"], ", ".join(virtio))
                if virtio else ""))
    types = list(dict.fromkeys(typ for d in data for typ in d))
    for typ in types:
        T.section(t, typ)
        for key, label in BASES_KEYS:
            vals = [d.get(typ, {}).get(key) for d in data]
            if all(v is None for v in vals):
                continue
            T.row(t, "  " + label, [fmt_int(v) if v is not None else NA for v in vals],
                  key=key, values=vals)
    return t


# Rows where lower is better for the arm, by key: what MAYFAIL and pin-aware
# are compared on (declined invalidations and set-aside pages are how each
# works, not a cost; pages reclaimed depend on the request).
LOWER = ["inval", "repins", "repinned_pages", "scanned", "pgactivate", "pgrotate",
         "young_pinned", "young_pinned_pages", "young", "thp_split_pmd", "wait_pinned_ns",
         "wait_ratio"] + ["lat_%s_%s_ns" % (k, q) for k in ("4k", "thp")
                          for q in ("p50", "p90", "p99", "max")]


def fmt_key(key, v):
    if v is None:
        return NA
    if key.endswith("_ns"):
        return fmt_ms(v)
    if key == "wait_ratio":
        return fmt_ratio(v)
    return fmt_int(v)


def ahead_table(tables, a="mayfail", b="pin-aware"):
    """Every compared row on which arms a and b differ, each with the one that
    is ahead (lower), from the other tables' row values: where MAYFAIL is
    ahead is said as plainly as where pin-aware is. None without both arms."""
    t = T.table("ahead", "Where MAYFAIL and pin-aware differ (lower is better on every row)",
                [a, b, "ahead", "significant"],
                "Computed from the rows above that carry values (counts: totals over the passes; "
                "times: medians over the runs), for every row where lower is better: "
                "invalidations, re-pins, re-faults, scans, rotations, young calls, PMD splits, "
                "bench 1's reclaim time and ratio, bench 4's fault latencies. Declined "
                "invalidations (MAYFAIL's mechanism) and set-aside pages (pin-aware's) are how "
                "each arm works, not a cost, and are left out. `significant` is what the repeats "
                "say about the two arms (`yes`/`no`), `-` without repeats, and for times, which "
                "come from different boots (see Noise).")
    n = 0
    for src in tables:
        if a not in src["columns"] or b not in src["columns"]:
            continue
        ia, ib = src["columns"].index(a), src["columns"].index(b)
        sec, shown = None, None
        for r in src["rows"]:
            if r.get("section"):
                sec = r["label"]
                continue
            if r.get("key") not in LOWER or not isinstance(r.get("values"), list):
                continue
            la, lb = ([v] if not isinstance(v, list) else v
                      for v in (r["values"][ia], r["values"][ib]))
            if any(v is None for v in la + lb):
                continue
            va, vb = median(la), median(lb)
            if va == vb:
                continue
            if shown != (src["title"], sec):
                T.section(t, "%s%s" % (src["title"], ": " + sec if sec else ""))
                shown = (src["title"], sec)
            sig = None if r["key"].endswith("_ns") or r["key"] == "wait_ratio" \
                else significant(la, lb)
            T.row(t, r["label"], [fmt_key(r["key"], va), fmt_key(r["key"], vb),
                                  a if va < vb else b,
                                  "-" if sig is None else ("yes" if sig else "no")],
                  key=r["key"], values=[va, vb])
            n += 1
    if not n:
        return None
    won = [r for r in t["rows"] if not r.get("section") and r["cells"][2] == a]
    t["note"] += (" %s is ahead on %d of the %d rows that differ, %s on the others "
                  "(cells are rounded; the ahead column compares the exact values)."
                  % (a, len(won), n, b))
    return t


def summarize(jobdir, previous=None, root="", other_bases=()):
    meta = tap.read_kv(os.path.join(jobdir, "meta.txt"))
    names = meta.get("arms", "").split() or sorted(
        d for d in os.listdir(jobdir) if os.path.isdir(os.path.join(jobdir, d))
        and not re.search(r"\.r\d+$", d))
    arms = [Arm(jobdir, n, root) for n in names]
    arms = [a for a in arms if a.boots]
    if not arms:
        raise SystemExit("report: no arms in %s" % jobdir)
    c = Ctx(arms)
    repro = {"within": within_job(arms), "previous": compare_previous(arms, previous, meta, root)}
    counts = counts_table(c, repro)
    tables = [status_table(c), counts]
    for name in SETS:
        t = set_table(jobdir, [a.name for a in arms], root, name)
        if t:
            tables.append(t)
    if other_bases:
        tables.append(bases_table(meta.get("base", "?"), list(tables), other_bases))
    tables += [wait_table(c), nopin_table(c), incr_table(c), latency_table(c)]
    sub = subscriber_table(arms)
    if sub:
        tables.append(sub)
    ahead = ahead_table([t for t in tables if t["id"] != "bases"])
    if ahead:
        tables.append(ahead)
    frags = meta.get("fragment", [])
    return {
        "schema": SCHEMA, "kind": "ab", "meta": meta,
        "fragments": [frags] if isinstance(frags, str) else frags,
        "repeats": c.repeats,
        "arms": [{"name": a.name, "boots": [{
            "dir": b.dir, "kernel": b.meta.get("kernel", NA), "config_sha256": b.config_sha,
            "series": b.series, "qemu": b.qemu, "summary": b.summary, "tap": b.top,
            # The "# AB" lines as the guest printed them (key=value ...).
            "records": [" ".join("%s=%s" % kv for kv in r.items()) for r in b.recs]}
            for b in a.boots]} for a in arms],
        "noise": noise_text(arms),
        "reproducibility": repro,
        "reproducibility_text": repro_text(repro),
        "tables": tables,
        "suite": suite_table(arms),
        "suite_numa": suite_table(arms, "suite_numa"),
        "i915_mock": i915_mock(jobdir),
        "plot": plot_data(arms, counts["types"]),
    }


def i915_mock(jobdir):
    """The summary of the job's i915 mock selftest (make ab I915_MOCK=1 writes
    i915-mock-results-BASE.json into the job), or None."""
    for f in sorted(glob.glob(os.path.join(jobdir, "i915-mock-results-*.json"))):
        with open(f) as fh:
            return json.load(fh)
    return None


# ---------------------------------------------------------------- rendering

def render_text(s):
    out = [T.text(t) for t in s["tables"]]
    out.append(s["reproducibility_text"])
    out.append("Noise: " + s["noise"])
    return "\n".join(out)


def suite_note(variant):
    return ("Each arm booted with the workbench's own tests of the guest suite "
            "(`scripts/ab-suite.sh`), judged against its own expectations (the per-arm table "
            "in selftests/mm/pin_reclaim.c); the base tree's own mm selftests, the regression "
            "oracle, run per arm with the multi-gen LRU off and on in `make reliability`. A cell is "
            "`ok`, `skip` or `FAIL` for the binary, with how many of its own results "
            "(kselftest subtests) failed or skipped; a skip is not a pass. `console` is clean "
            "when the kernel printed no warning, BUG, lockdep or KASAN report. Logs: "
            "runs/ARM-%s-ab-suite/ (results.tsv: every result)." % variant)


def suite_markdown(suite):
    return T.md_grid(["test"] + suite["columns"], suite["rows"],
                     ["---"] * (len(suite["columns"]) + 1))


def render_markdown(s, svg_name):
    meta = s["meta"]
    arms = s["arms"]
    variant = meta.get("variant", "test")
    title = " vs ".join(a["name"] for a in arms)     # the job's arms, base first
    md = ["# A/B results: %s (Linux %s)" % (title, meta.get("base", "?")), "",
          "Generated by `make ab` (scripts/ab.sh, scripts/report) on %s and "
          "published by `make publish`; do not edit by hand. Methodology: "
          "[benchmarks.md](benchmarks.md). Plot: [%s](%s). Machine-readable: "
          "summary.json of the job, published as the `.json` of this file."
          % (meta.get("date", "?"), svg_name, svg_name),
          "", "![A/B plot](%s)" % svg_name, "",
          "## What ran", "",
          "- Mode: %s, seed %s; arms: %s; boots per arm: %d." % (
              meta.get("mode", "?"), meta.get("seed", "?"), ", ".join(a["name"] for a in arms),
              s["repeats"]),
          "- Base: `%s` (commit `%s`)." % (meta.get("base_pin", "?").strip(),
                                            meta.get("base_commit", "?")),
          "- Config: x86_64 tinyconfig + fragments " + ", ".join(
              "`%s` (sha256 `%s`)" % tuple(f.split(" ", 1)) for f in s["fragments"]) + ".",
          "- Host: %s, %s; load average %s at the start, %s at the end; %s; %s." % (
              meta.get("host_cpu", "?"), meta.get("host_mem", "?"),
              meta.get("host_load_start", "?"), meta.get("host_load_end", "?"),
              meta.get("qemu", "?"), meta.get("gcc", "?")),
          ""]
    for a in arms:
        b = a["boots"][0]
        md += ["### Arm `%s`" % a["name"], "",
               "- Kernel in the guest: `%s`; final `.config` sha256 `%s`." % (
                   b["kernel"], b["config_sha256"]),
               "- Series (`git log --oneline refs/tags/base..HEAD`):", "", "```",
               b["series"] or "(none: the base itself)", "```", "",
               "- QEMU command (`runs/%s-%s-ab/qemu.cmd`):" % (a["name"], variant), "", "```",
               b["qemu"], "```", ""]
    md += ["## Noise", "", s["noise"], "", "## Reproducibility", "",
           s["reproducibility_text"], "", "## Results", ""]
    for t in s["tables"]:
        md.append(T.markdown(t))
    if s.get("suite"):
        md += ["## Selftests per arm", "", suite_note(variant), ""] + suite_markdown(s["suite"]) + [""]
    if s.get("suite_numa"):
        md += ["## Demotion and migration per arm (two NUMA nodes in tiers)", "",
               "Each arm booted again with two NUMA nodes, node 1 CPU-less and in a lower memory "
               "tier (`NUMA=tiers`), for the tests that need them: `pin_demote` (reclaim demotes "
               "to node 1; per-arm expectations as in the suite) and the upstream `migration` "
               "test. Logs: runs/ARM-%s-ab-numa/." % variant, ""] + \
            suite_markdown(s["suite_numa"]) + [""]
    md += ["## i915 userptr mock selftest per arm", ""]
    if s.get("i915_mock"):
        md += ["Each arm plus `patches/i915-mock` in the `i915` variant, one boot: MADV_PAGEOUT of "
               "a pinned userptr object (private anon, then shmem), judged by the arm's "
               "expectation E (1: reclaim invalidates the pinned shmem range; 0: it does not); "
               "see [i915.md](i915.md).", ""] + i915.grid(s["i915_mock"]) + [""]
    else:
        md += ["Not run in this job: `make ab I915_MOCK=1` runs it on every arm (an i915 build "
               "per arm), `make i915-mock` on its own; see [i915.md](i915.md).", ""]
    md += ["## Raw result lines", "",
           "Every `# AB` line each guest printed (times in ns).", ""]
    for a in arms:
        for b in a["boots"]:
            md += ["<details><summary>%s</summary>" % b["dir"], "", "```"]
            md += b["records"]
            md += ["```", "", "</details>", ""]
    return "\n".join(md)


def render_svg(s):
    return svg.plot(s["plot"])
