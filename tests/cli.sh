#!/usr/bin/env bash
# The command line: flags are values of the model and are checked like it
# (a bad one is reported, never ignored); a numerical failure, a signal, a
# kill and a full disk each end as documented (exit code, message, files);
# `ranvier info` ends its last line. Usage: tests/cli.sh RANVIER_BINARY SOURCE_DIR
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
expect_error "--duration: -5.0 ms is shorter than one step" --duration -5
expect_error "is not a finite number" --duration nan
expect_error "steps of" --duration 1e30
expect_error "--threads -3: valid: an integer >= 1" --threads -3
expect_error "--threads 0: valid: an integer >= 1" --threads 0
expect_error "--seed 99999999999999999999: valid: an integer from 0 to 18446744073709551615" --seed 99999999999999999999
expect_error "--seed -1: valid" --seed -1
expect_error "--seed 12x: valid" --seed 12x
# A checkpoint directory that cannot be made: refused before any step, nothing written.
touch "$out/afile"
msg=$("$bin" run "$model" --out "$out/ckdir" --quiet --checkpoint-every 50 --checkpoint-dir "$out/afile/x" 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 2 ] || [[ $msg != *"checkpoint directory $out/afile/x: it cannot be created"* ]] || [ -e "$out/ckdir" ]; then
  echo "FAIL: --checkpoint-dir under a file -> exit $rc, '$msg'; expected exit 2, the directory named, no $out/ckdir"
  fail=1
else
  echo "ok: bad --checkpoint-dir -> exit 2: $msg"
fi
# Flags the parser refuses (not a number, unknown): exit 2 too.
expect_error "Could not convert: --threads = abc" --threads abc
expect_error "not expected: --no-such-flag" --no-such-flag
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
# A numerical failure: exit 4, the message with the step, outputs committed
# up to the failing step (its sample the last: v every step), summary.json says so.
sed -e 's/^amp = 0.1 .*/amp = 1e6/' -e 's/^start = 10.0 .*/start = 50.0/' "$model" > "$out/blow.toml"
msg=$("$bin" run "$out/blow.toml" --out "$out/blow" --quiet 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 4 ] || [[ $msg != *"numerical failure at t = 50.025 ms: population hh, cell 0"* ]] ||
   [[ $msg != *"the outputs end at the failure"* ]] ||
   ! grep -q '"status": "numerical failure"' "$out/blow/summary.json" || [ ! -s "$out/blow/hh.v.csv" ] ||
   ! grep -q '"outputs_end_ms": 50.025' "$out/blow/summary.json" ||
   [ "$(tail -n 1 "$out/blow/hh.v.csv" | cut -d, -f1)" != "50.025" ]; then
  echo "FAIL: a blown-up voltage -> exit $rc, '$msg', last sample at '$(tail -n 1 "$out/blow/hh.v.csv" | cut -d, -f1)';"
  echo "      expected exit 4, the step and the cell, outputs committed up to 50.025 ms"
  fail=1
else
  echo "ok: numerical failure -> exit 4: $msg"
fi
# A long run: SIGTERM and SIGINT stop it, outputs committed, exit 128 + signal;
# SIGKILL leaves progress.json and .partial files of complete lines.
long=$2/examples/cobahh.toml
for sig in TERM INT KILL; do
  d="$out/sig$sig"
  "$bin" run "$long" --out "$d" --quiet --threads 1 --duration 1000000 2>"$out/sig$sig.err" &
  pid=$!
  sleep 3
  kill -s "$sig" $pid
  wait $pid 2>/dev/null
  rc=$?
  case $sig in
    TERM | INT)
      want=$((128 + $(kill -l "$sig")))
      if [ $rc -ne $want ] || ! grep -q '"status": "interrupted"' "$d/summary.json" ||
         ! grep -q "interrupted by SIG$sig" "$out/sig$sig.err" || [ "$(wc -l < "$d/spikes.csv")" -lt 100 ] ||
         [ -e "$d/progress.json" ] || ls "$d" | grep -q partial; then
        echo "FAIL: SIG$sig -> exit $rc (expected $want), $(cat "$out/sig$sig.err"), files: $(ls "$d" | tr '\n' ' ')"
        fail=1
      else
        echo "ok: SIG$sig -> exit $rc, $(cat "$out/sig$sig.err")"
      fi ;;
    KILL)
      # Every line of the spikes so far but a torn last one is a spike.
      bad=$(head -n -1 "$d/spikes.csv.partial" | tail -n +2 | grep -cvE '^[0-9]+\.[0-9]+,(exc|inh),[0-9]+$')
      if [ $rc -ne 137 ] || ! grep -q '"status": "running"' "$d/progress.json" || [ -e "$d/summary.json" ] ||
         [ "$bad" -ne 0 ] || [ "$(wc -l < "$d/spikes.csv.partial")" -lt 100 ]; then
        echo "FAIL: SIGKILL -> exit $rc, progress: $(cat "$d/progress.json" 2>&1), $bad malformed lines"
        fail=1
      else
        echo "ok: SIGKILL -> progress.json at step $(grep -o '"steps": [0-9]*' "$d/progress.json"), $(wc -l < "$d/spikes.csv.partial") lines of spikes, none malformed"
      fi ;;
  esac
