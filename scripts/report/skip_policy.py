"""The skip_policy benchmark (selftests/bench/skip_policy.c, make
skip-policy): NAME.json from one run directory, NAME.md from that JSON.

Counts are totals over the benchmark's passes; the time column is the
ratio to policy 0 (activate) for the same backing and request, measured in
the same boot, which is the only way TCG timings mean anything.  Policies
0 and 1 run twice in the boot (the "(again)" rows): the spread between two
identical runs, against which a keep/activate difference is judged.
"""
import os
import time

from . import tap
from . import table as T
from .stats import median, significant

SCHEMA = 1
FIELDS = ["skips", "scanned", "reclaimed", "pgactivate", "pgdeactivate",
          "invalidations", "hot_lost", "eagain"]
HEADS = {"skips": "pinned met", "invalidations": "invalidations"}
KEEP_FIELDS = ["skips", "scanned", "reclaimed", "pgactivate", "hot_lost", "time"]
MARK = " *"


def parse(records):
    totals, passes, params = [], {}, {}
    nopin = {"runs": [], "total": {}, "params": {}}
    for kv in records:
        if kv.get("bench") != "policy":
            continue
        stage = kv.get("stage")
        if stage == "params":
            params = kv
        elif stage == "nopin":
            nopin["runs"].append(kv)
        elif stage == "nopin-total":
            nopin["total"] = kv
        elif stage == "nopin-params":
            nopin["params"] = kv
        elif stage == "total":
            totals.append(kv)
        elif stage is None and "pass" in kv:
            # Per-pass lines; a repeated policy comes after its first run.
            key = (kv["type"], kv["policy"], kv["ask"])
            runs = passes.setdefault(key, [[]])
            if any(p["pass"] == kv["pass"] for p in runs[-1]):
                runs.append([])
            runs[-1].append(kv)
    return params, totals, passes, nopin


def pass_ratios(passes, t, ask):
    """min and max over the passes of reclaim time / policy 0's, same pass."""
    key = (t["type"], t["policy"].rstrip("r"), ask)
    runs = passes.get(key, [])
    mine = runs[-1 if t["policy"].endswith("r") else 0] if runs else []
    base = passes.get((t["type"], "0", ask), [[]])[0]
    by_pass = {p["pass"]: int(p["reclaim_ns"]) for p in base}
    r = [int(p["reclaim_ns"]) / by_pass[p["pass"]] for p in mine if by_pass.get(p["pass"])]
    return [min(r), max(r)] if r else None


def num(t, f):
    v = t.get(f, "n/a")
    return int(v) if v.lstrip("-").isdigit() else None


def val(t, f):
    return int(t["reclaim_ns"]) if f == "time" else num(t, f)


