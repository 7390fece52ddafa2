#!/usr/bin/env bash
# The checks that need an NVIDIA GPU, in one command. CI has no GPU, so they are run by hand on
# a machine that has one, and their results are committed:
#
#   bash benchmarks/cuda_check.sh [OUTDIR]
#
# 1. the CUDA tests (`pytest -m cuda tests/torch`): seqlab.torch against torch.nn, that is
#    cuDNN, on the GPU, with TF32 off; and the same layer on CPU and GPU;
# 2. the speed benchmark on the GPU (`benchmarks/rnn_speed.py --device cuda`): seqlab.torch
#    against cuDNN over the whole grid, timed shorter than the CPU run (BENCH_ARGS, default
#    "--seconds 1.5 --target-seconds 15") so that the script takes a few minutes;
# 3. the Markdown summary of that results file, for benchmarks/README.md.
#
# OUTDIR (default benchmarks/results) receives cuda_tests.log, rnn_speed_cuda.json and
# rnn_speed_cuda.md. PYTHON is the interpreter (default: .venv/bin/python where it exists,
# else python3); it needs PyTorch built with CUDA, NumPy, pytest and hypothesis. The exit status
# is the tests' (the benchmark runs even when a test fails; a benchmark error stops the script).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-benchmarks/results}
mkdir -p "$out"
python=${PYTHON:-}
if [ -z "$python" ]; then
    if [ -x .venv/bin/python ]; then python=.venv/bin/python; else python=python3; fi
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
"$python" - <<'EOF'
import sys
import torch
if not torch.cuda.is_available():
    sys.exit("benchmarks/cuda_check.sh: no CUDA device is available to torch "
             f"(torch {torch.__version__}); these checks need an NVIDIA GPU")
print(f"GPU: {torch.cuda.get_device_name(0)}; torch {torch.__version__}, CUDA {torch.version.cuda}, "
      f"cuDNN {torch.backends.cudnn.version()}")
EOF
status=0
"$python" -m pytest -m cuda tests/torch -p no:cacheprovider -q -rs 2>&1 | tee "$out/cuda_tests.log" || status=$?
# shellcheck disable=SC2086  # BENCH_ARGS is a list of options
"$python" benchmarks/rnn_speed.py --device cuda ${BENCH_ARGS:---seconds 1.5 --target-seconds 15} \
    --out "$out/rnn_speed_cuda.json"
"$python" benchmarks/rnn_speed.py --summary "$out/rnn_speed_cuda.json" | tee "$out/rnn_speed_cuda.md"
exit "$status"
