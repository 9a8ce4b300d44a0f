#!/usr/bin/env bash
# Side-by-side NLU benchmark: the Relais Go classifier against NLP.js, both trained and scored
# on the same data, on (a) the catalogue and (b) MASSIVE fr. Prints a Markdown table.
#
#   bench/nlu/compare.sh
#
# Environment: DEV_TSV (catalogue test file, default intents/testdata/dev.tsv),
# MASSIVE_DIR (default ../shared/data/massive-fr beside the repository), CUTS (examples per
# intent of the few-example rows, default "5 15").
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1
massive=${MASSIVE_DIR:-$(cd "$root/.." && pwd)/shared/data/massive-fr}
dev=${DEV_TSV:-intents/testdata/dev.tsv}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -d "$here/node_modules" ]; then
  (cd "$here" && npm ci --no-audit --no-fund >&2) || { echo "npm ci failed" >&2; exit 1; }
fi

# The merged dev file may not exist yet: fall back to the per-category files.
if [ ! -f "$dev" ] && ls intents/testdata/dev/*.tsv >/dev/null 2>&1; then
  cat intents/testdata/dev/*.tsv > "$tmp/dev.tsv"
  echo "note: $dev missing, using intents/testdata/dev/*.tsv merged" >&2
  dev=$tmp/dev.tsv
fi

# row SYSTEM DATASET FILE: one table row from a JSON result (the whole file or its last line).
row() {
  node -e '
    const [system, dataset, file] = process.argv.slice(1);
    const out = require("fs").readFileSync(file, "utf8").trim();
    let r;
    try { r = JSON.parse(out); } catch { r = JSON.parse(out.split("\n").pop()); }
    const cell = (v) => (v === undefined ? "?" : v);
    console.log(`| ${system} | ${dataset} | ${cell(r.accuracy)} | ${cell(r.n)} | ` +
      `${cell(r.train_seconds)} | ${cell(r.classify_us_p50)} |`);
  ' "$@" 2>/dev/null || {
    echo "$1 on $2: no JSON result in its output:" >&2
    tail -n 5 "$3" >&2
    echo "| $1 | $2 | error | | | |"
  }
}

rows=""
# run SYSTEM DATASET COMMAND...: runs one system on one dataset and adds its row.
run() {
  local system=$1 dataset=$2
  shift 2
  echo "running $system on $dataset: $*" >&2
  if "$@" >"$tmp/out" 2>"$tmp/err"; then
    rows+=$(row "$system" "$dataset" "$tmp/out")$'\n'
  else
    echo "$system on $dataset failed:" >&2
    tail -n 20 "$tmp/err" >&2
    rows+="| $system | $dataset | error | | | |"$'\n'
  fi
}

if [ -f "$dev" ]; then
  run "relais (Go)" catalogue go run . nlu eval --train intents/catalogue --test "$dev" --json
  run "nlp.js" catalogue node "$here/nlpjs.js" --train intents/catalogue --test "$dev"
else
  echo "skipping the catalogue: no $dev and no intents/testdata/dev/*.tsv" >&2
fi

if [ -f "$massive/train.tsv" ]; then
  train=$massive/train.tsv test=$massive/test.tsv
  run "relais (Go)" massive-fr go run . nlu eval --train "$train" --test "$test" --json
  run "nlp.js" massive-fr node "$here/nlpjs.js" --train "$train" --test "$test"
  # Designer-sized bots: the first N examples of each intent (bench/nlu/cut.sh), scored on
  # the whole test set. CUTS overrides the sizes.
  for n in ${CUTS:-5 15}; do
    "$here/cut.sh" "$n" < "$train" > "$tmp/cut$n.tsv"
    run "relais (Go)" "massive-fr, $n per intent" go run . nlu eval --train "$tmp/cut$n.tsv" --test "$test" --json
    run "nlp.js" "massive-fr, $n per intent" node "$here/nlpjs.js" --train "$tmp/cut$n.tsv" --test "$test"
  done
else
  echo "skipping MASSIVE: no $massive/train.tsv (set MASSIVE_DIR)" >&2
fi

table=$rows
rows=""

# Out of scope: every MASSIVE text except greetings (its other 59 intents are not customer
# service), labelled "aucun", classified by models trained on the catalogue. Accuracy here is
# the share of those texts rejected as out of scope or not understood.
if [ -f "$massive/train.tsv" ] && [ -d intents/catalogue ]; then
  cat "$massive/train.tsv" "$massive/test.tsv" | awk -F'\t' '$2 != "general_greet" {print $1 "\taucun"}' > "$tmp/oos.tsv"
  run "relais (Go)" "massive-fr as out of scope" go run . nlu eval --train intents/catalogue --test "$tmp/oos.tsv" --json
  run "nlp.js" "massive-fr as out of scope" node "$here/nlpjs.js" --train intents/catalogue --test "$tmp/oos.tsv"
fi

echo
echo "| system | dataset | accuracy | n | train s | µs/classification p50 |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
printf '%s' "$table"
if [ -n "$rows" ]; then
  echo
  echo "Out of scope (trained on the catalogue; share of non-greeting MASSIVE texts rejected):"
  echo
  echo "| system | dataset | rejected | n | train s | µs/classification p50 |"
  echo "| --- | --- | ---: | ---: | ---: | ---: |"
  printf '%s' "$rows"
fi
