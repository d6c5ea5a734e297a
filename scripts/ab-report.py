#!/usr/bin/env python3
"""ab-report.py: compare the arms of one A/B job (scripts/ab.sh).

    ab-report.py [--root DIR] [--md FILE] [--svg FILE] [--previous ABDIR] ABDIR

ABDIR holds meta.txt and one directory per arm with results.tap (the
guest's TAP, "# AB key=value ..." result lines from selftests/bench),
qemu.cmd, series.txt and config.sha256.  Prints the tables on stdout and
writes the Markdown report and an SVG plot.  Standard library only; the
output depends only on ABDIR (and --previous), never on the clock.

Layout follows mmtests' compare-kernels: arms as columns, base first, one
row per metric, counts (exact) before times (median [min..max], n).  A
counter that a kernel lacks is "n/a", never 0.
"""
import argparse
import os
import re
import statistics
import sys

NA = "n/a"
TYPES = ["anon", "swapcache", "madvfree", "shmem", "tmpfs", "thp-anon", "thp-shmem"]
TYPE_DESC = {
    "anon": "private anon",
    "swapcache": "anon in swap cache",
    "madvfree": "MADV_FREE anon",
    "shmem": "shmem (memfd)",
    "tmpfs": "tmpfs file",
    "thp-anon": "THP anon",
    "thp-shmem": "THP shmem",
}
BENCHES = ["pin_counts", "reclaim_wait", "reclaim_nopin", "pin_incremental", "alloc_latency"]
COLORS = {"base": "#777777", "mayfail": "#d95f02", "pin-aware": "#1b9e77"}


# ---------------------------------------------------------------- parsing

def num(v):
    """int, float, or None for n/a / missing."""
    if v is None or v == NA:
        return None
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def parse_tap(path):
    recs, tap = [], {}
    if not os.path.exists(path):
        return recs, tap
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            m = re.match(r"^(not ok|ok) \d+ (\S+)(.*)$", line)
            if m:
                status = m.group(1)
                if "# SKIP" in m.group(3):
                    status = "skip" + m.group(3).split("# SKIP", 1)[1].rstrip()
                tap[m.group(2)] = status
                continue
            if line.startswith("# AB "):
                rec = {}
                for tok in line[5:].split():
                    if "=" in tok:
                        k, v = tok.split("=", 1)
                        rec[k] = v
                recs.append(rec)
    return recs, tap


def read_kv(path):
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    out.setdefault(k, [])
                    out[k].append(v)
    return {k: (v[0] if len(v) == 1 else v) for k, v in out.items()}


def read_text(path, default=""):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


class Arm:
    def __init__(self, abdir, name):
        self.name = name
        d = os.path.join(abdir, name)
        self.recs, self.tap = parse_tap(os.path.join(d, "results.tap"))
        self.series = read_text(os.path.join(d, "series.txt"))
        self.config_sha = read_text(os.path.join(d, "config.sha256"), NA)
        self.qemu = read_text(os.path.join(d, "qemu.cmd"), NA)
        self.summary = read_text(os.path.join(d, "summary"), NA)
        self.meta = next((r for r in self.recs if r.get("stage") == "meta"), {})

    def select(self, bench, **kw):
        return [r for r in self.recs if r.get("bench") == bench
                and all(r.get(k) == v for k, v in kw.items())]

    def params(self, bench):
        p = self.select(bench, stage="params")
        return p[0] if p else {}

    def counts(self, typ):
        return [r for r in self.select("counts", type=typ) if "pass" in r]


# ---------------------------------------------------------------- formatting

def fmt_int(v):
    return NA if v is None else str(v)


def fmt_ms(ns):
    if ns is None:
        return NA
    ms = ns / 1e6
    if ms >= 100:
        return "%.0f" % ms
    if ms >= 10:
        return "%.1f" % ms
    return "%.3g" % ms


def fmt_ratio(r):
    return NA if r is None else "%.3f" % r


def pct_change(base, val):
    if not isinstance(base, (int, float)) or not isinstance(val, (int, float)):
        return ""
    if val == base:
        return " (=)"
    if base == 0:
        return " (new)"
    return " (%+.1f%%)" % (100.0 * (val - base) / base)