done
# Checkpoints: a run killed (SIGKILL) after some checkpoints is resumed from
# the last one, and its outputs equal the uninterrupted run's byte for byte;
# SIGTERM writes a checkpoint and says how to resume; a cut checkpoint is
# refused (exit 2).
sed -e 's/^size = 3200/size = 800/' -e 's/^size = 800/size = 200/' "$2/examples/cobahh.toml" > "$out/small.toml"
"$bin" run "$out/small.toml" --out "$out/ck_whole" --quiet --threads 1 --engine cpu --duration 40000
"$bin" run "$out/small.toml" --out "$out/ck" --quiet --threads 1 --engine cpu --duration 40000 --checkpoint-every 15000 &
pid=$!
# Killed once the outputs went on past a checkpoint (progress.json, written
# every chunk, at a step that is not one of the checkpoints'), so that the
# resume must cut them back. A chunk is at most 100000 steps (host/run.cpp),
# less than the 150000 between checkpoints, so however fast the machine, a
# chunk ends between two checkpoints.
for _ in $(seq 1 3000); do  # up to 60 s: the first checkpoint (150000 steps) is slow under ASan
  if [ -e "$out/ck/checkpoint/checkpoint.rvc" ]; then
    s=$(grep -o '"steps": [0-9]*' "$out/ck/progress.json" 2>/dev/null | grep -o '[0-9]*$')
    [ -n "$s" ] && [ $((s % 150000)) -ne 0 ] && break
  fi
  sleep 0.02
done
kill -KILL $pid
wait $pid 2>/dev/null
rc=$?
ckstep=$(grep -o '"steps": [0-9]*' "$out/ck/progress.json" 2>/dev/null)
if [ $rc -ne 137 ] || [ -e "$out/ck/summary.json" ] || [ ! -e "$out/ck/checkpoint/checkpoint.rvc" ]; then
  echo "FAIL: the checkpointed run was not killed mid-way after a checkpoint (exit $rc; make it longer)"
  fail=1
elif ! "$bin" resume "$out/ck/checkpoint" --quiet; then
  echo "FAIL: ranvier resume after SIGKILL -> exit $?"
  fail=1
