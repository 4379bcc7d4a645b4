#!/usr/bin/env bash
# Start or continue a long training run whose state lives outside the work tree, so that the
# next session on the same machine (the checkout is laid anew each session) resumes it.
# One thread by default: the run goes on beside tests and benchmarks without starving them
# (two torch jobs of two threads each on two cores ran about ten times slower).
# Usage: tools/long_train.sh RECIPE MINUTES [THREADS]
#   state: $COLORGAN_RUNS/<recipe name> (default ~/colorgan-runs), log: train.log in it
set -euo pipefail
recipe=$1
minutes=$2
threads=${3:-1}
runs=${COLORGAN_RUNS:-$HOME/colorgan-runs}
run=$runs/$(basename "$recipe" .json)
mkdir -p "$run"
export OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads PYTHONUNBUFFERED=1
cd "$(dirname "$0")/.."
if [[ -f $run/checkpoint.pt ]]; then
  exec .venv/bin/colorgan train --resume "$run" --max-minutes "$minutes" >>"$run/train.log" 2>&1
fi
exec .venv/bin/colorgan train --config "$recipe" --out "$run" --max-minutes "$minutes" \
  >>"$run/train.log" 2>&1