def med_range(vals, fmt):
    vals = [v for v in vals if v is not None]
    if not vals:
        return NA
    return "%s [%s..%s] n=%d" % (fmt(statistics.median(vals)), fmt(min(vals)),
                                 fmt(max(vals)), len(vals))


def ssum(vals):
    """Sum, or None if any value is n/a (never turn n/a into 0)."""
    vals = list(vals)
    if not vals or any(v is None for v in vals):
        return None
    return sum(vals)


class Table:
    def __init__(self, title, arms, note=""):
        self.title, self.arms, self.note = title, arms, note
        self.rows = []  # (label, [cell per arm]) or (section, None)

    def section(self, label):
        self.rows.append((label, None))

    def row(self, label, cells):
        self.rows.append((label, cells))

    def row_counts(self, label, values):
        """Exact counts with the change against base (column 0)."""
        base = values[0]
        cells = [fmt_int(values[0])]
        for v in values[1:]:
            cells.append(fmt_int(v) + (pct_change(base, v) if v is not None else ""))
        self.row(label, cells)

    def markdown(self):
        out = ["### " + self.title, ""]
        if self.note:
            out += [self.note, ""]
        out.append("| metric | " + " | ".join(a.name for a in self.arms) + " |")
        out.append("|---|" + "---:|" * len(self.arms))
        for label, cells in self.rows:
            if cells is None:
                out.append("| **%s** |" % label + " |" * len(self.arms))
            else:
                out.append("| %s | %s |" % (label.strip(), " | ".join(cells)))
        return "\n".join(out) + "\n"

    def text(self):
        hdr = ["metric"] + [a.name for a in self.arms]
        body = [[label] + (cells if cells is not None else [""] * len(self.arms))
                for label, cells in self.rows]
        w = [max(len(r[i]) for r in [hdr] + body) for i in range(len(hdr))]
        line = lambda r: "  ".join(c.ljust(w[0]) if i == 0 else c.rjust(w[i])
                                   for i, c in enumerate(r)).rstrip()
        out = [self.title, "=" * len(self.title), line(hdr)]
        for (label, cells), r in zip(self.rows, body):
            out.append(label + ":" if cells is None else line(r))
        return "\n".join(out) + "\n"


# ---------------------------------------------------------------- tables

def counts_table(arms):
    p = next((a.params("counts") for a in arms if a.params("counts")), {})
    passes = p.get("passes", "?")
    t = Table("Counts per reclaim pass, by backing type (exact)", arms,
              "Region %s MiB per type in its own memory cgroup, first half pinned by a "
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
              "(+x%%) is the change against base. The pinned-range rows repeat exactly from "
              "job to job; pages scanned/reclaimed and pgactivate also count a few pages of "
              "the benchmark itself (see Reproducibility)."
              % (p.get("region_mib", "?"), passes))
    for typ in TYPES:
        per = [a.counts(typ) for a in arms]
        if not any(per):
            continue
        setup = [next(iter(a.select("counts", type=typ, stage="setup")), {}) for a in arms]
        t.section(TYPE_DESC[typ])
        t.row("  pinned pages (setup)", [s.get("pinned_pages", NA) for s in setup])
        if typ.startswith("thp"):
            key = "thp_anon" if typ == "thp-anon" else "thp_shmem"
            t.row("  THPs allocated (setup)", [s.get(key, NA) for s in setup])
        if typ == "swapcache":
            t.row("  pages in swap cache (setup)", [s.get("swapcache_pages", NA) for s in setup])

        def passes_of(key):
            return [", ".join(r.get(key, NA) for r in recs) if recs else NA for recs in per]

        def total(key):
            return [ssum(num(r.get(key)) for r in recs) if recs else None for recs in per]

        t.row("  pinned-range invalidations, per pass", passes_of("inval"))
        t.row_counts("  pinned-range invalidations, total", total("inval"))
        t.row_counts("  declined by the subscriber (MAYFAIL)", total("mayfail_declined"))
        if any(v is not None for v in total("pgunmap_pinned_skip")):
            # v1's vm event (6.12); v2 counts nr_pinned in the tracepoints only.
            t.row_counts("  pinned pages skipped (pgunmap_pinned_skip)",
                         total("pgunmap_pinned_skip"))
        if any(v is not None for v in total("nr_pinned")):
            # v2 (7.3): the nr_pinned field of mm_vmscan_lru_shrink_inactive.
            t.row_counts("  pinned pages set aside (nr_pinned, tracepoint)", total("nr_pinned"))
        t.row_counts("  subscriber re-pins (SUBMIT found it stale)", total("repins"))
        t.row_counts("  pages re-pinned (secondary-MMU re-faults)", total("repinned_pages"))
        t.row("  pages reclaimed, per pass", passes_of("reclaimed"))
        t.row_counts("  pages reclaimed, total", total("reclaimed"))
        t.row("  pages scanned, per pass", passes_of("scanned"))
        t.row_counts("  pages scanned, total", total("scanned"))
        t.row_counts("  pgactivate (rotations back to active)", total("pgactivate"))
        t.row_counts("  pgdeactivate", total("pgdeactivate"))
        t.row_counts("  pgrotate_anon+file (scanned, not freed)",
                     [ssum([a, b]) if recs else None for a, b, recs in
                      zip(total("pgrotate_anon"), total("pgrotate_file"), per)])
        t.row_counts("  pgrotated (end-of-writeback rotation)", total("pgrotated"))
        t.row("  young calls on pinned pages, per pass", passes_of("young_pinned"))
        t.row_counts("  young calls on pinned pages, total",
                     total("young_pinned"))
        t.row_counts("  pinned pages in young calls", total("young_pinned_pages"))
        t.row_counts("  young calls, all pages of the mm", total("young"))
        t.row_counts("  thp_split_pmd", total("thp_split_pmd"))
    return t


