#!/usr/bin/env bash
# `--help` against the parsers: every long option a subcommand's getopt table accepts (src/cli/cmd_*.c) is named
# in that subcommand's --help, and every split kind the parsers accept (`score --split`, a configuration's
# `split =`, read from their own error messages) is listed by `score --help` and `run --help`, `all` included;
# each split kind `score --help` lists is accepted by the parser.
# usage: help_options.sh CORTEXBENCH   (from the repository root)
set -uo pipefail
bin=$1
tmp=$(mktemp -d /tmp/cb-help.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# --- every long option of every subcommand is in its --help ------------------------------------------------
for src in src/cli/cmd_*.c; do
  cmd=$(basename "$src" .c); cmd=${cmd#cmd_}
  help=$("$bin" "$cmd" --help 2>&1) || { bad "$cmd --help: exit status $?"; continue; }
  opts=$(grep -oE '\{"[a-z0-9-]+", *(no|required|optional)_argument' "$src" | sed -E 's/^\{"([^"]+)".*/\1/' | sort -u)
  [[ -n "$opts" ]] || { bad "$cmd: no option table found in $src"; continue; }
  missing=""
  for o in $opts; do
    [[ $o == help ]] && continue
    grep -qE -- "--$o([^a-z0-9-]|\$)" <<<"$help" || missing+=" --$o"
  done
  if [[ -z "$missing" ]]; then ok "$cmd --help names its $(wc -w <<<"$opts") options"; else bad "$cmd --help lacks$missing"; fi
done

# --- split kinds -----------------------------------------------------------------------------------------
# The parser's list, from its own message: "option --split: expected stratified, shuffle, kfold or all, got 'x'".
msg=$("$bin" score --split bogus 2>&1 >/dev/null)
rc=$?
kinds=$(sed -nE "s/.*option --split: expected (.*), got 'bogus'.*/\1/p" <<<"$msg" | sed 's/ or /, /; s/, / /g')
if [[ $rc -eq 2 && -n "$kinds" ]]; then ok "score --split bogus: exit 2, accepted kinds: $kinds"; else bad "score --split bogus: exit $rc: $msg"; fi
# The configuration's list: "key 'split': expected stratified, shuffle, kfold or all (rdm, cka), got 'bogus'".
printf '[suite]\nname = t\n[dataset d]\ngenerator = gratings-v1\n[model pixels]\n[benchmark b]\ndataset = d\nsplit = bogus\n' \
  >"$tmp/split.ini"
cmsg=$("$bin" list benchmarks "$tmp/split.ini" 2>&1 >/dev/null)
ckinds=$(grep -oE "expected [a-z, ]+ or [a-z]+" <<<"$cmsg" | sed 's/^expected //; s/ or /, /; s/, / /g')
if [[ "$ckinds" == "$kinds" ]]; then ok "configuration split kinds = score's: $ckinds"; else bad "configuration split kinds '$ckinds' ($cmsg) != score's '$kinds'"; fi
grep -qw all <<<"$kinds" && ok "split kind 'all' accepted" || bad "split kind 'all' not in '$kinds'"

shelp=$("$bin" score --help)
listed=$(grep -oE -- '--split [a-z|]+' <<<"$shelp" | head -1 | sed 's/^--split //; s/|/ /g')
if [[ "$listed" == "$kinds" ]]; then ok "score --help lists --split $listed"; else bad "score --help lists '$listed', the parser accepts '$kinds'"; fi
for k in $kinds; do
  # each kind is described in the Splits paragraph, and accepted (the next complaint is the missing --activations)
  grep -qE "(^|[ (])$k \(|(^|[ (])$k," <<<"$(sed -n '/^Splits (--split)/,/--seed S/p' <<<"$shelp")" \
    && ok "score --help describes --split $k" || bad "score --help does not describe --split $k"
  m=$("$bin" score --split "$k" 2>&1 >/dev/null)
  grep -q "missing --activations" <<<"$m" && ok "score --split $k accepted" || bad "score --split $k: $m"
done
for o in --splits --train-fraction --stratify --group --seed; do
  grep -q -- "$o" <<<"$(sed -n '/^Splits (--split)/,/--seed S/p' <<<"$shelp")" \
    && ok "score --help's Splits paragraph names $o" || bad "score --help's Splits paragraph lacks $o"
done
rhelp=$("$bin" run --help)
rlisted=$(grep -oE 'split = *[a-z|]+' <<<"$(tr '\n' ' ' <<<"$rhelp" | tr -s ' ')" | head -1 | sed 's/^split = *//; s/|/ /g')
if [[ "$rlisted" == "$kinds" ]]; then ok "run --help lists split = $rlisted"; else bad "run --help lists split = '$rlisted', the parser accepts '$kinds'"; fi
for k in splits train_fraction stratify group; do
  grep -q "$k" <<<"$rhelp" && ok "run --help names $k" || bad "run --help lacks $k"
done

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
