#!/usr/bin/env bash
# The blazepose GPU check, prepared so that a lent GPU's minutes go to measuring.
#
#   bash docs/gpu-check.sh prepare        here (after `make setup`): writes .gpucheck/ with the
#                                         two .tflite models, the test video, MediaPipe's own
#                                         landmarks on it and the wheels the GPU machine lacks
#   bash docs/gpu-check.sh run            there (carry: [".gpucheck"]): parity fp32/fp16 on
#                                         CUDA, batch throughput at 1/8/32/64 streams, GPU
#                                         memory, nvJPEG decode rate, the served pipeline at
#                                         1-200 streams, CUDA graphs and torch.compile;
#                                         figures into $OUT, rewritten after each stage
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
    # What the pipeline imports beyond the GPU image's own packages (torch, torchvision,
    # OpenCV, numpy, prometheus-client, psutil, nvidia-ml-py), at the lock's versions, for
    # the image's Python (3.12; GPUCHECK_PYTHON_VERSION for a dry run on another).
    wheels=(tflite pydantic pydantic-core pydantic-settings python-dotenv annotated-types
        typing-inspection typing-extensions simplejpeg)
    pins=()
    for name in "${wheels[@]}"; do
        version=$(grep -A1 "^name = \"$name\"$" uv.lock | sed -n 's/^version = "\(.*\)"/\1/p')
        pins+=("$name==$version")
    done
    .tools/bin/pip download -q --no-deps --only-binary=:all: \
        --python-version "${GPUCHECK_PYTHON_VERSION:-3.12}" --implementation cp \
        --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
        --platform manylinux_2_28_x86_64 -d .gpucheck/wheels "${pins[@]}"
    du -sh .gpucheck
    ;;
run)
    shift
    PY=${PYTHON:-python3}
    OUT=${OUT:-gpu-check-out}
    mkdir -p "$OUT"
    if ! "$PY" -c "import tflite, pydantic_settings, simplejpeg" 2>/dev/null; then
        "$PY" -m pip install -q --no-index --no-deps --no-compile --upgrade \
            --target /tmp/gpucheck-site .gpucheck/wheels/*.whl
    fi
    export PYTHONPATH="backend:/tmp/gpucheck-site${PYTHONPATH:+:$PYTHONPATH}"
    export PYTHONUNBUFFERED=1
    (nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true) \
        | tee "$OUT/nvidia-smi.txt"
    timeout 480 "$PY" "$CHECK" measure .gpucheck/assets --out "$OUT" "$@" 2>&1 \
        | tee "$OUT/gpu-check.log"
    ;;
*)
    echo "usage: $0 prepare | run [--device cpu|cuda] [--quick]" >&2
    exit 2
    ;;
esac