def ratio_row(t, label, arms, values):
    """A row of median(values[arm]) / median(values[base]) for every arm."""
    base = values[arms[0].name]
    t.row(label, [fmt_ratio(statistics.median(values[a.name]) / statistics.median(base))
                  if values[a.name] and base and statistics.median(base) else NA
                  for a in arms])


def wait_table(arms):
    p = next((a.params("reclaim-wait") for a in arms if a.params("reclaim-wait")), {})
    t = Table("Reclaim cost with a waiting subscriber (bench 1)", arms,
              "%s MiB shmem (memfd) per memory cgroup, %s MiB of it pinned by a subscriber that waits "
              "%s us per invalidation; a run = %s x (dirty the unpinned half, "
              "`memory.reclaim` of it). Control = the same without pin and notifier, "
              "run pairwise in the same boot (alternating order). Times in ms, "
              "median [min..max] n."
              % (p.get("region_mib", "?"), p.get("pinned_mib", "?"), p.get("wait_us", "?"),
                 p.get("rounds", "?")))
    data = {}
    for a in arms:
        runs = a.select("reclaim-wait")
        pin = {r["run"]: r for r in runs if r.get("variant") == "pinned"}
        ctl = {r["run"]: r for r in runs if r.get("variant") == "control"}
        ratios = [num(pin[k]["ns"]) / num(ctl[k]["ns"]) for k in pin
                  if k in ctl and num(ctl[k]["ns"])]
        data[a.name] = (pin, ctl, ratios)
    t.section("counts (per run: median [min..max])")
    t.row("  pinned-range invalidations",
          [med_range([num(r.get("inval")) for r in data[a.name][0].values()], str) for a in arms])
    t.row("  declined by the subscriber (MAYFAIL)",
          [med_range([num(r.get("mayfail_declined")) for r in data[a.name][0].values()], str)
           for a in arms])
    t.row("  pages reclaimed, pinned run",
          [med_range([num(r.get("reclaimed")) for r in data[a.name][0].values()], str) for a in arms])
    t.section("times (ms)")
    t.row("  reclaim time, 50% pinned + waiting subscriber",
          [med_range([num(r["ns"]) for r in data[a.name][0].values()], fmt_ms) for a in arms])
    t.row("  reclaim time, control (no pin)",
          [med_range([num(r["ns"]) for r in data[a.name][1].values()], fmt_ms) for a in arms])
    t.row("  in-boot ratio pinned/control",
          [med_range(data[a.name][2], fmt_ratio) for a in arms])
    t.section("arm/base (different boots: see the noise note)")
    ratio_row(t, "  pinned time, median arm/base", arms,
              {a.name: [num(r["ns"]) for r in data[a.name][0].values()] for a in arms})
    ratio_row(t, "  in-boot ratio, median arm/base", arms,
              {a.name: data[a.name][2] for a in arms})
    return t


