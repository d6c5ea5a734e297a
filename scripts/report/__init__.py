"""report: the workbench's one parser of guest runs and its one report writer.

A job (a `make ab` job directory, a `make skip-policy` run, a `make
i915-mock` job) is read once (tap.py parses the guest's TAP and run
directories), summarised into a JSON document (summary.json, or
NAME.json next to NAME.md) and every human-readable output (Markdown,
SVG, the tables on the terminal, the numbers of the cover letter) is
rendered from that JSON only.  Standard library only (Python 3.11).

    python3 -m report --help        (with scripts/ on PYTHONPATH; the
                                     shell scripts call it as `report`,
                                     a function of scripts/lib.sh)
"""
