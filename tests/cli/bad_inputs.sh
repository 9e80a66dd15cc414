#!/usr/bin/env bash
# Bad input to every subcommand: non-zero exit, exactly one line on stderr
# that contains the expected text (usually the offending file), and no
# output file (or temporary file) left behind.
# usage: bad_inputs.sh CORTEXBENCH
set -uo pipefail
bin=$1
tmp=$(mktemp -d /tmp/cb-bad.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# expect NAME EXPECTED_TEXT OUTPUT_FILE_OR_- -- ARGS...
expect() {
  local name=$1 text=$2 outfile=$3; shift 4
  "$bin" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$? lines
  lines=$(wc -l <"$tmp/stderr")
  local why=""
  [[ $rc -ne 0 ]] || why="exit status 0"
  [[ -z "$why" && $lines -ne 1 ]] && why="$lines lines on stderr"
  [[ -z "$why" ]] && ! grep -qF -- "$text" "$tmp/stderr" && why="message lacks '$text'"
  [[ -z "$why" && "$outfile" != - && -e "$outfile" ]] && why="output $outfile was left behind"
  if [[ -z "$why" && "$outfile" != - ]] && ls -a "$(dirname "$outfile")" 2>/dev/null | grep -q '\.tmp\.'; then
    why="temporary file left in $(dirname "$outfile")"
  fi
  if [[ -z "$why" ]]; then
    pass=$((pass + 1)); echo "ok   $name: $(cat "$tmp/stderr")"
  else
    fail=$((fail + 1)); echo "FAIL $name: $why (exit $rc)"; sed 's/^/     | /' "$tmp/stderr"
  fi
}

# status NAME CODE -- ARGS...: the exit status of a failing command (README "Exit status": 1 data error, 2 usage
# error, 4 fault)
status() {
  local name=$1 want=$2; shift 3
  "$bin" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$?
  if [[ $rc -eq $want && $(wc -l <"$tmp/stderr") -eq 1 ]]; then
    pass=$((pass + 1)); echo "ok   $name: exit $rc: $(cat "$tmp/stderr")"
  else
    fail=$((fail + 1)); echo "FAIL $name: exit $rc, expected $want"; sed 's/^/     | /' "$tmp/stderr"
  fi
}

# --- fixtures -------------------------------------------------------------
mkdir -p "$tmp/out"
printf 'not an hdf5 file\n' >"$tmp/text.h5"
"$bin" -q generate gratings-v1 --seed 3 --out "$tmp/data" >/dev/null || { echo "FAIL: generate"; exit 1; }
head -c 2000 "$tmp/data/assembly.nc" >"$tmp/truncated.nc"
"$bin" -q activations --model pixels --stimuli "$tmp/data/stimuli.csv" --out "$tmp/acts.h5" >/dev/null \
  || { echo "FAIL: activations fixture"; exit 1; }
good_ini="$tmp/good.ini"
cat >"$good_ini" <<INI
[suite]
name = t
[dataset d]
stimuli = $tmp/data/stimuli.csv
assembly = $tmp/data/assembly.nc
[model pixels]
[benchmark b]
dataset = d
INI
bad_ini() { sed "$1" "$good_ini" >"$tmp/$2.ini"; }
bad_ini 's/^name = t/name = t\ncolour = blue/' unknown_key
bad_ini 's/^\[model pixels\]/[modell pixels]/' unknown_section
bad_ini 's/^dataset = d/dataset = d\nsplits = ten/' wrong_type
bad_ini 's/^dataset = d/dataset = nope/' dangling
printf '[suite]\nname = t\n[model pixels]\n' >"$tmp/no_benchmark.ini"
printf 'this is not ini\n' >"$tmp/syntax.ini"
printf 'stimulus_id,filename\na,missing.png\n' >"$tmp/missing_image.csv"
printf 'stimulus_id,filename\na,a.png\na,b.png\n' >"$tmp/dup.csv"
printf '{"model": "m", "layer": "l"\n' >"$tmp/out/broken.json"

# --- run ------------------------------------------------------------------
status exit-data-error 1 -- score --activations "$tmp/nonexistent.h5" --layer pixels --assembly "$tmp/data/assembly.nc" --out "$tmp/out/s.json"
status exit-usage-error 2 -- score --bogus
status exit-fault-unwritable 4 -- score --activations "$tmp/acts.h5" --layer pixels --assembly "$tmp/data/assembly.nc" --out /proc/cortexbench-s.json
# option values wrapped in context: the whole message, not the context repeated over a garbled tail
expect score-bad-metric "cortexbench score: error: option --metric: unknown metric 'earsn' (pls, ridge, ridgecv, linear, neuron2neuron, rdm, cka)" - -- score --activations "$tmp/acts.h5" --layer pixels --assembly "$tmp/data/assembly.nc" --out "$tmp/out/s.json" --metric earsn
expect score-bad-compare "cortexbench score: error: option --compare: unknown RDM comparison 'earsn' (spearman, kendall, pearson, cosine)" - -- score --activations "$tmp/acts.h5" --layer pixels --assembly "$tmp/data/assembly.nc" --out "$tmp/out/s.json" --compare earsn
expect run-missing-config "/nonexistent/suite.ini" - -- run /nonexistent/suite.ini -o "$tmp/out"
expect run-unknown-key "unknown key 'colour'" - -- run "$tmp/unknown_key.ini" -o "$tmp/out"
expect run-unknown-section "unknown section [modell pixels]" - -- run "$tmp/unknown_section.ini" -o "$tmp/out"
expect run-wrong-type "key 'splits'" - -- run "$tmp/wrong_type.ini" -o "$tmp/out"
expect run-dangling-dataset "no [dataset nope] section" - -- run "$tmp/dangling.ini" -o "$tmp/out"
expect run-no-benchmark "no [benchmark ID] section" - -- run "$tmp/no_benchmark.ini" -o "$tmp/out"
expect run-syntax "syntax error" - -- run "$tmp/syntax.ini" -o "$tmp/out"
expect run-no-config "missing CONFIG" - -- run
expect run-bad-option "unknown option '--frobnicate'" - -- run --frobnicate x.ini
# --- activations ----------------------------------------------------------
expect act-unknown-model "unknown model 'resnet9000'" "$tmp/out/a.h5" -- activations --model resnet9000 --stimuli "$tmp/data/stimuli.csv" --out "$tmp/out/a.h5"
expect act-missing-stimuli "/nonexistent/stimuli.csv" "$tmp/out/a.h5" -- activations --model pixels --stimuli /nonexistent/stimuli.csv --out "$tmp/out/a.h5"
expect act-missing-image "missing.png" "$tmp/out/a.h5" -- activations --model pixels --stimuli "$tmp/missing_image.csv" --out "$tmp/out/a.h5"
expect act-duplicate-ids "$tmp/dup.csv" "$tmp/out/a.h5" -- activations --model pixels --stimuli "$tmp/dup.csv" --out "$tmp/out/a.h5"
expect act-unknown-layer "no layer 'conv99'" "$tmp/out/a.h5" -- activations --model tinycnn --layers conv99 --stimuli "$tmp/data/stimuli.csv" --out "$tmp/out/a.h5"
expect act-missing-out "missing --out" - -- activations --model pixels --stimuli "$tmp/data/stimuli.csv"
expect act-bad-batch "--batch" - -- activations --model pixels --stimuli x.csv --out y.h5 --batch 0
# --- score ----------------------------------------------------------------
expect score-not-hdf5 "$tmp/text.h5" "$tmp/out/s.json" -- score --activations "$tmp/text.h5" --layer pixels --assembly "$tmp/data/assembly.nc" --out "$tmp/out/s.json"
expect score-missing-activations "/nonexistent/acts.h5" "$tmp/out/s.json" -- score --activations /nonexistent/acts.h5 --layer pixels --assembly "$tmp/data/assembly.nc" --out "$tmp/out/s.json"
expect score-truncated-assembly "$tmp/truncated.nc" "$tmp/out/s.json" -- score --activations "$tmp/acts.h5" --layer pixels --assembly "$tmp/truncated.nc" --out "$tmp/out/s.json"
expect score-unknown-layer "no layer 'fc9'" "$tmp/out/s.json" -- score --activations "$tmp/acts.h5" --layer fc9 --assembly "$tmp/data/assembly.nc" --out "$tmp/out/s.json"
expect score-unknown-region "region" "$tmp/out/s.json" -- score --activations "$tmp/acts.h5" --layer pixels --assembly "$tmp/data/assembly.nc" --region IT --out "$tmp/out/s.json"
expect score-unknown-stratify "no_such_column" "$tmp/out/s.json" -- score --activations "$tmp/acts.h5" --layer pixels --assembly "$tmp/data/assembly.nc" --stratify no_such_column --out "$tmp/out/s.json"
expect score-bad-normalise "--normalise" - -- score --activations a --layer l --assembly b --out c --normalise r3
expect score-bad-splits "--splits" - -- score --activations a --layer l --assembly b --out c --splits zero
# --- leaderboard ----------------------------------------------------------
expect lb-missing-dir "/nonexistent/scores" - -- leaderboard /nonexistent/scores
expect lb-corrupt-json "broken.json" "$tmp/lb/leaderboard.csv" -- leaderboard "$tmp/out" -o "$tmp/lb"
expect lb-no-path "missing PATH" - -- leaderboard
# --- list, generate, version -----------------------------------------------
expect list-unknown "unknown list 'widgets'" - -- list widgets
expect list-missing-config "/nonexistent/x.ini" - -- list benchmarks /nonexistent/x.ini
expect generate-unknown "unknown dataset 'imagenet'" "$tmp/gen/assembly.nc" -- generate imagenet --out "$tmp/gen"
expect generate-no-out "missing --out" - -- generate gratings-v1
expect version-extra-arg "unexpected argument 'now'" - -- version now
expect unknown-command "unknown command 'frobnicate'" - -- frobnicate

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