def nopin_table(arms):
    p = next((a.params("reclaim-nopin") for a in arms if a.params("reclaim-nopin")), {})
    t = Table("Reclaim without pins: overhead for everyone else (bench 2)", arms,
              "%s MiB private anon + %s MiB tmpfs file per memory cgroup, one "
              "`memory.reclaim` of all of it per run; throughput in pages/s, "
              "median [min..max] n. Calibrated = throughput x (user-space reference "
              "loop time / 100 ms), which factors out the speed of each boot. "
              "Target for pin-aware: >= 0.99 of base."
              % (p.get("anon_mib", "?"), p.get("file_mib", "?")))
    tp, cal = {}, {}
    for a in arms:
        runs = [r for r in a.select("reclaim-nopin") if "run" in r]
        tp[a.name] = [num(r["reclaimed"]) / (num(r["ns"]) / 1e9) for r in runs
                      if num(r.get("ns")) and num(r.get("reclaimed")) is not None]
        cal[a.name] = [num(r["reclaimed"]) / (num(r["ns"]) / 1e9) * num(r["calib_ns"]) / 1e8
                       for r in runs if num(r.get("ns")) and num(r.get("calib_ns"))]
        t_rec = [num(r.get("reclaimed")) for r in runs]
        tp[a.name + "/pages"] = t_rec
    t.row("  pages reclaimed per run (count)",
          [med_range(tp[a.name + "/pages"], str) for a in arms])
    t.row("  throughput (pages/s)", [med_range(tp[a.name], lambda v: "%.0f" % v) for a in arms])
    t.row("  calibrated throughput", [med_range(cal[a.name], lambda v: "%.0f" % v) for a in arms])
    ratio_row(t, "  throughput, median arm/base", arms, tp)
    ratio_row(t, "  calibrated, median arm/base", arms, cal)
    return t


def incr_table(arms):
    p = next((a.params("pin-incremental") for a in arms if a.params("pin-incremental")), {})
    t = Table("The 2020 scenario: pinning a large object page by page (bench 3)", arms,
              "A %s MiB object (private anon as in 2020, and shmem) pinned with USERPTR_EMU_PIN_INCREMENTAL (one GUP call per "
              "page) in a memory cgroup with memory.max = %s; the object's first half is populated and aged first "
              "(the LRU tail), then a %s MiB filler, so the reclaim that the pin loop triggers at the limit meets "
              "the object's own pinned pages first (as in the selftest pin_loop); then SUBMITs until one needs no "
              "re-pin (at most 3). Counts: per run, `a, b, c`; time in ms, median [min..max] n."
              % (p.get("object_mib", "?"),
                 p.get("memory_max") or (p.get("memory_max_mib", "?") + " MiB"),
                 p.get("filler_mib", "?")))
    for backing in ("anon", "shmem"):
        runs = {a.name: [r for r in a.select("pin-incremental", backing=backing) if "run" in r]
                for a in arms}
        if not any(runs.values()):
            continue

        def per_run(key):
            return [", ".join(r.get(key, NA) for r in runs[a.name]) or NA for a in arms]

        t.section("%s object: counts (per run)" % backing)
        t.row("  self-invalidations while pinning", per_run("self_inval"))
        t.row("  ... from the pinning task's own reclaim", per_run("recursive_inval"))
        t.row("  declined by the subscriber (MAYFAIL)", per_run("mayfail_declined"))
        t.row("  object stale after CREATE (1 = yes)", per_run("stale"))
        t.row("  re-pins of the whole object", per_run("repins"))
        t.row("  valid at the end (1 = yes)", per_run("valid"))
        t.row("  pinned pages skipped (pgunmap_pinned_skip)", per_run("pgunmap_pinned_skip"))
        t.section("%s object: times (ms)" % backing)
        t.row("  CREATE (incremental pin)",
              [med_range([num(r.get("create_ns")) for r in runs[a.name]], fmt_ms) for a in arms])
        t.row("  until the object is valid",
              [med_range([num(r.get("valid_ns")) for r in runs[a.name]], fmt_ms) for a in arms])
    return t


