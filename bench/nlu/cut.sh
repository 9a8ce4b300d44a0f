#!/usr/bin/env bash
# Cuts a TSV training file (text<TAB>intent) to the first N examples of each intent, in file
# order, so that few-example benchmarks are deterministic and the data is never copied here.
#
#   bench/nlu/cut.sh N < ../shared/data/massive-fr/train.tsv > /tmp/massive-15.tsv
set -eu
n=${1:?usage: cut.sh N < train.tsv > cut.tsv}
awk -F'\t' -v n="$n" 'NF >= 2 && seen[$2]++ < n' 
