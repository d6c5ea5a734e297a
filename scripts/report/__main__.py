"""python3 -m report COMMAND ...: the workbench's report pipeline.

  tap RUNDIR              parse RUNDIR/results.tap for scripts/verdict.sh:
                          write results.tsv and binaries.tsv, print the
                          stream's problems, one a line
  ab JOBDIR [--previous DIR] [--root DIR] [--json F] [--md F] [--svg F]
     [--other-base BASE=SUMMARY.json]...
                          summarise a make ab job into F (default
                          JOBDIR/summary.json), render from it, print the
                          tables; with the pinned-range counts of other
                          bases' published jobs beside this one's
  skip-policy RUNDIR OUT.md [--root DIR] [--date D]
                          OUT.json and OUT.md of a make skip-policy run
  i915 ROWS.tsv OUT.md --date D
                          OUT.json and OUT.md of a make i915-mock job
  kvm OUT.md --date D ARM=RUNDIR...
                          OUT.json and OUT.md of a make kvm job
  abuse OUT.md --date D [--command C] ARM=RUNDIR...
                          OUT.json and OUT.md of pin_abuse and pin_pressure
                          runs (docs/security.md)
  stress OUT.md --date D [--command C] ARM=RUNDIR...
                          OUT.json and OUT.md of a make stress job (the
                          debug-kernel stress, pin_stress)
  render SUMMARY.json [--md F] [--svg F]
                          render any summary again, from the JSON alone
  suite ARM=RUNDIR...     the selftest matrix of scripts/ab-suite.sh
  cover PATCH COVER AB.json SP.json [KVM.json]
                          fill the cover letter (scripts/export.sh)
"""
import argparse
import json
import os
import re
import sys

from . import ab, abuse, cover, i915, kvm, skip_policy, stress, tap
from . import table as T


def write(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


_SCALARS = re.compile(r'\[\n\s*((?:(?:"(?:[^"\\\n]|\\.)*"|-?[0-9.eE+]+|null|true|false)'
                      r'(?:,\n\s*)?)+)\n\s*\]')


def dumps(s):
    """JSON with one member a line, but a list of plain values on one line
    (a row's cells, a boot's records stay readable and diffable)."""
    text = json.dumps(s, indent=1)
    return _SCALARS.sub(lambda m: "[" + re.sub(r",\n\s*", ", ", m.group(1)) + "]", text) + "\n"


def write_json(path, s):
    write(path, dumps(s))


def stem_json(md):
    return os.path.splitext(md)[0] + ".json"


def render(s, md=None, svg=None):
    kind = s.get("kind")
    if kind == "ab":
        if md:
            write(md, ab.render_markdown(s, os.path.basename(svg or "ab-plot.svg")))
        if svg:
            write(svg, ab.render_svg(s))
    elif kind == "skip-policy":
        if md:
            write(md, skip_policy.render_markdown(s))
    elif kind == "i915-mock":
        if md:
            write(md, i915.render_markdown(s))
    elif kind == "kvm":
        if md:
            write(md, kvm.render_markdown(s))
    elif kind == "abuse":
        if md:
            write(md, abuse.render_markdown(s))
    elif kind == "stress":
        if md:
            write(md, stress.render_markdown(s))
    else:
        sys.exit("report: unknown summary kind %r" % kind)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="report", description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 2)[2])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("tap")
    p.add_argument("rundir")
    p = sub.add_parser("ab")
    p.add_argument("jobdir")
    p.add_argument("--previous")
    p.add_argument("--root", default="")
    p.add_argument("--json")
    p.add_argument("--md")
    p.add_argument("--svg")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--other-base", action="append", default=[])
    p = sub.add_parser("skip-policy")
    p.add_argument("rundir")
    p.add_argument("md")
    p.add_argument("--root", default="")
    p.add_argument("--date")
    p = sub.add_parser("i915")
    p.add_argument("tsv")
    p.add_argument("md")
    p.add_argument("--date", required=True)
    p = sub.add_parser("kvm")
    p.add_argument("md")
    p.add_argument("--date", required=True)
    p.add_argument("runs", nargs="+", metavar="ARM=RUNDIR")
    p = sub.add_parser("abuse")
    p.add_argument("md")
    p.add_argument("--date", required=True)
    p.add_argument("--command", default="")
    p.add_argument("runs", nargs="+", metavar="ARM=RUNDIR")
    p = sub.add_parser("stress")
    p.add_argument("md")
    p.add_argument("--date", required=True)
    p.add_argument("--command", default="")
    p.add_argument("runs", nargs="+", metavar="ARM=RUNDIR")
    p = sub.add_parser("render")
    p.add_argument("json")
    p.add_argument("--md")
    p.add_argument("--svg")
    p = sub.add_parser("suite")
    p.add_argument("runs", nargs="+", metavar="ARM=RUNDIR")
    p = sub.add_parser("cover")
    for a in ("patch", "cover", "ab_json", "sp_json"):
        p.add_argument(a)
    p.add_argument("kvm_json", nargs="?")
    args = ap.parse_args(argv)

    if args.cmd == "tap":
        for prob in tap.write_verdict_files(args.rundir):
            print(prob)
    elif args.cmd == "ab":
        others = []
        for spec in args.other_base:
            base, _, path = spec.partition("=")
            with open(path) as f:
                o = json.load(f)
            inside = args.root and os.path.abspath(path).startswith(os.path.abspath(args.root) + "/")
            o["path"] = os.path.relpath(path, args.root) if inside else path
            others.append((base, o))
        s = ab.summarize(args.jobdir, args.previous, args.root, others)
        write_json(args.json or os.path.join(args.jobdir, "summary.json"), s)
        render(s, args.md, args.svg)
        if not args.quiet:
            print(ab.render_text(s))
    elif args.cmd == "skip-policy":
        s = skip_policy.summarize(args.rundir, args.root, args.date)
        write_json(stem_json(args.md), s)
        render(s, args.md)
    elif args.cmd == "i915":
        s = i915.summarize(args.tsv, args.date)
        write_json(stem_json(args.md), s)
        render(s, args.md)
    elif args.cmd == "kvm":
        s = kvm.summarize([spec.partition("=")[::2] for spec in args.runs], args.date)
        write_json(stem_json(args.md), s)
        render(s, args.md)
    elif args.cmd == "abuse":
        s = abuse.summarize([spec.partition("=")[::2] for spec in args.runs], args.date,
                            args.command)
        write_json(stem_json(args.md), s)
        render(s, args.md)
    elif args.cmd == "stress":
        s = stress.summarize([spec.partition("=")[::2] for spec in args.runs], args.date,
                             args.command)
        write_json(stem_json(args.md), s)
        render(s, args.md)
    elif args.cmd == "render":
        with open(args.json) as f:
            render(json.load(f), args.md, args.svg)
    elif args.cmd == "suite":
        arms = []
        for spec in args.runs:
            name, _, d = spec.partition("=")
            a = ab.Arm.__new__(ab.Arm)
            a.name, a.suite = name, tap.run_dir(d)
            arms.append(a)
        s = ab.suite_table(arms)
        print("\n".join(ab.suite_markdown(s)) if s else "no selftest results")
    elif args.cmd == "cover":
        cover.fill(args.patch, args.cover, args.ab_json, args.sp_json, args.kvm_json)


if __name__ == "__main__":
    main()