def latency_table(arms):
    p = next((a.params("latency") for a in arms if a.params("latency")), {})
    t = Table("Fault latency while reclaim runs over a pinned working set (bench 4)", arms,
              "memory.max %s MiB: %s MiB shmem pinned by a subscriber waiting %s us per "
              "invalidation, %s MiB unpinned, a child looping `memory.reclaim`; the probe "
              "faults fresh memory in the same cgroup. Latency in ms (TSC-timed); n = samples taken "
              "(deadline %s s per kind)."
              % (p.get("memory_max_mib", "?"), p.get("pinned_mib", "?"), p.get("wait_us", "?"),
                 p.get("filler_mib", "?"), p.get("deadline_s", "?")))
    for kind, desc in (("4k", "4 KiB anon faults"), ("thp", "THP faults (MADV_HUGEPAGE)")):
        recs = [next(iter(a.select("latency", kind=kind)), {}) for a in arms]
        t.section(desc)
        t.row("  n", [r.get("n", NA) for r in recs])
        for q in ("p50", "p90", "p99", "max"):
            t.row("  " + q, [fmt_ms(num(r.get(q + "_ns"))) for r in recs])
        t.row_counts("  pinned-range invalidations during the probe",
                     [num(r.get("inval")) for r in recs])
        t.row_counts("  declined by the subscriber (MAYFAIL)",
                     [num(r.get("mayfail_declined")) for r in recs])
        t.row_counts("  subscriber re-pins (SUBMIT before each batch)",
                     [num(r.get("repins")) for r in recs])
        t.row_counts("  SUBMITs retried after -EAGAIN",
                     [num(r.get("submit_eagain")) for r in recs])
        if kind == "thp":
            t.row_counts("  thp_fault_alloc", [num(r.get("thp_fault_alloc")) for r in recs])
            t.row_counts("  thp_fault_fallback", [num(r.get("thp_fault_fallback")) for r in recs])
    return t


def status_table(arms):
    t = Table("Runs", arms)
    t.row("  guest verdict (scripts/verdict.sh)", [a.summary.replace(" ", ", ") for a in arms])
    for b in BENCHES:
        t.row("  " + b, [a.tap.get(b, "missing") for a in arms])
    walls = {a.name: {r.get("bench"): r.get("seconds") for r in a.recs if r.get("stage") == "wall"}
             for a in arms}
    t.row("  benchmark wall time (s)",
          [str(ssum(num(v) for v in walls[a.name].values()) or NA) for a in arms])
    t.row("  pgunmap_pinned_skip in /proc/vmstat",
          [a.meta.get("pgunmap_pinned_skip", NA) for a in arms])
    t.row("  guest CLOCK_MONOTONIC resolution (ns)",
          [a.params("counts").get("clock_res_ns", NA) for a in arms])
    t.row("  TSC for fault latencies (MHz)",
          [next(iter(a.select("latency", stage="clock")), {}).get("tsc_mhz", NA) for a in arms])
    t.row("  emulator built with MAYFAIL", [a.meta.get("mayfail_support", NA) for a in arms])
    t.row("  emulator honour_mayfail", [a.meta.get("honour_mayfail", NA) for a in arms])
    return t


# ---------------------------------------------------------------- reproducibility

# Counts that depend only on what reclaim does to the pinned range: they must
# repeat exactly.  The LRU-wide counters also see the few pages of the
# benchmark process itself and of per-CPU batches, and may move by a little.
STRICT = ["inval", "mayfail_declined", "pgunmap_pinned_skip", "nr_pinned", "repins",
          "repinned_pages", "young_pinned", "young_pinned_pages", "thp_split_pmd"]
LOOSE = ["reclaimed", "scanned", "pgactivate", "pgdeactivate", "pgrotate_anon",
         "pgrotate_file", "young", "pswpout"]


def count_map(arm):
    out = {}
    for r in arm.select("counts"):
        if "pass" in r:
            out[(r["type"], r["pass"])] = r
    return out


