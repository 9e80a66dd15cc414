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

# doc NAME TEMPLATE [<placeholder>=VALUE]... -- ARGS...: TEMPLATE is a message of docs/errors.md's table, exactly;
# the failing command's only stderr line must equal it with each <placeholder> replaced by VALUE, and its exit
# status must be the table row's. One placeholder may be given as <placeholder>=* (a list that changes with the
# build, e.g. the known models): the line must then start and end as documented around it.
errors_md=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/docs/errors.md
doc() {
  local name=$1 template=$2; shift 2
  local want=$template any=""
  while [[ $1 != -- ]]; do
    if [[ ${1#*=} == "*" ]]; then any=${1%%=*}; else want=${want//"${1%%=*}"/"${1#*=}"}; fi
    shift
  done
  shift
  local row status
  row=$(grep -F -- "| \`$template\` |" "$errors_md" | head -1)
  status=$(sed -E 's/.*\| *([0-9]) *\| *$/\1/' <<<"$row")
  "$bin" "$@" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
  local rc=$? got why=""
  got=$(cat "$tmp/stderr")
  [[ -n "$row" ]] || why="not in docs/errors.md: $template"
  [[ -z "$why" && $(wc -l <"$tmp/stderr") -ne 1 ]] && why="$(wc -l <"$tmp/stderr") lines on stderr"
  if [[ -z "$why" && -n "$any" ]]; then
    local head=${want%%"$any"*} tail=${want#*"$any"}
    [[ "${got:0:${#head}}" == "$head" && "${got: -${#tail}}" == "$tail" && ${#got} -gt $((${#head} + ${#tail})) ]] ||
      why="line differs from the documented one: $want"
  elif [[ -z "$why" && "$got" != "$want" ]]; then
    why="line differs from the documented one: $want"
  fi
  [[ -z "$why" && $rc -ne $status ]] && why="exit $rc, documented $status"
  if [[ -z "$why" ]]; then
    pass=$((pass + 1)); echo "ok   $name: exit $rc: $got"
  else
    fail=$((fail + 1)); echo "FAIL $name: $why (exit $rc)"; sed 's/^/     | /' "$tmp/stderr"
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
# --- every message of docs/errors.md's table, whole line and exit status -----------------------------------
doc doc-unknown-command "cortexbench: error: unknown command '<name>' (see cortexbench --help)" "<name>=frobnicate" -- frobnicate
doc doc-unknown-global-option "cortexbench: error: unknown option '<option>' (see cortexbench --help)" "<option>=--frob" -- --frob run x.ini
doc doc-unknown-option "cortexbench <command>: error: <command>: unknown option '<option>' (see cortexbench <command> --help)" \
  "<command>=score" "<option>=--bogus" -- score --bogus
doc doc-needs-value "cortexbench <command>: error: <command>: option '<option>' needs a value (see cortexbench <command> --help)" \
  "<command>=run" "<option>=--out" -- run x.ini --out
doc doc-unexpected-argument "cortexbench <command>: error: <command>: unexpected argument '<argument>'" \
  "<command>=version" "<argument>=now" -- version now
doc doc-integer-range "cortexbench <command>: error: option <option>: expected an integer in [<lo>, <hi>], got '<value>'" \
  "<command>=score" "<option>=--splits" "<lo>=1" "<hi>=1000" "<value>=zero" -- score --splits zero
doc doc-seed "cortexbench <command>: error: option <option>: expected a non-negative integer, got '<value>'" \
  "<command>=score" "<option>=--seed" "<value>=-1" -- score --seed -1
doc doc-number "cortexbench <command>: error: option <option>: expected a number, got '<value>'" \
  "<command>=score" "<option>=--train-fraction" "<value>=most" -- score --train-fraction most
doc doc-run-no-config "cortexbench run: error: run: missing CONFIG (see cortexbench run --help)" -- run
doc doc-shard "cortexbench run: error: option --shard: expected I/N, got '<value>'" "<value>=3" -- run --shard 3 x.ini
for m in "score --activations:--layer x" "score --layer:--activations a" "score --assembly:--activations a --layer l" \
  "score --out:--activations a --layer l --assembly b" "activations --model:" "activations --stimuli:--model pixels" \
  "activations --out:--model pixels --stimuli x.csv" "generate --out DIR:gratings-v1" "import --out FILE:assembly x.npy" \
  "list what to list: metrics, models, benchmarks or datasets:" "zoo what to do: list or verify NAME:" \
  "leaderboard PATH:" "verify RESULTS_DIR:" "generate ID:"; do
  c=${m%% *} what=${m#* }; what=${what%:*}; rest=${m##*:}
  # shellcheck disable=SC2086
  doc "doc-missing-$c-${what%% *}" "cortexbench <command>: error: <command>: missing <what> (see cortexbench <command> --help)" \
    "<command>=$c" "<what>=$what" -- "$c" $rest
done
doc doc-fetch-missing "cortexbench fetch: error: fetch: missing dataset ID (see cortexbench fetch --list)" -- fetch
doc doc-zoo-verify-missing "cortexbench zoo: error: zoo verify: missing model NAME (see cortexbench zoo list)" -- zoo verify
doc doc-zoo-action "cortexbench zoo: error: zoo: unknown action '<action>' (list or verify)" "<action>=frob" -- zoo frob
doc doc-import-kind-missing "cortexbench import: error: import: expected 'assembly INPUT' or 'rdm INPUT' (see cortexbench import --help)" -- import
doc doc-import-kind "cortexbench import: error: import: unknown kind '<kind>' (assembly or rdm)" "<kind>=widget" -- import widget x --out y
doc doc-compare-two "cortexbench compare: error: compare: expected two score files (see cortexbench compare --help)" -- compare a.json
doc doc-rsa-two "cortexbench rsa: error: rsa: expected two RDM files (see cortexbench rsa --help)" -- rsa a.h5
doc doc-rsa-layer "cortexbench rsa: error: rsa: --activations needs --layer" -- rsa --activations a.h5 n.h5
doc doc-rsa-neural "cortexbench rsa: error: rsa: with --activations, give one neural RDM file or --assembly (see cortexbench rsa --help)" -- rsa --activations a.h5 --layer x
doc doc-rsa-acts-only "cortexbench rsa: error: rsa: --layer, --assembly, --region, --subject, --session and --out need --activations" -- rsa --layer x a.h5 b.h5
doc doc-rsa-asm-only "cortexbench rsa: error: rsa: --region, --subject and --session need --assembly" -- rsa --activations a.h5 --layer x --region IT n.h5
doc doc-rsa-no-coordinate "cortexbench rsa: error: <assembly>: no coordinate '<name>' to group neuroids by" \
  "<assembly>=$tmp/data/assembly.nc" "<name>=animal" -- rsa --activations "$tmp/acts.h5" --layer pixels \
  --assembly "$tmp/data/assembly.nc" --subject animal
doc doc-verify-dir "cortexbench verify: error: verify: <path> is not a directory" "<path>=/nonexistent/results" -- verify /nonexistent/results
doc doc-lb-region "cortexbench leaderboard: error: leaderboard: --region '<value>': expected BENCHMARK=REGION" "<value>=foo" \
  -- leaderboard --region foo x
doc doc-restart-shard "cortexbench run: error: run: --restart cannot be combined with --shard (the shards share the directory): clear it with one run without --shard, or choose another directory" \
  -- run --restart --shard 0/2 x.ini
doc doc-ceiling "cortexbench score: error: option --ceiling: expected internal, metric-split-half, voxel or none, got '<value>'" \
  "<value>=half" -- score --ceiling half
doc doc-normalise "cortexbench score: error: option --normalise: expected r2/c, (r/c)^2 or r/c, got '<value>'" "<value>=r3" \
  -- score --normalise r3
doc doc-unit-interval "cortexbench <command>: error: option <option>: expected a number in (0, 1)" "<command>=compare" \
  "<option>=--level" -- compare --level 1.5 a.json b.json
doc doc-split "cortexbench score: error: option --split: expected stratified, shuffle, kfold or all, got '<value>'" \
  "<value>=loo" -- score --split loo
doc doc-metric "cortexbench score: error: option --metric: unknown metric '<name>' (pls, ridge, ridgecv, linear, neuron2neuron, rdm, cka)" \
  "<name>=earsn" -- score --metric earsn
doc doc-score-layer "cortexbench score: error: <file>: no layer '<layer>' (layers: <layers>)" "<file>=$tmp/acts.h5" "<layers>=pixels" \
  "<layer>=fc9" -- score --activations "$tmp/acts.h5" --layer fc9 --assembly "$tmp/data/assembly.nc" --out "$tmp/out/s.json"
doc doc-unknown-model "cortexbench activations: error: unknown model '<name>' (known: <models>)" "<name>=resnet9000" "<models>=*" \
  -- activations --model resnet9000 --stimuli "$tmp/data/stimuli.csv" --out "$tmp/out/a.h5"
doc doc-model-layer "cortexbench activations: error: model '<model>' has no layer '<layer>' (layers: <layers>)" "<model>=tinycnn" \
  "<layer>=conv99" "<layers>=features.0, features.1, features.2, features.3, features.4, features.5" \
  -- activations --model tinycnn --layers conv99 --stimuli "$tmp/data/stimuli.csv" --out "$tmp/out/a.h5"
doc doc-modality "cortexbench activations: error: option --modality: expected visual or audio, got '<value>'" "<value>=smell" \
  -- activations --model "$tmp/x.onnx" --modality smell --stimuli "$tmp/data/stimuli.csv" --out "$tmp/out/a.h5"
doc doc-front-end "cortexbench activations: error: option --front-end: unknown input front end '<name>' (known: <front ends>)" \
  "<name>=retina" "<front ends>=image, cochleagram" \
  -- activations --model "$tmp/x.onnx" --front-end retina --stimuli "$tmp/data/stimuli.csv" --out "$tmp/out/a.h5"
printf 'stimulus_id,filename\na,a.png\nb,b.wav\n' >"$tmp/mixed.csv"
doc doc-mixed-modality "cortexbench <command>: error: <file>:<line>: '<filename>' is a sound but the rows above are images: a stimulus set holds one modality" \
  "<command>=activations" "<file>=$tmp/mixed.csv" "<line>=3" "<filename>=b.wav" \
  -- activations --model pixels --stimuli "$tmp/mixed.csv" --out "$tmp/out/a.h5"
printf 'stimulus_id,filename\na,a.wav\n' >"$tmp/sounds.csv"
doc doc-other-modality "cortexbench activations: error: model '<model>' takes <modality> input but <file> holds <other> stimuli" \
  "<model>=pixels" "<modality>=visual" "<file>=$tmp/sounds.csv" "<other>=audio" \
  -- activations --model pixels --stimuli "$tmp/sounds.csv" --out "$tmp/out/a.h5"
bad_ini 's/^\[model pixels\]/[model pixels]\nfront_end = cochleagram/' fe_other
doc doc-front-end-other "cortexbench run: error: <config>: [model <name>]: model '<name>' is <modality> but front end '<front end>' takes <other> stimuli" \
  "<config>=$tmp/fe_other.ini" "<name>=pixels" "<modality>=visual" "<front end>=cochleagram" "<other>=audio" \
  -- run "$tmp/fe_other.ini" -o "$tmp/out"
bad_ini 's/^\[model pixels\]/[model pixels]\nmodality = audio/' declared_other
doc doc-declared-other "cortexbench run: error: <config>: [model <name>]: model '<name>': declared modality <modality>, but it takes <other> stimuli" \
  "<config>=$tmp/declared_other.ini" "<name>=pixels" "<modality>=audio" "<other>=visual" \
  -- run "$tmp/declared_other.ini" -o "$tmp/out"
printf '[train]\nmodel = fmnist_cnn\ncolour = blue\n' >"$tmp/train_key.ini"
doc doc-train-key "cortexbench train: error: <config>:<line>: [train] key '<key>' unknown (docs/config.md, Training)" \
  "<config>=$tmp/train_key.ini" "<line>=3" "<key>=colour" -- train "$tmp/train_key.ini" -o "$tmp/out/train"
mkdir -p "$tmp/idx" # an IDX image file whose header promises 100 28x28 images and holds 5 bytes of them
printf '\x00\x00\x08\x03\x00\x00\x00\x64\x00\x00\x00\x1c\x00\x00\x00\x1c\x00\x00\x00\x00\x00' | gzip -n >"$tmp/idx/train-images-idx3-ubyte.gz"
printf '[train]\nmodel = fmnist_cnn\ndata_dir = %s/idx\nsteps = 2\n' "$tmp" >"$tmp/train_idx.ini"
doc doc-idx-truncated "cortexbench train: error: <file>: truncated IDX file (<bytes> data bytes expected)" \
  "<file>=$tmp/idx/train-images-idx3-ubyte.gz" "<bytes>=78400" -- train "$tmp/train_idx.ini" -o "$tmp/out/train"
# train: each configuration error of docs/errors.md (one [train] section, valid values, consistent keys)
train_doc() { # NAME TEMPLATE CONFIG_TEXT [<placeholder>=VALUE]...: <config> is the file the text is written to
  local name=$1 template=$2 text=$3 ini="$tmp/$1.ini"
  shift 3
  printf "$text" >"$ini"
  doc "$name" "$template" "<config>=$ini" "$@" -- train "$ini" -o "$tmp/out/$name"
}
train_doc doc-train-section "cortexbench train: error: <config>:<line>: section [<section>] unknown (a training configuration has one [train] section)" \
  '[training]\nmodel = fmnist_cnn\n' "<line>=2" "<section>=training"
train_doc doc-train-value "cortexbench train: error: <config>:<line>: [train] <key> = '<value>' is not valid (docs/config.md, Training)" \
  '[train]\nmodel = fmnist_cnn\nbatch = many\n' "<line>=3" "<key>=batch" "<value>=many"
train_doc doc-train-model "cortexbench train: error: <config>: [train] model is required" '[train]\nsteps = 2\n'
train_doc doc-train-data "cortexbench train: error: <config>: [train] data = '<data>' unknown (fashion-mnist, synthetic-it)" \
  '[train]\nmodel = fmnist_cnn\ndata = cifar\nsteps = 2\n' "<data>=cifar"
train_doc doc-train-optimizer "cortexbench train: error: <config>: [train] optimizer = '<name>' unknown (sgd, adam, adamw)" \
  '[train]\nmodel = fmnist_cnn\noptimizer = lbfgs\nsteps = 2\n' "<name>=lbfgs"
train_doc doc-train-schedule "cortexbench train: error: <config>: [train] schedule = '<name>' unknown (constant, step, cosine)" \
  '[train]\nmodel = fmnist_cnn\nschedule = poly\nsteps = 2\n' "<name>=poly"
train_doc doc-train-length "cortexbench train: error: <config>: [train] give exactly one of steps and epochs" \
  '[train]\nmodel = fmnist_cnn\nsteps = 2\nepochs = 1\n'
train_doc doc-train-micro "cortexbench train: error: <config>: [train] micro_batch = <m> does not divide batch = <n>" \
  '[train]\nmodel = fmnist_cnn\nsteps = 2\nbatch = 10\nmicro_batch = 4\n' "<m>=4" "<n>=10"
train_doc doc-train-nesterov "cortexbench train: error: <config>: [train] nesterov needs momentum > 0 and dampening 0" \
  '[train]\nmodel = fmnist_cnn\nsteps = 2\noptimizer = sgd\nnesterov = true\n'
train_doc doc-train-synth-key "cortexbench train: error: <config>: [train] <key> does not apply to data = synthetic-it (a stream of new images; docs/config.md, Training)" \
  '[train]\nmodel = synit_cnn\ndata = synthetic-it\ndata_seed = 5\nsteps = 2\ncrop_padding = 4\n' "<key>=crop_padding"
train_doc doc-train-synth-seed "cortexbench train: error: <config>: [train] data = synthetic-it needs data_seed (the training images' seed)" \
  '[train]\nmodel = synit_cnn\ndata = synthetic-it\nsteps = 2\n'
train_doc doc-train-synth-same "cortexbench train: error: <config>: [train] data_seed = <seed> equals test_seed, the seed of the evaluated synthetic-it set: train on another seed" \
  '[train]\nmodel = synit_cnn\ndata = synthetic-it\nsteps = 2\ndata_seed = 1\ntest_seed = 1\n' "<seed>=1"
mkdir -p "$tmp/idx-empty"
train_doc doc-train-missing "cortexbench train: error: <file>: missing (Fashion-MNIST: apt-get install dataset-fashion-mnist, scripts/deps.sh)" \
  "[train]\nmodel = fmnist_cnn\nsteps = 2\ndata_dir = $tmp/idx-empty\n" "<file>=$tmp/idx-empty/train-images-idx3-ubyte.gz"
if [[ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]]; then # these read the task data
  train_doc doc-train-logits "cortexbench train: error: trainer: the model's output '<output>' is not (batch, classes) logits" \
    '[train]\nmodel = tinycnn\nsteps = 2\n' "<output>=features.5"
  printf '[train]\nmodel = fmnist_cnn\nsteps = 1\nbatch = 16\n' >"$tmp/train_once.ini"
  "$bin" -q train "$tmp/train_once.ini" -o "$tmp/out/train_once" >/dev/null 2>&1
  printf '[train]\nmodel = fmnist_cnn\nsteps = 1\nbatch = 32\n' >"$tmp/train_other.ini"
  doc doc-train-outdir "cortexbench train: error: <dir>: the output directory holds a run of another configuration (<ini>); use another -o" \
    "<dir>=$tmp/out/train_once" "<ini>=$tmp/out/train_once/train.ini" -- train "$tmp/train_other.ini" -o "$tmp/out/train_once"
else
  echo "skip doc-train-logits, doc-train-outdir: Fashion-MNIST not installed (scripts/deps.sh)"
fi
doc doc-list "cortexbench list: error: list: unknown list '<name>' (metrics, models, benchmarks or datasets)" "<name>=widgets" -- list widgets
doc doc-generate "cortexbench generate: error: generate: unknown dataset '<name>' (see cortexbench generate --help)" \
  "<name>=imagenet" -- generate imagenet --out "$tmp/gen"
doc doc-missing-file "cortexbench <command>: error: <file>: cannot open (No such file or directory)" "<command>=run" \
  "<file>=/nonexistent/suite.ini" -- run /nonexistent/suite.ini -o "$tmp/out"
doc doc-missing-image "cortexbench <command>: error: <file>: cannot open (No such file or directory)" "<command>=activations" \
  "<file>=$tmp/missing.png" -- activations --model pixels --stimuli "$tmp/missing_image.csv" --out "$tmp/out/a.h5"
doc doc-lb-missing "cortexbench leaderboard: error: <path>: no such file or directory" "<path>=/nonexistent/scores" \
  -- leaderboard /nonexistent/scores
doc doc-not-hdf5 "cortexbench score: error: <file>: not an HDF5 file" "<file>=$tmp/text.h5" \
  -- score --activations "$tmp/text.h5" --layer pixels --assembly "$tmp/data/assembly.nc" --out "$tmp/out/s.json"
doc doc-region "cortexbench score: error: <file>: no neuroid has region '<region>' (first neuroid's region: '<found>')" \
  "<file>=$tmp/data/assembly.nc" "<region>=IT" "<found>=V1" \
  -- score --activations "$tmp/acts.h5" --layer pixels --assembly "$tmp/data/assembly.nc" --region IT --out "$tmp/out/s.json"
doc doc-duplicate-id "cortexbench activations: error: <file>:<line>: duplicate stimulus id '<id>' (first on line <line0>)" \
  "<file>=$tmp/dup.csv" "<line0>=2" "<line>=3" "<id>=a" -- activations --model pixels --stimuli "$tmp/dup.csv" --out "$tmp/out/a.h5"
doc doc-config-key "cortexbench run: error: <config>: [suite] unknown key '<key>'" "<config>=$tmp/unknown_key.ini" "<key>=colour" \
  -- run "$tmp/unknown_key.ini" -o "$tmp/out"
doc doc-config-section "cortexbench run: error: <config>: unknown section [<section>] (expected [suite], [dataset ID], [model NAME], [benchmark ID])" \
  "<config>=$tmp/unknown_section.ini" "<section>=modell pixels" -- run "$tmp/unknown_section.ini" -o "$tmp/out"
bad_ini 's/^dataset = d/dataset = d\nsplit = loo/' bad_split
doc doc-config-split "cortexbench run: error: <config>: [benchmark <id>] key 'split': expected stratified, shuffle, kfold or all (rdm, cka), got '<value>'" \
  "<config>=$tmp/bad_split.ini" "<id>=b" "<value>=loo" -- run "$tmp/bad_split.ini" -o "$tmp/out"
doc doc-config-dangling "cortexbench run: error: <config>: [benchmark <id>] key 'dataset': no [dataset <name>] section" \
  "<config>=$tmp/dangling.ini" "<id>=b" "<name>=nope" -- run "$tmp/dangling.ini" -o "$tmp/out"
doc doc-config-no-benchmark "cortexbench run: error: <config>: no [benchmark ID] section" "<config>=$tmp/no_benchmark.ini" \
  -- run "$tmp/no_benchmark.ini" -o "$tmp/out"
doc doc-config-syntax "cortexbench run: error: <config>:<line>: syntax error (expected [section] or key = value)" \
  "<config>=$tmp/syntax.ini" "<line>=1" -- run "$tmp/syntax.ini" -o "$tmp/out"
doc doc-fault-write "cortexbench score: error: <file>: cannot write (No such file or directory)" "<file>=/proc/cortexbench-s.json" \
  -- score --activations "$tmp/acts.h5" --layer pixels --assembly "$tmp/data/assembly.nc" --out /proc/cortexbench-s.json
# Every row of the table has a case: here, or for the four "stopped by signal" rows in tests/cli/progress.sh
# (cli_progress), which signals a running suite.
uncovered=""
while IFS= read -r t; do
  grep -qF -- "\"$t\"" "${BASH_SOURCE[0]}" "$(dirname "${BASH_SOURCE[0]}")/progress.sh" || uncovered+=" [$t]"
done < <(grep -oE '^\| `cortexbench[^`]*`' "$errors_md" | sed -E 's/^\| `//; s/`$//')
if [[ -z "$uncovered" ]]; then pass=$((pass + 1)); echo "ok   every message of docs/errors.md has a case"
else fail=$((fail + 1)); echo "FAIL messages of docs/errors.md without a case:$uncovered"; fi
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
