#!/bin/sh
# dom_check.sh CORTEXBENCH - renders a leaderboard.html in headless Chromium
# and checks from the DOM after the page's script ran that every model row
# and every figure is there (ids in docs/report.md) and that the RDM PNGs
# decoded. Skips (exit 0) when /usr/bin/chromium is absent.
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
sh "$HERE/make_scores.sh" "$B" "$W"
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
/usr/bin/python3 - "$W/dom.html" <<'PY'
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.rows, self.imgs, self.body = set(), [], [], {}
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
if errors:
    print("\n".join(errors))
    sys.exit(1)
print("ok: %d model rows, %d figures and tables, %d RDM images decoded" % (len(d.rows), len(figures) - len(models), len(d.imgs)))
PY