def compare_previous(arms, prev, meta):
    if not prev or not os.path.isdir(prev):
        return "No previous job of this mode to compare the counts with."
    pmeta = read_kv(os.path.join(prev, "meta.txt"))
    if pmeta.get("bench_src") != meta.get("bench_src") or pmeta.get("seed") != meta.get("seed"):
        return ("The previous job (%s) ran other benchmark sources or another seed: "
                "counts not compared." % pmeta.get("date", "?"))
    msgs = []
    for a in arms:
        if not os.path.exists(os.path.join(prev, a.name, "results.tap")):
            continue
        old = Arm(prev, a.name)
        if old.series != a.series or old.qemu != a.qemu:
            continue
        cur, was = count_map(a), count_map(old)
        strict_diff = sorted({"%s pass %s %s" % (k[0], k[1], key)
                              for k in set(cur) | set(was) for key in STRICT
                              if cur.get(k, {}).get(key) != was.get(k, {}).get(key)})
        loose = []
        for key in LOOSE:
            d = [abs(num(cur[k].get(key)) - num(was[k].get(key))) for k in cur
                 if k in was and isinstance(num(cur[k].get(key)), int)
                 and isinstance(num(was[k].get(key)), int)]
            if d and max(d):
                loose.append("%s by up to %d" % (key, max(d)))
        m = "%s: " % a.name
        if strict_diff:
            m += "**pinned-range counts differ** (%s)" % ", ".join(strict_diff[:6])
        else:
            m += "pinned-range counts (%s) identical" % ", ".join(STRICT)
        m += "; LRU-wide counts " + ("identical" if not loose else "differ: " + ", ".join(loose))
        msgs.append(m)
    if not msgs:
        return ("The previous job (%s) ran no arm with the same series and QEMU command."
                % pmeta.get("date", "?"))
    return ("Backing-type counts compared with the previous job of this mode (%s, same series, "
            "benchmarks, seed and QEMU command): " % pmeta.get("date", "?") + "; ".join(msgs) + ".")


# ---------------------------------------------------------------- SVG

