#!/usr/bin/env bash
# The command line: flags are values of the model and are checked like it
# (a bad one is reported, never ignored), and `ranvier info` ends its last
# line. Usage: tests/cli.sh RANVIER_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
model=$2/examples/hh_single.toml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
# expect_error EXPECTED-SUBSTRING ARGS...: exit 2 and the message on stderr.
expect_error() {
  local want=$1
  shift
  local msg rc
  msg=$("$bin" run "$model" --out "$out" --quiet "$@" 2>&1 >/dev/null)
  rc=$?
  if [ $rc -ne 2 ] || [[ $msg != *"$want"* ]]; then
    echo "FAIL: ranvier run $* -> exit $rc, '$msg'; expected exit 2 and '$want'"
    fail=1
  else
    echo "ok: $* -> $msg"
  fi
}
expect_error "shorter than one step" --duration -5
expect_error "is not a finite number" --duration nan
expect_error "steps of" --duration 1e30
expect_error "--threads -3: valid: an integer >= 1" --threads -3
expect_error "--threads 0: valid: an integer >= 1" --threads 0
expect_error "--seed 99999999999999999999: valid: an integer from 0 to 18446744073709551615" --seed 99999999999999999999
expect_error "--seed -1: valid" --seed -1
expect_error "--seed 12x: valid" --seed 12x
# Good flags still run.
if ! "$bin" run "$model" --out "$out" --quiet --duration 5 --seed 18446744073709551615 --threads 1; then
  echo "FAIL: good flags did not run"
  fail=1
fi
# Two records of one population and variable: two files, neither lost.
cp "$model" "$out/twice.toml"
printf '\n[[record]]\npopulation = "hh"\nvariable = "v"\ninterval = 1.0\n' >> "$out/twice.toml"
if ! "$bin" run "$out/twice.toml" --out "$out/twice" --quiet --duration 20 ||
   [ ! -s "$out/twice/hh.v.csv" ] || [ "$(wc -l < "$out/twice/hh.v.2.csv")" -ne 22 ]; then
  echo "FAIL: two records of hh.v did not give hh.v.csv and hh.v.2.csv (21 samples)"
  fail=1
fi
# `ranvier info`: every line ends in a newline.
last=$("$bin" info | tail -c 1 | od -An -c | tr -d ' ')
if [ "$last" != '\n' ]; then
  echo "FAIL: ranvier info does not end in a newline (last character '$last')"
  fail=1
fi
exit $fail
