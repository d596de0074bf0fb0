#!/usr/bin/env bash
# Every doctest case belongs to a suite that CTest runs: the cases left when
# the registered suites are excluded would run nowhere.
#   tests/suites.sh RANVIER_TESTS SUITE,SUITE,...
set -uo pipefail
bin=$1 suites=$2
out=$("$bin" -ltc -tse="$suites") || { echo "suites.sh: $bin -ltc failed" >&2; exit 1; }
n=$(sed -n 's/.*passing the current filters: \([0-9]*\).*/\1/p' <<<"$out")
[[ -n $n ]] || { echo "suites.sh: no count in the listing of $bin" >&2; exit 1; }
if [[ $n != 0 ]]; then
  echo "$n test case(s) in no suite that CTest runs (registered: $suites):"
  sed -n '/^=====/,/^=====/{/^=====/d;p}' <<<"$out"
  echo "valid: put them in one of those suites, or register theirs in tests/CMakeLists.txt (ranvier_suite)"
  exit 1
fi
echo "every test case is in a registered suite ($suites)"