def summarize(run, root="", date=None):
    stream = tap.read_stream(os.path.join(run, "results.tap"))
    params, totals, passes, nopin = parse(stream.records if stream else [])
    if not totals:
        raise SystemExit("error: no 'AB bench=policy stage=total' lines in %s/results.tap" % run)
    run = os.path.abspath(run)
    # build/deb-<kernel version>/runs/RUN: the kernel the run booted.
    kver = os.path.basename(os.path.dirname(os.path.dirname(run))).removeprefix("deb-")
    if date is None:
        # The run's date (of its data, so regenerating gives the same file).
        date = time.strftime("%Y-%m-%d %H:%M UTC",
                             time.gmtime(os.stat(os.path.join(run, "results.tap")).st_mtime))
    region = int(params.get("region_mib", 0) or 0)
    npass = int(params.get("passes", 0) or 0)
    pinned_pages = region * 256 // 2

    def per_page(t):
        sk = num(t, "skips")
        return (sk / (pinned_pages * npass)) if sk is not None and pinned_pages and npass else None
    base_ns = {(t["type"], t["ask"]): int(t["reclaim_ns"]) for t in totals if t["policy"] == "0"}
    by_policy = {(t["type"], t["ask"], t["policy"]): t for t in totals}
    rows = []
    for t in totals:
        b = base_ns.get((t["type"], t["ask"])) or 0
        rows.append({
            "type": t["type"], "ask": t["ask"], "policy": t["policy"].rstrip("r"),
            "name": t["name"], "again": t["policy"].endswith("r"),
            "counts": {f: t.get(f, "n/a") for f in FIELDS},
            "reclaim_ns": int(t["reclaim_ns"]),
            "met_per_page_pass": per_page(t),
            "time_ratio": int(t["reclaim_ns"]) / b if b else None,
            "pass_ratios": pass_ratios(passes, t, t["ask"]) if t["policy"] != "0" else None,
        })
    # Keep (1) against activate (0), each run twice: ratios over the four
    # pairings, and whether the difference exceeds the spread of the
    # identical runs of both policies.
    keep = []
    for ask in ("exact", "over"):
        for typ in dict.fromkeys(t["type"] for t in totals):
            As = [by_policy[k] for k in ((typ, ask, "0"), (typ, ask, "0r")) if k in by_policy]
            ks = [by_policy[k] for k in ((typ, ask, "1"), (typ, ask, "1r")) if k in by_policy]
            if not As or not ks:
                continue
            cells = {}
            for f in KEEP_FIELDS:
                rs, zero = [], False
                for k in ks:
                    for a in As:
                        x, y = val(k, f), val(a, f)
                        if x is None or y is None:
                            continue
                        if x == 0 and y == 0:
                            zero = True     # nothing to compare: no ratio
                            continue
                        rs.append(None if y == 0 else x / y)   # None: infinite
                cells[f] = {"ratios": rs, "zero": zero,
                            "significant": significant([val(a, f) for a in As],
                                                       [val(k, f) for k in ks])}
            keep.append({"type": typ, "ask": ask,
                         "met_activate": [per_page(t) for t in As],
                         "met_keep": [per_page(t) for t in ks], "cells": cells})
    # What moved between the two identical runs of a policy.
    moved = []
    order = {t: i for i, t in enumerate(dict.fromkeys(t["type"] for t in totals))}
    for (typ, ask, pol), t in sorted(by_policy.items(), key=lambda kv: (
            kv[0][1] != "exact", order[kv[0][0]], kv[0][2])):
        if pol.endswith("r") and (typ, ask, pol[:-1]) in by_policy:
            first = by_policy[(typ, ask, pol[:-1])]
            diffs = [[f, first.get(f, "n/a"), t.get(f, "n/a")] for f in FIELDS
                     if first.get(f, "n/a") != t.get(f, "n/a")]
            moved.append({"type": typ, "ask": ask, "policy": pol[:-1], "name": first["name"],
                          "moved": diffs})
    qemu = tap.read_text(os.path.join(run, "qemu.cmd"))
    if root:
        qemu = qemu.replace(root.rstrip("/") + "/", "")
    return {"schema": SCHEMA, "kind": "skip-policy", "kernel": kver, "date": date,
            "run": os.path.basename(run), "params": params, "pinned_pages": pinned_pages,
            "rows": rows, "keep_activate": keep, "repeats": moved, "nopin": nopin, "qemu": qemu}


def _r(r):
    return "inf" if r == float("inf") else "%.2f" % r


def _pp(v):
    return "n/a" if v is None else "%.2f" % v


