#!/usr/bin/env bash
# The instruction set changes no bit: the main build's CLI (for this
# machine's widest set, tools/configure) and the same CLI built for
# x86-64-v2 (SSE4.2, no AVX) run the same models on the CPU engine, and every
# output file is the same byte for byte. Deterministic mode; each model on 1
# and on 2 threads.
#   tests/widths.sh RANVIER RANVIER_X86_64_V2 SOURCE_DIR
set -euo pipefail
wide=$1
narrow=$2
src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "wide:   $("$wide" info | grep -m1 '^build')"
echo "narrow: $("$narrow" info | grep -m1 '^build')"
fail=0
check() {  # model (relative to the source, or absolute), duration [ms], threads
  local name out_w out_n model="$src/$1"
  [[ $1 == /* ]] && model=$1
  name=$(basename "$1" .toml)
  out_w="$tmp/$name.$3.wide"
  out_n="$tmp/$name.$3.narrow"
  "$wide" run "$model" --engine cpu --threads "$3" --duration "$2" --quiet --out "$out_w"
  "$narrow" run "$model" --engine cpu --threads "$3" --duration "$2" --quiet --out "$out_n"
  local files=0
  for f in "$out_w"/*.csv; do
    files=$((files + 1))
    if ! cmp -s "$f" "$out_n/$(basename "$f")"; then
      echo "FAIL: $1 ($3 threads): $(basename "$f") differs: $(cmp "$f" "$out_n/$(basename "$f")" 2>&1 | head -1)"
      fail=1
    fi
  done
  local spikes
  spikes=$(grep -m1 -o '"spikes": [0-9]*' "$out_w/summary.json")
  [[ $files -gt 0 ]] || { echo "FAIL: $1 wrote no outputs"; fail=1; }
  echo "ok: $1, $2 ms, $3 threads: $files files identical ($spikes)"
}
# COBAHH in single precision: its weights take the 32-bit ring.
sed 's/^\[simulation\]$/[simulation]\nprecision = "single"/' "$src/examples/cobahh.toml" > "$tmp/cobahh_single.toml"
grep -q '^precision = "single"' "$tmp/cobahh_single.toml" || { echo "FAIL: no single-precision COBAHH"; exit 1; }
for threads in 1 2; do
  check examples/cobahh.toml 300 "$threads"          # HH point neurons, conductance synapses
  check "$tmp/cobahh_single.toml" 300 "$threads"     # the same in single precision, on the 32-bit ring
  check examples/brunel.toml 200 "$threads"          # LIF, Poisson input
  check examples/stdp_song.toml 3000 "$threads"      # STDP
  check examples/ball_and_stick.toml 50 "$threads"   # a cable cell
  check examples/active_dendrite.toml 50 "$threads"  # channels and calcium in dendrites
  check examples/stochastic_synapse.toml 300 "$threads"  # quantal release
done
exit $fail