def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg_plot(arms):
    W, ph, top = 900, 250, 40
    out = []

    def text(x, y, s, size=12, anchor="start", color="#222", weight="normal"):
        out.append('<text x="%.1f" y="%.1f" font-size="%d" text-anchor="%s" fill="%s" '
                   'font-weight="%s">%s</text>' % (x, y, size, anchor, color, weight, esc(s)))

    def rect(x, y, w, h, color):
        out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>'
                   % (x, y, max(w, 0), max(h, 0), color))

    def line(x1, y1, x2, y2, color="#999", width=1):
        out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%s"/>'
                   % (x1, y1, x2, y2, color, width))

    def axis(x0, y0, x1, y1, vmax, label):
        line(x0, y1, x1, y1)
        line(x0, y0, x0, y1)
        for i in range(5):
            v = vmax * i / 4
            y = y1 - (y1 - y0) * i / 4
            line(x0 - 4, y, x0, y)
            text(x0 - 6, y + 4, ("%.3g" % v), 10, "end")
        out.append('<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" '
                   'transform="rotate(-90 %.1f %.1f)">%s</text>'
                   % (x0 - 45, (y0 + y1) / 2, x0 - 45, (y0 + y1) / 2, esc(label)))

    # Legend.
    x = 70
    for a in arms:
        rect(x, 12, 12, 12, COLORS.get(a.name, "#444"))
        text(x + 16, 22, a.name)
        x += 110

    # Panel 1: pinned-range invalidations per backing type (sum over passes).
    y0, y1, x0, x1 = top + 30, top + ph, 80, W - 20
    text(x0, top + 15, "Pinned-range invalidations by reclaim, per backing type "
         "(sum over the passes; exact counts)", 13, weight="bold")
    vals = {}
    for a in arms:
        for typ in TYPES:
            vals[(a.name, typ)] = ssum(num(r.get("inval")) for r in a.counts(typ)) \
                if a.counts(typ) else None
    vmax = max([v for v in vals.values() if v] + [1])
    axis(x0, y0, x1, y1, vmax, "invalidations")
    gw = (x1 - x0) / len(TYPES)
    bw = gw * 0.8 / max(len(arms), 1)
    for i, typ in enumerate(TYPES):
        gx = x0 + i * gw + gw * 0.1
        for j, a in enumerate(arms):
            v = vals[(a.name, typ)]
            bx = gx + j * bw
            if v is None:
                text(bx + bw / 2, y1 - 4, NA, 9, "middle", "#a00")
                continue
            h = (y1 - y0) * v / vmax
            rect(bx, y1 - h, bw - 2, h, COLORS.get(a.name, "#444"))
            text(bx + bw / 2, y1 - h - 3, v, 9, "middle")
        text(x0 + i * gw + gw / 2, y1 + 15, TYPE_DESC[typ], 11, "middle")

    # Panel 2: bench 1, in-boot ratio pinned/control per run (strip plot).
    t2 = y1 + 50
    y0, y1 = t2 + 30, t2 + ph
    xm = W / 2 - 20
    text(x0, t2 + 15, "Bench 1: reclaim time pinned/control, per run (in-boot ratio)",
         13, weight="bold")
    ratios = {}
    for a in arms:
        runs = a.select("reclaim-wait")
        pin = {r["run"]: num(r["ns"]) for r in runs if r.get("variant") == "pinned"}
        ctl = {r["run"]: num(r["ns"]) for r in runs if r.get("variant") == "control"}
        ratios[a.name] = [pin[k] / ctl[k] for k in sorted(pin) if k in ctl and ctl[k]]
    vmax = max([v for r in ratios.values() for v in r] + [1]) * 1.1
    axis(x0, y0, xm, y1, vmax, "pinned / control")
    sw = (xm - x0) / max(len(arms), 1)
    for j, a in enumerate(arms):
        cx = x0 + sw * (j + 0.5)
        rs = ratios[a.name]
        for k, v in enumerate(rs):
            y = y1 - (y1 - y0) * v / vmax
            out.append('<circle cx="%.1f" cy="%.1f" r="4" fill="%s" fill-opacity="0.7"/>'
                       % (cx - 15 + 30 * k / max(len(rs) - 1, 1), y, COLORS.get(a.name, "#444")))
        if rs:
            m = statistics.median(rs)
            y = y1 - (y1 - y0) * m / vmax
            line(cx - 25, y, cx + 25, y, "#000", 2)
            text(cx + 28, y + 4, "%.2f" % m, 10)
        text(cx, y1 + 15, "%s (n=%d)" % (a.name, len(rs)), 11, "middle")

    # Panel 3: bench 4 latency p50/p99 of 4k and THP faults.
    px0 = W / 2 + 80
    text(px0 - 40, t2 + 15, "Bench 4: fault latency p50 / p99 (ms)", 13, weight="bold")
    kinds = [("4k", "p50"), ("4k", "p99"), ("thp", "p50"), ("thp", "p99")]
    lat = {}
    for a in arms:
        for kind, q in kinds:
            r = next(iter(a.select("latency", kind=kind)), {})
            v = num(r.get(q + "_ns"))
            lat[(a.name, kind, q)] = v / 1e6 if v is not None else None
    vmax = max([v for v in lat.values() if v] + [0.001]) * 1.1
    axis(px0, y0, W - 20, y1, vmax, "ms")
    gw = (W - 20 - px0) / len(kinds)
    bw = gw * 0.8 / max(len(arms), 1)
    for i, (kind, q) in enumerate(kinds):
        gx = px0 + i * gw + gw * 0.1
        for j, a in enumerate(arms):
            v = lat[(a.name, kind, q)]
            bx = gx + j * bw
            if v is None:
                text(bx + bw / 2, y1 - 4, NA, 9, "middle", "#a00")
                continue
            h = (y1 - y0) * v / vmax
            rect(bx, y1 - h, bw - 2, h, COLORS.get(a.name, "#444"))
        text(px0 + i * gw + gw / 2, y1 + 15, "%s %s" % (kind, q), 11, "middle")

    H = y1 + 45
    text(x0, H - 10, "TCG (no KVM): times are comparable only as ratios within one boot; "
         "counts are exact.", 11, color="#555")
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
            'viewBox="0 0 %d %d" font-family="sans-serif">\n'
            '<rect width="100%%" height="100%%" fill="white"/>\n%s\n</svg>\n'
            % (W, H, W, H, "\n".join(out)))


# ---------------------------------------------------------------- report

