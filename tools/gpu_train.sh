#!/usr/bin/env bash
# Train one recipe on a lent GPU machine (the device tool) and leave in $OUT what a session
# needs back: the weights of the best step and of the last one as float16 (a hint model's
# hint score can go on rising after its automatic best), the validation and loss logs, the
# last sample grid and the end of the training log. Prepared beforehand (README, "Training on a
# GPU machine"): .pack.zip, the `colorgan pack` folders as one archive (thousands of small
# files would count far over their size against the machine's 64 MiB), and .whl/ with the
# wheels that machine lacks.
# Usage: tools/gpu_train.sh RECIPE [MINUTES]
set -euo pipefail
recipe=$1
minutes=${2:-7}
run=/tmp/gpu-run
: "${OUT:?OUT must name the folder for the results}"
rm -rf "$run"  # a machine kept warm still holds the last job's run, already sent back
if [[ -f .pack.zip ]]; then
  python3 -m zipfile -e .pack.zip .
fi
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=$PWD/src${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
python3 -c "import torch; print('torch', torch.__version__, 'on',
  torch.cuda.get_device_name() if torch.cuda.is_available() else 'CPU (no GPU found)')"
status=0
python3 -m colorgan.cli train --config "$recipe" --out "$run" --max-minutes "$minutes" \
  >/tmp/train.log 2>&1 || status=$?
tail -c 200000 /tmp/train.log >"$OUT/train.log"
if [[ -f $run/best.safetensors ]]; then
  python3 -m colorgan.cli export "$run/best.safetensors" "$OUT/best.safetensors" --half
fi
if [[ -f $run/generator.safetensors ]]; then
  python3 -m colorgan.cli export "$run/generator.safetensors" "$OUT/last.safetensors" --half
fi
cp "$run/validation.csv" "$run/losses.csv" "$OUT/" 2>/dev/null || true
last_grid=$(find "$run/samples" -name '*.png' 2>/dev/null | sort | tail -1)
[[ -n $last_grid ]] && cp "$last_grid" "$OUT/last-samples.png"
cat "$run/validation.csv" 2>/dev/null || tail -c 3000 /tmp/train.log
exit $status
