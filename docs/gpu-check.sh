#!/usr/bin/env bash
# The blazepose GPU check, prepared so that a lent GPU's minutes go to measuring.
#
#   bash docs/gpu-check.sh prepare        here (after `make setup`): writes .gpucheck/ with the
#                                         two .tflite models, the test video, MediaPipe's own
#                                         landmarks on it and the wheels the GPU machine lacks
#   bash docs/gpu-check.sh run            there (carry: [".gpucheck"]): parity fp32/fp16 on
#                                         CUDA, batch throughput at 1/8/32/64 streams, GPU
#                                         memory, nvJPEG decode rate; figures into $OUT
#   PYTHON=.venv/bin/python bash docs/gpu-check.sh run --device cpu --quick
#                                         the dry run of the same code here, on the CPU
#
# The GPU machine has its own python3 with CUDA torch, torchvision, OpenCV and numpy, and
# no network: nothing is installed there but the small wheels carried in .gpucheck/wheels.
# docs/blazepose.md explains each figure.
set -euo pipefail
cd "$(dirname "$0")/.."
CHECK=backend/posestudio/engines/blazepose/gpucheck.py

case "${1:-}" in
prepare)
    rm -rf .gpucheck
    .venv/bin/python "$CHECK" prepare .gpucheck/assets
    .tools/bin/pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
        --implementation cp --platform manylinux_2_17_x86_64 -d .gpucheck/wheels "tflite==2.18.0"
    du -sh .gpucheck
    ;;
run)
    shift
    PY=${PYTHON:-python3}
    OUT=${OUT:-gpu-check-out}
    mkdir -p "$OUT"
    if ! "$PY" -c "import tflite" 2>/dev/null; then
        "$PY" -m pip install -q --no-index --no-deps --no-compile --target /tmp/gpucheck-site \
            .gpucheck/wheels/*.whl
    fi
    export PYTHONPATH="backend:/tmp/gpucheck-site${PYTHONPATH:+:$PYTHONPATH}"
    export PYTHONUNBUFFERED=1
    (nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true) \
        | tee "$OUT/nvidia-smi.txt"
    timeout 450 "$PY" "$CHECK" measure .gpucheck/assets --out "$OUT" "$@" 2>&1 \
        | tee "$OUT/gpu-check.log"
    ;;
*)
    echo "usage: $0 prepare | run [--device cpu|cuda] [--quick]" >&2
    exit 2
    ;;
esac
