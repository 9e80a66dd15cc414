#!/bin/sh
# dom_check.sh CORTEXBENCH - renders a leaderboard.html in headless Chromium
# and checks from the DOM after the page's script ran that every model row
# and every figure is there (ids in docs/report.md), that the RDM PNGs
# decoded, that every score plot has its noise-ceiling band (the Nili
# interval on the RDM benchmark), that the score above the ceiling is marked,
# that each column header says what it is, and that every figure's SVG and
# PNG files exist and are linked. Skips (exit 0) when /usr/bin/chromium is
# absent.
set -eu
B=$(realpath "$1")
HERE=$(dirname "$(realpath "$0")")
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "skipped: chromium not installed"
  exit 0
fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
sh "$HERE/make_scores.sh" "$B" "$W" above
"$B" -q leaderboard "$W/scores" --rdm "$W/rdm-neural.h5" --rdm "$W/rdm-model.h5" --title dom-test \
  --html "$W/out/leaderboard.html" >/dev/null
mkdir -p "$W/profile"
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$W/profile" \
  --dump-dom "file://$W/out/leaderboard.html" >"$W/dom.html" 2>"$W/chromium.log" || {
  echo "chromium failed:"
  tail -5 "$W/chromium.log"
  exit 1
}
/usr/bin/python3 - "$W/dom.html" "$W/out" <<'PY'
import os
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.rows, self.imgs, self.body = set(), [], [], {}
        self.fig, self.figs = None, {}  # figure id -> {"bands": [data-lower], "above": n, "files": [href]}
        self.above_td, self.th_small, self.in_th = [], 0, False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        cls = (a.get("class") or "").split()
        if tag == "tr" and "model-row" in cls:
            self.rows.append(a.get("data-model"))
        if tag == "img" and "rdm" in cls:
            self.imgs.append(a)
        if tag == "body":
            self.body = a
        if tag == "figure":
            self.fig = a.get("id")
            self.figs[self.fig] = {"bands": [], "above": 0, "files": []}
        if self.fig and tag == "g" and "ceiling" in cls:
            self.figs[self.fig]["bands"].append(a.get("data-lower"))
        if self.fig and "ceiling-band" in cls:
            self.figs[self.fig]["bands"].append("rect")
        if self.fig and "above-ceiling" in cls:
            self.figs[self.fig]["above"] += 1
        if self.fig and tag == "a" and "fig-file" in cls:
            self.figs[self.fig]["files"].append(a.get("href"))
        if tag == "td" and "above-ceiling" in cls:
            self.above_td.append(a.get("title") or "")
        if tag == "th":
            self.in_th = True
        if tag == "small" and self.in_th:
            self.th_small += 1
    def handle_endtag(self, tag):
        if tag == "figure":
            self.fig = None
        if tag == "th":
            self.in_th = False

d = Dom()
d.feed(open(sys.argv[1], encoding="utf-8").read())
errors = []
if d.body.get("data-ready") != "1":
    errors.append("the page script did not run (body data-ready != 1)")
models = ["resnet-18", "alexnet", "a&b <net>", "pixels"]
if sorted(d.rows) != sorted(models):
    errors.append("model rows %r, expected %r" % (d.rows, models))
figures = ["leaderboard", "fig-heatmap", "fig-bars-0", "fig-bars-1", "fig-bars-2", "fig-profile-0",
           "fig-profile-1", "fig-rdm-0", "metadata", "layers-0", "layers-2"]
figures += ["model-%d" % (k + 1) for k in range(len(models))]
for f in figures:
    if f not in d.ids:
        errors.append("no element #%s" % f)
names = sorted(i.get("data-name") for i in d.imgs)
if names != ["IT (neural)", "alexnet features.5"]:
    errors.append("RDM images %r" % names)
for i in d.imgs:
    if i.get("data-decoded") != "1":
        errors.append("RDM image %s did not decode" % i.get("data-name"))
# Noise-ceiling band on every score plot: the Nili interval (lower 0.63 / upper 0.9) on the RDM benchmark.
score_plots = [f for f in d.figs if f.startswith(("fig-bars-", "fig-profile-", "fig-twin-"))]
for f in score_plots:
    if "rect" not in d.figs[f]["bands"] or len(d.figs[f]["bands"]) != 2:
        errors.append("%s: no noise-ceiling band (%r)" % (f, d.figs[f]["bands"]))
if d.figs.get("fig-bars-2", {}).get("bands", [None])[0] != "0.7000":
    errors.append("fig-bars-2 (objects.IT-rdm): band lower edge %r, expected the Nili 0.63 / 0.9 = 0.7000"
                  % d.figs.get("fig-bars-2", {}).get("bands"))
# The ceiled 1.002 (resnet-18 on objects.IT-rdm) is marked in the table, on its bars, the heatmap and the IT profile.
if len(d.above_td) != 1 or "above the noise ceiling" not in d.above_td[0]:
    errors.append("table cells marked above the ceiling: %r (expected 1)" % d.above_td)
for f in ("fig-bars-2", "fig-heatmap", "fig-profile-1"):
    if d.figs.get(f, {}).get("above", 0) < 1:
        errors.append("%s: the score above the noise ceiling is not marked" % f)
for f in ("fig-bars-0", "fig-bars-1", "fig-profile-0"):
    if d.figs.get(f, {}).get("above", 0) != 0:
        errors.append("%s: marks a score above the ceiling where there is none" % f)
# Every column header says what it is: rank, model, average, 2 regions, 3 benchmarks.
if d.th_small < 8:
    errors.append("%d column headers carry a description, expected 8" % d.th_small)
# Every figure links its SVG and PNG file, and the files exist.
n_files = 0
for f, v in sorted(d.figs.items()):
    if sorted(os.path.splitext(h)[1] for h in v["files"]) != [".png", ".svg"]:
        errors.append("%s: figure file links %r" % (f, v["files"]))
    for h in v["files"]:
        p = os.path.join(sys.argv[2], h)
        head = open(p, "rb").read(8) if os.path.isfile(p) else b""
        if head != (b"\x89PNG\r\n\x1a\n" if h.endswith(".png") else b"<svg xml"):
            errors.append("%s: %s missing or not %s" % (f, h, h[-3:]))
        n_files += 1
if errors:
    print("\n".join(errors))
    sys.exit(1)
print("ok: %d model rows, %d figures and tables, %d RDM images decoded, %d ceiling bands, %d figure files"
      % (len(d.rows), len(figures) - len(models), len(d.imgs), len(score_plots), n_files))
PY
