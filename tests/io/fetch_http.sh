#!/bin/bash
# cortexbench fetch against a local misbehaving HTTP server (tests/io/fake_server.py),
# started here on 127.0.0.1 on a free port and killed on exit. Every command is
# bounded with `timeout`. Usage: fetch_http.sh path/to/cortexbench
set -u
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
T=$(mktemp -d /tmp/cb_fetch_http.XXXXXX)
SRV=
cleanup() {
  if [ -n "$SRV" ]; then kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; fi
  rm -rf "$T"
}
trap cleanup EXIT
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }

# Test data: 300000 seeded bytes; digests from hashlib, not from cortexbench.
mkdir -p "$T/www/mirrored" "$T/m" "$T/home"
$PY -c "import random; random.seed(7); open('$T/www/a.bin','wb').write(bytes(random.getrandbits(8) for _ in range(300000)))"
cp "$T/www/a.bin" "$T/www/mirrored/conv.bin"
SHA=$($PY -c "import hashlib; print(hashlib.sha256(open('$T/www/a.bin','rb').read()).hexdigest())")
SIZE=300000

$PY "$HERE/fake_server.py" --root "$T/www" --port-file "$T/port" --log "$T/log" --lifetime 150 &
SRV=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { echo "FAIL: the test server did not start"; exit 1; }
PORT=$(cat "$T/port")
BASE="http://127.0.0.1:$PORT"

# manifest ID URL [SHA] [SIZE]
manifest() {
  cat > "$T/m/$1.ini" <<INI
[dataset]
id = $1
title = test $1
license = none
citation = none
verified = true

[file]
name = a.bin
url = $2
size = ${4:-$SIZE}
sha256 = ${3:-$SHA}
origin = upstream
INI
}

export CORTEXBENCH_FETCH_TIMEOUT=2 CORTEXBENCH_FETCH_CONNECT_TIMEOUT=2 CORTEXBENCH_FETCH_BACKOFF=0.2
export CORTEXBENCH_FETCH_RETRIES=0 CORTEXBENCH_MANIFESTS="$T/m" CORTEXBENCH_HOME="$T/home"
unset CORTEXBENCH_MIRROR http_proxy HTTP_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
# fetch ID [options]: runs cortexbench, stdout -> $T/out, stderr -> $T/err, status -> RC.
fetch() {
  timeout 40 "$BIN" -q fetch "$@" --no-progress > "$T/out" 2> "$T/err"
  RC=$?
}
requests() { grep -c " /$1/" "$T/log"; }
files_under() { find "$T/home/datasets/$1" -type f 2>/dev/null | wc -l; }
same_bytes() { cmp -s "$T/www/a.bin" "$T/home/datasets/$1/a.bin"; }

# 1. success
manifest t_ok "$BASE/ok/a.bin"
fetch t_ok
if [ $RC -eq 0 ] && same_bytes t_ok && [ "$(cat "$T/out")" = "$T/home/datasets/t_ok" ] &&
   [ ! -e "$T/home/datasets/t_ok/a.bin.part" ]; then pass "success"; else fail "success (rc $RC: $(cat "$T/err"))"; fi
fetch t_ok
if [ $RC -eq 0 ] && [ "$(requests ok)" -eq 1 ]; then pass "second fetch uses the cache"; else fail "cache (rc $RC)"; fi

# 2. 404: one request only (not retried), one-line error, nothing in the cache
manifest t_404 "$BASE/ok/missing.bin"
CORTEXBENCH_FETCH_RETRIES=3 fetch t_404
if [ $RC -eq 1 ] && grep -q "HTTP 404" "$T/err" && [ "$(wc -l < "$T/err")" -eq 1 ] &&
   [ "$(grep -c 'missing.bin' "$T/log")" -eq 1 ] && [ "$(files_under t_404)" -eq 0 ]; then pass "404"
else fail "404 (rc $RC: $(cat "$T/err"))"; fi

# 3. truncated body: retried with a Range request, fails after the retries, no final file
manifest t_trunc "$BASE/truncate/a.bin"
CORTEXBENCH_FETCH_RETRIES=1 fetch t_trunc
if [ $RC -eq 1 ] && grep -q "after 2 attempts" "$T/err" && [ ! -e "$T/home/datasets/t_trunc/a.bin" ] &&
   [ "$(requests truncate)" -ge 2 ] && grep -q "/truncate/a.bin range=bytes=150000-" "$T/log"; then pass "truncated body"
else fail "truncated body (rc $RC: $(tail -1 "$T/err"))"; fi

# 4. wrong checksum: error names expected and actual digests; the cache stays empty
BAD=0000000000000000000000000000000000000000000000000000000000000000
manifest t_bad "$BASE/ok/a.bin" $BAD
fetch t_bad
if [ $RC -eq 1 ] && grep -q "sha256 mismatch" "$T/err" && grep -q "$BAD" "$T/err" && grep -q "$SHA" "$T/err" &&
   [ "$(files_under t_bad)" -eq 0 ]; then pass "wrong checksum"; else fail "wrong checksum (rc $RC: $(cat "$T/err"))"; fi