def relpath_cmd(cmd, root):
    if root:
        cmd = cmd.replace(root.rstrip("/") + "/", "")
    return cmd


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("abdir")
    ap.add_argument("--root", default="")
    ap.add_argument("--md")
    ap.add_argument("--svg")
    ap.add_argument("--previous")
    args = ap.parse_args()

    meta = read_kv(os.path.join(args.abdir, "meta.txt"))
    names = meta.get("arms", "").split() or sorted(
        d for d in os.listdir(args.abdir) if os.path.isdir(os.path.join(args.abdir, d)))
    arms = [Arm(args.abdir, n) for n in names]
    if not arms:
        sys.exit("ab-report: no arms in %s" % args.abdir)

    tables = [status_table(arms), counts_table(arms), wait_table(arms), nopin_table(arms),
              incr_table(arms), latency_table(arms)]
    repro = compare_previous(arms, args.previous, meta)
    noise = ("QEMU runs under TCG here (no KVM), about 25x slower than native on "
             "memory paths and sensitive to host load. Times are only meaningful as ratios "
             "measured side by side in one boot (bench 1's pinned/control pairs, bench 2's "
             "calibration loop). Every arm is a different boot, so an arm/base ratio of times "
             "compares different boots: prefer the counts, which are exact and do not depend "
             "on speed. The guest boots with tsc=reliable, so CLOCK_MONOTONIC follows the TSC "
             "(see the resolution row of the Runs table; without it the clocksource watchdog "
             "falls back to 4 ms jiffies under TCG); bench 4 times its faults with the TSC, "
             "calibrated against CLOCK_MONOTONIC over 1 s.")

    for t in tables:
        print(t.text())
    print(repro)
    print("Noise: " + noise)

    if args.md:
        frags = meta.get("fragment", [])
        if isinstance(frags, str):
            frags = [frags]
        svg = os.path.basename(args.svg or "ab-plot.svg")
        md = ["# A/B results: base vs MAYFAIL vs pin-aware (Linux %s)" % meta.get("base", "?"), "",
              "Generated by `make ab` (scripts/ab.sh, scripts/ab-report.py) on %s and "
              "published by `make publish`; do not edit by hand. Methodology: "
              "[benchmarks.md](benchmarks.md). Plot: [%s](%s)." % (meta.get("date", "?"), svg, svg),
              "", "![A/B plot](%s)" % svg, "",
              "## What ran", "",
              "- Mode: %s, seed %s; arms: %s." % (meta.get("mode", "?"), meta.get("seed", "?"),
                                                 ", ".join(a.name for a in arms)),
              "- Base: `%s` (commit `%s`)." % (meta.get("base_pin", "?").strip(),
                                                meta.get("base_commit", "?")),
              "- Config: x86_64 tinyconfig + fragments " + ", ".join(
                  "`%s` (sha256 `%s`)" % tuple(f.split(" ", 1)) for f in frags) + ".",
              "- Host: %s, %s; load average %s at the start, %s at the end; %s; %s." % (
                  meta.get("host_cpu", "?"), meta.get("host_mem", "?"),
                  meta.get("host_load_start", "?"), meta.get("host_load_end", "?"),
                  meta.get("qemu", "?"), meta.get("gcc", "?")),
              ""]
        for a in arms:
            md += ["### Arm `%s`" % a.name, "",
                   "- Kernel in the guest: `%s`; final `.config` sha256 `%s`." % (
                       a.meta.get("kernel", NA), a.config_sha),
                   "- Series (`git log --oneline refs/tags/base..HEAD`):", "", "```",
                   a.series or "(none: the base itself)", "```", "",
                   "- QEMU command (`runs/%s-test-ab/qemu.cmd`):" % a.name, "", "```",
                   relpath_cmd(a.qemu, args.root), "```", ""]
        md += ["## Noise", "", noise, "", "## Reproducibility", "", repro, "",
               "## Results", ""]
        for t in tables:
            md.append(t.markdown())
        md += ["## Raw result lines", "",
               "Every `# AB` line each guest printed (times in ns).", ""]
        for a in arms:
            md += ["<details><summary>%s</summary>" % a.name, "", "```"]
            md += [" ".join("%s=%s" % kv for kv in r.items()) for r in a.recs]
            md += ["```", "", "</details>", ""]
        with open(args.md, "w") as f:
            f.write("\n".join(md))
    if args.svg:
        with open(args.svg, "w") as f:
            f.write(svg_plot(arms))


if __name__ == "__main__":
    main()