def render_markdown(s):
    params, kver = s["params"], s["kernel"]
    v2 = params.get("series") == "v2"
    if v2:
        skips_what = ("pinned pages set aside, the sum of `nr_pinned` of the vmscan "
                      "tracepoints (the series' second version has no vmstat counter)")
        policies = ("Policies (knob of `patches/skip-policy/7.3`): 0 activate (the series "
                    "as posted), 1 keep on the inactive list (the early check and the "
                    "check before `folio_alloc_swap()`), 4 no early check (aging and "
                    "`try_to_unmap()` as without the series; mainline's check after the "
                    "unmap activates).")
    else:
        skips_what = "pinned folios that reclaim met and left mapped (`pgunmap_pinned_skip`, pages)"
        policies = ("Policies: 0 activate (the series as posted), 1 keep on the inactive "
                    "list, 2 lazyfree folios become swapbacked again then activate, "
                    "3 as 2 then keep.")
    scan_from = ("`pgscan_proactive`/`pgsteal_proactive`, the share of memory.reclaim"
                 if params.get("scan_from") == "proactive"
                 else "`pgscan_anon+file`/`pgsteal_anon+file`")
    lines = [
        "# Where skipped pinned folios go: measured on %s" % kver, "",
        "Generated by `scripts/skip-policy.sh` (scripts/report) on %s from" % s["date"],
        "`%s/results.tap`; do not edit by hand. Machine-readable: the `.json` of this file."
        % s["run"], "",
        "Kernel: Linux %s, the pin-aware arm plus the experiment overlay "
        "`patches/skip-policy%s` (a debugfs knob; never posted). Benchmark: "
        "`selftests/bench/skip_policy.c`, "
        "region %s MiB (half pinned: %d pages), hot set %s MiB, %s passes, seed %s. Counts are "
        "totals over the passes. *pinned met* = %s; *met/pg/pass* = pinned met / (pinned pages "
        "x passes), how often reclaim met each pinned page in one request; "
        "*scanned*, *reclaimed* = %s; "
        "*invalidations* = mmu_notifier invalidations that hit the pinned userptr_emu "
        "object (each one is a `try_to_unmap()` walk of its mappings; n/a: not recorded); "
        "*hot_lost* = pages of the hot set not resident after the request; "
        "*time* = reclaim time relative to policy 0 for the same backing and request, "
        "same boot, total over the passes, and in brackets the range of the per-pass "
        "ratios (only ratios mean anything in a guest)."
        % (kver, "/" + ".".join(kver.split(".")[:2]) if v2 else "",
           params.get("region_mib", "?"), s["pinned_pages"], params.get("hot_mib", "?"),
           params.get("passes", "?"), params.get("seed", "?"), skips_what, scan_from),
        "",
        policies + " Rows marked \"(again)\" are a policy run once more after the "
        "others in the same boot: the difference between its two rows is how well a "
        "count repeats within one boot (listed under Repeats).",
        "",
    ]
    for ask, title in (("exact", "Request = the cold unpinned half (R/2)"),
                       ("over", "Request = R (more than is reclaimable)")):
        lines += ["## %s" % title, "",
                  "| backing | policy | " + " | ".join(HEADS.get(f, f) for f in FIELDS[:1]) +
                  " | met/pg/pass | " + " | ".join(HEADS.get(f, f) for f in FIELDS[1:]) +
                  " | time |",
                  "|---|---|" + "---:|" * (len(FIELDS) + 2)]
        for r in s["rows"]:
            if r["ask"] != ask:
                continue
            ratio = "n/a" if r["time_ratio"] is None else "%.2f" % r["time_ratio"]
            if r["pass_ratios"]:
                ratio += " [%.2f..%.2f]" % tuple(r["pass_ratios"])
            name = r["name"] + (" (again)" if r["again"] else "")
            lines.append("| %s | %s %s | %s | %s | " % (r["type"], r["policy"], name,
                                                      r["counts"]["skips"],
                                                      _pp(r["met_per_page_pass"])) +
                         " | ".join(r["counts"][f] for f in FIELDS[1:]) + " | %s |" % ratio)
        lines.append("")
    any_sig = [c["significant"] for k in s["keep_activate"] for c in k["cells"].values()]
    if any(v is not None for v in any_sig):
        rule = ("A cell marked `%s` is a difference larger than the spread of the identical "
                "runs of both policies (|keep - activate| of the medians > the larger "
                "|first - again|); unmarked, the two identical runs differ by as much or more."
                % MARK.strip())
    else:
        rule = "No repeat: spread unknown (a policy without its \"again\" run), nothing marked."
    lines += ["## Keep / activate", "",
              "Ratio of policy 1 (keep) to policy 0 (activate) for each count, first runs, "
              "and in brackets the range over the four pairings of the two runs of each "
              "(first and again): a ratio whose range holds 1 is no difference this boot "
              "can tell. " + rule + " *met/pg/pass* of each policy (first..again) for scale.", "",
              "| backing | request | met/pg/pass activate | met/pg/pass keep | pinned met | "
              "scanned | reclaimed | pgactivate | hot_lost | time |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for k in s["keep_activate"]:
        cells = ["..".join(_pp(v) for v in k["met_activate"]),
                 "..".join(_pp(v) for v in k["met_keep"])]
        for f in KEEP_FIELDS:
            c = k["cells"][f]
            rs = c["ratios"]
            if not rs:
                cell = "0/0" if c["zero"] else "n/a"
            else:
                rs = [float("inf") if r is None else r for r in rs]
                cell = ("%s [%s..%s]" % (_r(rs[0]), _r(min(rs)), _r(max(rs))) if len(rs) > 1
                        else _r(rs[0]))
            if c["significant"]:
                cell += MARK
            cells.append(cell)
        lines.append("| %s | %s | " % (k["type"], k["ask"]) + " | ".join(cells) + " |")
    lines.append("")
    lines += ["## Repeats", ""]
    if s["repeats"]:
        lines += ["Counts that moved between the two identical runs of a policy in this boot "
                  "(first -> again); a count not listed repeated exactly.", ""]
        for m in s["repeats"]:
            what = ", ".join("%s %s -> %s" % tuple(d) for d in m["moved"]) or "nothing moved"
            lines.append("- %s, request %s, %s %s: %s." % (m["type"], m["ask"], m["policy"],
                                                          m["name"], what))
    else:
        lines.append("No policy ran twice: no repeat, spread unknown.")
    lines.append("")
    nopin = s["nopin"]
    if nopin["total"]:
        t, p = nopin["total"], nopin["params"]
        lines += ["## Cost of the early check without pins", "",
                  "Reclaim of %s MiB anon + %s MiB tmpfs, no pin anywhere (the work of bench 2, "
                  "`reclaim_nopin`), with the early check on and off (knob bit 2) in pairs in "
                  "this boot, alternating which goes first. Ratio = throughput with the check / "
                  "without it, per pair:" % (p.get("anon_mib", "?"), p.get("file_mib", "?")),
                  "",
                  "**median %s, range %s..%s, %s pairs.** The spread between pairs is the "
                  "guest's noise; a ratio inside it is no cost this setup can see."
                  % (t["ratio_median"], t["ratio_min"], t["ratio_max"], t["pairs"]),
                  "",
                  "| pair | check | ms | reclaimed | scanned |",
                  "|---|---|---:|---:|---:|"]
        for r in nopin["runs"]:
            lines.append("| %s | %s | %.1f | %s | %s |" % (r["pair"], r["check"],
                                                          int(r["ns"]) / 1e6,
                                                          r["reclaimed"], r["scanned"]))
        lines.append("")
    lines += ["QEMU command:", "", "```", s["qemu"], "```", ""]
    return "\n".join(lines)


def cover_text(s):
    """The cover letter's @SKIP_POLICY@: pinned met / scanned per policy."""
    cols = [("0", False, "activate"), ("0", True, "again"), ("1", False, "keep")]
    pols = {r["policy"] for r in s["rows"]}
    cols.append(("2", False, "sb+act") if "2" in pols else ("4", False, "no-early"))
    out = []
    for ask, head in (("exact", "ask R/2"), ("over", "ask R")):
        cells = {(r["type"], r["policy"], r["again"]): "%s/%s" % (r["counts"]["skips"],
                                                                r["counts"]["scanned"])
                 for r in s["rows"] if r["ask"] == ask and r["counts"]["skips"].isdigit()}
        backings = list(dict.fromkeys(r["type"] for r in s["rows"] if r["ask"] == ask))
        rows = [[head] + [h for _, _, h in cols]]
        rows += [["  " + b] + [cells.get((b, p, g), "-") for p, g, _ in cols] for b in backings]
        out.append(T.text_grid(rows))
    return ("From `make skip-policy` of %s (skips/scanned, pages):\n\n%s"
            % (s["date"], "\n\n".join(out)))