# 5. resume: the first transfer is cut (run fails, .part kept), the second run resumes with Range (206)
manifest t_resume "$BASE/cutonce/a.bin"
fetch t_resume
PART=$(stat -c %s "$T/home/datasets/t_resume/a.bin.part" 2>/dev/null || echo 0)
fetch t_resume
if [ "$PART" -eq 150000 ] && [ $RC -eq 0 ] && same_bytes t_resume &&
   grep -q "^206 /cutonce/a.bin range=bytes=150000-" "$T/log"; then pass "resume after an interrupted transfer"
else fail "resume (part $PART, rc $RC: $(cat "$T/err"))"; fi

# 6. resume against a server that ignores Range: restarts from zero, still verified
manifest t_norange "$BASE/norange/a.bin"
mkdir -p "$T/home/datasets/t_norange"
head -c 1000 "$T/www/a.bin" > "$T/home/datasets/t_norange/a.bin.part"
fetch t_norange
if [ $RC -eq 0 ] && same_bytes t_norange && grep -q "/norange/a.bin range=bytes=1000-" "$T/log"; then
  pass "server without Range support"; else fail "no-range resume (rc $RC: $(cat "$T/err"))"; fi

# 7. stalled server: the 2 s stall timeout fires, well before the server's 30 s
manifest t_stall "$BASE/stall/a.bin"
START=$(date +%s)
fetch t_stall
ELAPSED=$(($(date +%s) - START))
if [ $RC -eq 1 ] && [ $ELAPSED -lt 8 ] && [ ! -e "$T/home/datasets/t_stall/a.bin" ] &&
   grep -qi "timeout\|timed out\|too slow\|less than" "$T/err"; then pass "stalled server times out (${ELAPSED} s)"
else fail "stall (rc $RC, ${ELAPSED} s: $(cat "$T/err"))"; fi

# 8. transient 503 is retried
manifest t_flaky "$BASE/flaky/a.bin"
CORTEXBENCH_FETCH_RETRIES=2 fetch t_flaky
if [ $RC -eq 0 ] && same_bytes t_flaky && [ "$(requests flaky)" -eq 2 ]; then pass "503 retried"
else fail "503 retry (rc $RC: $(cat "$T/err"))"; fi

# 9. URL mirror: <mirror>/<id>/<name>, including a file with no upstream URL
cat > "$T/m/mirrored.ini" <<INI
[dataset]
id = mirrored
title = t
license = none
citation = none
verified = true
[file]
name = conv.bin
size = $SIZE
sha256 = $SHA
origin = conversion
INI
fetch mirrored
if [ $RC -eq 2 ] && grep -q "mirror" "$T/err"; then pass "conversion needs a mirror"; else fail "no mirror (rc $RC)"; fi
fetch mirrored --mirror "$BASE/ok"
if [ $RC -eq 0 ] && cmp -s "$T/www/a.bin" "$T/home/datasets/mirrored/conv.bin" &&
   grep -q "^200 /ok/mirrored/conv.bin" "$T/log"; then pass "URL mirror"; else fail "URL mirror (rc $RC: $(cat "$T/err"))"; fi

# 10. file:// mirror of ../shared/data: the real cowley2023_v4 files, checked against SOURCE.md
DATA="$REPO/../shared/data"
if [ -d "$DATA/cowley2023_v4" ]; then
  CORTEXBENCH_MIRROR="$DATA" CORTEXBENCH_MANIFESTS="$REPO/datasets" fetch cowley2023_v4
  OKS=0
  for f in responses_210325.npy images_210325.zip assy_cowley2023_V4_210325.nc stimulus_cowley2023_210325.csv \
           stimulus_cowley2023_210325.zip; do
    d=$($PY -c "import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())" \
        "$T/home/datasets/cowley2023_v4/$f" 2>/dev/null)
    [ -n "$d" ] && grep -q "\`$f\`.*$d" "$DATA/cowley2023_v4/SOURCE.md" && OKS=$((OKS + 1))
  done
  if [ $RC -eq 0 ] && [ $OKS -eq 5 ]; then pass "file:// mirror of ../shared/data (cowley2023_v4)"
  else fail "shared-data mirror (rc $RC, $OKS/5 digests: $(cat "$T/err"))"; fi
else
  echo "skip: ../shared/data absent (file:// mirror case)"
fi

# 11. usage errors
fetch
if [ $RC -eq 2 ]; then pass "missing ID is a usage error"; else fail "usage (rc $RC)"; fi
fetch nosuch
if [ $RC -eq 2 ] && grep -q "known:" "$T/err"; then pass "unknown dataset"; else fail "unknown dataset (rc $RC)"; fi
CORTEXBENCH_MANIFESTS="$REPO/datasets" fetch --list
if [ $RC -eq 0 ] && grep -q "^majajhong2015 .*not verified" "$T/out" && [ "$(wc -l < "$T/out")" -ge 5 ]; then
  pass "--list"; else fail "--list (rc $RC)"; fi

if [ $FAILS -ne 0 ]; then echo "$FAILS case(s) failed"; exit 1; fi
echo "all fetch cases passed"