else
  same=1
  for f in "$out"/ck_whole/*.csv; do
    if ! cmp -s "$f" "$out/ck/$(basename "$f")"; then
      echo "FAIL: after SIGKILL at $ckstep and resume, $(basename "$f") differs from the run in one piece"
      same=0
      fail=1
    fi
  done
  [ $same -eq 1 ] && echo "ok: SIGKILL at $ckstep, resume from step $(grep -o '"resumed_from_step": [0-9]*' "$out/ck/summary.json" | grep -o '[0-9]*$'): $(ls "$out"/ck_whole/*.csv | wc -l) outputs identical to the run in one piece"
fi
"$bin" run "$out/small.toml" --out "$out/ckterm" --quiet --threads 1 --engine cpu --duration 1000000 \
  --checkpoint-every 1000000 2>"$out/ckterm.err" &
pid=$!
sleep 2
kill -TERM $pid
wait $pid 2>/dev/null
rc=$?
step=$(grep -o '"checkpoint_step": [0-9]*' "$out/ckterm/summary.json" | grep -o '[0-9]*$')
if [ $rc -ne 143 ] || ! grep -q "ranvier resume $out/ckterm/checkpoint. continues it" "$out/ckterm.err" ||
   [ -z "$step" ] || [ "$step" -le 0 ] ||
   ! "$bin" resume "$out/ckterm/checkpoint" --quiet --duration "$(( step / 10 + 20 ))"; then
  echo "FAIL: SIGTERM with checkpoints -> exit $rc, '$(cat "$out/ckterm.err")', checkpoint step '$step', or its resume failed"
  fail=1
else
  echo "ok: SIGTERM -> checkpoint at step $step, resumed to $(( step / 10 + 20 )) ms: $(cat "$out/ckterm.err")"
fi
mkdir -p "$out/cut"
head -c 3000 "$out/ck/checkpoint/checkpoint.rvc" > "$out/cut/checkpoint.rvc"
msg=$("$bin" resume "$out/cut" --quiet 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 2 ] || [[ $msg != *"the checkpoint is damaged"* ]]; then
  echo "FAIL: a cut checkpoint -> exit $rc, '$msg'; expected exit 2, damaged"
  fail=1
else
  echo "ok: cut checkpoint -> exit 2: $msg"
fi
# A run directory copied (or moved) with its checkpoint inside continues its
# own outputs, never the original's. copied_resumes FROM TO SLASH: a run of
# 60 ms into FROM (--out FROM followed by SLASH), copied to TO and resumed
# there to 100 ms.
copied_resumes() {
  "$bin" run "$model" --out "$out/$1$3" --quiet --duration 60 --checkpoint-every 30
  cp -r "$out/$1" "$out/$2"
  cp "$out/$1/hh.v.csv" "$out/$1.v"
  if ! "$bin" resume "$out/$2/checkpoint$3" --quiet --duration 100 || ! cmp -s "$out/$1/hh.v.csv" "$out/$1.v" ||
     [ "$(tail -n 1 "$out/$2/hh.v.csv" | cut -d, -f1)" != "100.000" ]; then
    echo "FAIL: resuming a copy of a run directory (--out '$1$3') changed the original's outputs or not its own"
    fail=1
  else
    echo "ok: a copied run directory (--out '$1$3') resumes its own outputs"
  fi
}
copied_resumes runA runB ""
copied_resumes runS runT /  # a trailing slash, as shells complete it
msg=$("$bin" resume "$out/runB" --quiet 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 2 ] || [[ $msg != *"looks like a run's output directory: \`ranvier resume $out/runB/checkpoint\`"* ]]; then
  echo "FAIL: resume of an output directory -> exit $rc, '$msg'; expected exit 2 and its checkpoint directory"
  fail=1
fi
mv "$out/runB" "$out/runC"
if ! "$bin" resume "$out/runC/checkpoint" --quiet --duration 110 || [ -e "$out/runB" ] ||
   [ "$(tail -n 1 "$out/runC/hh.v.csv" | cut -d, -f1)" != "110.000" ]; then
  echo "FAIL: resuming a moved run directory failed or wrote where it was"
  fail=1
else
  echo "ok: a moved run directory resumes its own outputs"
fi
# A checkpoint directory kept apart from the outputs: it continues them where
# the run wrote them (runA, at 60 ms).
mkdir -p "$out/apart"
cp -r "$out/runA/checkpoint" "$out/apart/ck"
if ! "$bin" resume "$out/apart/ck" --quiet --duration 80 ||
   [ "$(tail -n 1 "$out/runA/hh.v.csv" | cut -d, -f1)" != "80.000" ]; then
  echo "FAIL: a checkpoint kept apart from its outputs did not continue them"
  fail=1
else
  echo "ok: a checkpoint kept apart continues the outputs where the run wrote them"
fi
# A file the model reads (given spike times) changed between the run and its
# resume: refused, exit 2, saying which.
mkdir -p "$out/sf"
cp "$2/tests/model_files/spike_file.toml" "$2/tests/model_files/spike_file.csv" "$out/sf/"
"$bin" run "$out/sf/spike_file.toml" --out "$out/sf/o" --quiet --checkpoint-every 5
sed -i 's/^7.25,1/8.25,1/' "$out/sf/spike_file.csv"
msg=$("$bin" resume "$out/sf/o/checkpoint" --quiet --duration 20 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 2 ] || [[ $msg != *"a file the model reads has changed since the checkpoint"* ]]; then
  echo "FAIL: resuming after the spike file changed -> exit $rc, '$msg'; expected exit 2 and the reason"
  fail=1
else
  echo "ok: changed spike file -> exit 2: $msg"
fi
# A full disk: the spikes file is /dev/full; exit 5 naming it, nothing committed.
mkdir -p "$out/full"
ln -s /dev/full "$out/full/spikes.csv.partial"
msg=$("$bin" run "$model" --out "$out/full" --quiet 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 5 ] || [[ $msg != *"spikes.csv.partial failed: No space left on device (the disk is full"* ]] ||
   [ -e "$out/full/spikes.csv" ]; then
  echo "FAIL: a full disk -> exit $rc, '$msg'; expected exit 5 and the file"
  fail=1
else
  echo "ok: full disk -> exit 5: $msg"
fi
# A full disk under a large write (a whole chunk of samples at once), into
# the directory of an earlier run: the disk named; the earlier run's
# summary.json and outputs left as they were, no progress.json.
"$bin" run "$model" --out "$out/full2" --quiet --duration 20
cp "$out/full2/summary.json" "$out/full2.summary"
cp "$out/full2/hh.v.csv" "$out/full2.v"
ln -s /dev/full "$out/full2/hh.v.csv.partial"
msg=$("$bin" run "$model" --out "$out/full2" --quiet 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 5 ] || [[ $msg != *"hh.v.csv.partial failed: No space left on device (the disk is full"* ]] ||
   ! cmp -s "$out/full2/summary.json" "$out/full2.summary" || ! cmp -s "$out/full2/hh.v.csv" "$out/full2.v" ||
   [ -e "$out/full2/progress.json" ] || [ -e "$out/full2/summary.json.earlier" ]; then
  echo "FAIL: a full disk under an earlier run -> exit $rc, '$msg'; expected exit 5, the disk named, the earlier run kept"
  fail=1
else
  echo "ok: full disk over an earlier run -> exit 5, earlier summary and outputs kept: $msg"
fi
# A write that fails part-way (a file size limit, SIGXFSZ ignored): the
# file and its errno named, not only the stream's error flag; no
# progress.json left saying "running".
msg=$( (trap '' XFSZ; ulimit -f 20; "$bin" run "$model" --out "$out/fsize" --quiet) 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 5 ] || [[ $msg != *"hh.v.csv.partial failed: File too large"* ]] || [ -e "$out/fsize/progress.json" ]; then
  echo "FAIL: a write past the file size limit -> exit $rc, '$msg'; expected exit 5 and 'File too large'"
  fail=1
else
  echo "ok: file size limit -> exit 5: $msg"
fi
# `ranvier info MODEL`: the estimate; a bad model is reported like `run` does.
info=$("$bin" info "$2/examples/cobahh.toml")
if [[ $info != *"4000 cells, 4000 compartments, 320000 connections"* ]] || [[ $info != *"host memory"* ]] ||
   [[ $info != *"fits        "* ]]; then
  echo "FAIL: ranvier info MODEL did not print the estimate: $info"
  fail=1
else
  echo "ok: info MODEL -> $(echo "$info" | grep -E '^(host memory|fits)' | tr '\n' ' ')"
fi
printf '[simulation]\ndt = -1\nduration = 10\n' > "$out/bad.toml"
msg=$("$bin" info "$out/bad.toml" 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 2 ] || [[ $msg != *"simulation.dt"* ]]; then
  echo "FAIL: ranvier info BAD -> exit $rc, '$msg'; expected exit 2 and the key"
  fail=1
fi
# The CLI has waiting OpenMP threads spin briefly (GOMP_SPINCOUNT 10000),
# unless the user chose.
if ! env -u GOMP_SPINCOUNT -u OMP_WAIT_POLICY "$bin" info | grep -q "GOMP_SPINCOUNT = 10000" ||
   ! env -u GOMP_SPINCOUNT OMP_WAIT_POLICY=PASSIVE "$bin" info | grep -q "as OMP_WAIT_POLICY = PASSIVE"; then
  echo "FAIL: ranvier info does not show the OpenMP wait setting: $("$bin" info | grep OpenMP)"
  fail=1
fi
# `ranvier info`: every line ends in a newline.
last=$("$bin" info | tail -c 1 | od -An -c | tr -d ' ')
if [ "$last" != '\n' ]; then
  echo "FAIL: ranvier info does not end in a newline (last character '$last')"
  fail=1
fi
exit $fail
