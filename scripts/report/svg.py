"""The A/B plot, from the "plot" member of an A/B summary.json."""
import statistics

NA = "n/a"


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plot(p):
    arms = list(p["colors"])
    colors = p["colors"]
    types = p["types"]
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

    x = 70
    for a in arms:
        rect(x, 12, 12, 12, colors[a])
        text(x + 16, 22, a)
        x += 110

    # Panel 1: pinned-range invalidations per backing type (sum over passes).
    y0, y1, x0, x1 = top + 30, top + ph, 80, W - 20
    text(x0, top + 15, "Pinned-range invalidations by reclaim, per backing type "
         "(sum over the passes; exact counts)", 13, weight="bold")
    vals = p["inval"]
    vmax = max([v for a in arms for v in vals[a].values() if v] + [1])
    axis(x0, y0, x1, y1, vmax, "invalidations")
    gw = (x1 - x0) / max(len(types), 1)
    bw = gw * 0.8 / max(len(arms), 1)
    for i, (typ, desc) in enumerate(types):
        gx = x0 + i * gw + gw * 0.1
        for j, a in enumerate(arms):
            v = vals[a].get(typ)
            bx = gx + j * bw
            if v is None:
                text(bx + bw / 2, y1 - 4, NA, 9, "middle", "#a00")
                continue
            h = (y1 - y0) * v / vmax
            rect(bx, y1 - h, bw - 2, h, colors[a])
            text(bx + bw / 2, y1 - h - 3, v, 9, "middle")
        text(x0 + i * gw + gw / 2, y1 + 15, desc, 11, "middle")

    # Panel 2: bench 1, in-boot ratio pinned/control per run (strip plot).
    t2 = y1 + 50
    y0, y1 = t2 + 30, t2 + ph
    xm = W / 2 - 20
    text(x0, t2 + 15, "Bench 1: reclaim time pinned/control, per run (in-boot ratio)",
         13, weight="bold")
    ratios = p["wait_ratios"]
    vmax = max([v for r in ratios.values() for v in r] + [1]) * 1.1
    axis(x0, y0, xm, y1, vmax, "pinned / control")
    sw = (xm - x0) / max(len(arms), 1)
    for j, a in enumerate(arms):
        cx = x0 + sw * (j + 0.5)
        rs = ratios[a]
        for k, v in enumerate(rs):
            y = y1 - (y1 - y0) * v / vmax
            out.append('<circle cx="%.1f" cy="%.1f" r="4" fill="%s" fill-opacity="0.7"/>'
                       % (cx - 15 + 30 * k / max(len(rs) - 1, 1), y, colors[a]))
        if rs:
            m = statistics.median(rs)
            y = y1 - (y1 - y0) * m / vmax
            line(cx - 25, y, cx + 25, y, "#000", 2)
            text(cx + 28, y + 4, "%.2f" % m, 10)
        text(cx, y1 + 15, "%s (n=%d)" % (a, len(rs)), 11, "middle")

    # Panel 3: bench 4 latency p50/p99 of 4k and THP faults.
    px0 = W / 2 + 80
    text(px0 - 40, t2 + 15, "Bench 4: fault latency p50 / p99 (ms)", 13, weight="bold")
    kinds = ["4k p50", "4k p99", "thp p50", "thp p99"]
    lat = p["latency_ms"]
    vmax = max([v for a in arms for v in lat[a].values() if v] + [0.001]) * 1.1
    axis(px0, y0, W - 20, y1, vmax, "ms")
    gw = (W - 20 - px0) / len(kinds)
    bw = gw * 0.8 / max(len(arms), 1)
    for i, kq in enumerate(kinds):
        gx = px0 + i * gw + gw * 0.1
        for j, a in enumerate(arms):
            v = lat[a].get(kq)
            bx = gx + j * bw
            if v is None:
                text(bx + bw / 2, y1 - 4, NA, 9, "middle", "#a00")
                continue
            h = (y1 - y0) * v / vmax
            rect(bx, y1 - h, bw - 2, h, colors[a])
        text(px0 + i * gw + gw / 2, y1 + 15, kq, 11, "middle")

    H = y1 + 45
    accel = "/".join(p.get("accel") or ["?"])
    text(x0, H - 10, "QEMU -accel %s; times are comparable only as ratios within one boot; "
         "counts are exact. First boot of each arm." % accel, 11, color="#555")
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
            'viewBox="0 0 %d %d" font-family="sans-serif">\n'
            '<rect width="100%%" height="100%%" fill="white"/>\n%s\n</svg>\n'
            % (W, H, W, H, "\n".join(out)))
