#!/usr/bin/env bash
# Issue 21, part 1: the GPU check, in one run under its own time limit.
#
#   bash benchmarks/device/gpu_check.sh                # on a CUDA machine, from the repository root
#   bash benchmarks/device/gpu_check.sh --cpu-dry-run  # here: the same steps, small, on the CPU
#
# Writes everything under $OUT (a temporary folder if unset):
#   env.txt               GPU, driver, Python packages; which of the book's imports are missing
#   cuda_tests.txt        pytest on every CUDA case (-k cuda: tests/test_devices.py's among them)
#   fista_graphs.txt/.json  the GPU FISTA table at 1000 signals: library (eager), static eager,
#                         CUDA-graphed and torch.compile(mode="reduce-overhead") columns in one run,
#                         % of the matmul peak, and scikit-learn lasso_cd on the CPU's cores
#   notebooks.txt         each notebook's execution time on CUDA and the total ("make notebooks")
#   summary.txt           exit status and seconds of each step
#
# Time: the whole script stops after GPU_CHECK_LIMIT seconds (default 330), so that with a
# machine's start (1-2 min) it fits twice in a 15-minute device budget: steps get at most
# TESTS_S (100), TABLE_S (110) and the rest for the notebooks; each step's partial output stays.
# With the device tool (the notebooks need MNIST, which the machine cannot download):
#   mkdir -p .device_data && cp ~/.cache/latentebm/mnist.npz .device_data/
#   grep -qx '/.device_data/' .git/info/exclude || echo /.device_data/ >> .git/info/exclude
#   run(command="bash benchmarks/device/gpu_check.sh", carry=[".device_data"], timeout_s=360)
set -u
DRY=0
[ "${1:-}" = "--cpu-dry-run" ] && DRY=1
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
LIMIT=${GPU_CHECK_LIMIT:-330}
TESTS_S=${TESTS_S:-100}
TABLE_S=${TABLE_S:-110}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PY=${PYTHON:-python}
export PYTHONPATH="$ROOT/lib${PYTHONPATH:+:$PYTHONPATH}"
[ -f .device_data/mnist.npz ] && export LATENTEBM_DATA="$ROOT/.device_data"
START=$(date +%s)
left() { echo $((LIMIT - ($(date +%s) - START))); }
budget() { # the smaller of a step's own limit and what is left of the whole
    local l; l=$(left); [ "$1" -lt "$l" ] && echo "$1" || echo "$l"
}
step() { # step NAME SECONDS COMMAND...: run under timeout, record status and time
    local name=$1 secs=$2; shift 2
    if [ "$secs" -lt 5 ]; then
        echo "$name: skipped (time limit of ${LIMIT} s spent)" | tee -a "$OUT/summary.txt"
        return
    fi
    local t0; t0=$(date +%s)
    timeout --signal=INT --kill-after=10 "$secs" "$@" </dev/null
    local rc=$?
    local what="exit $rc"; { [ $rc -eq 124 ] || [ $rc -eq 137 ]; } && what="TIMED OUT after $secs s"
    echo "$name: $what, $(( $(date +%s) - t0 )) s" | tee -a "$OUT/summary.txt"
}

echo "gpu_check $( [ $DRY = 1 ] && echo '(CPU dry run)' ) $(date -u) limit ${LIMIT} s" > "$OUT/summary.txt"
{
    date -u; uname -a; nproc
    command -v nvidia-smi >/dev/null && nvidia-smi
    $PY - <<'EOF'
import importlib, sys
print("python", sys.version)
for mod in ("torch", "numpy", "scipy", "sklearn", "numba", "matplotlib", "ipywidgets", "nbformat",
            "nbclient", "ipykernel", "threadpoolctl", "spams"):
    try:
        m = importlib.import_module(mod)
        print(f"{mod} {getattr(m, '__version__', '?')}")
    except Exception as e:  # noqa: BLE001
        print(f"{mod} MISSING ({type(e).__name__}: {e})")
import torch
print("cuda available:", torch.cuda.is_available(),
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
EOF
} > "$OUT/env.txt" 2>&1

if [ $DRY = 1 ]; then
    # the CUDA selection collected (its cases skip here), the table small, one notebook
    step tests "$(budget "$TESTS_S")" \
        $PY -m pytest tests/test_devices.py tests/sparse -q -p no:cacheprovider -k cuda --co \
        > "$OUT/cuda_tests.txt" 2>&1
    step fista_table "$(budget "$TABLE_S")" $PY benchmarks/device/fista_graphs.py --cpu-dry-run \
        --sklearn-jobs 1 --json "$OUT/fista_graphs.json" > "$OUT/fista_graphs.txt" 2>&1
    step notebooks "$(budget "$(left)")" $PY benchmarks/device/run_notebooks.py --out "$OUT" \
        --budget $(( $(left) - 10 )) notebooks/00_how_to_read.ipynb > "$OUT/notebooks_log.txt" 2>&1
else
    $PY -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" \
        || { echo "no CUDA device: use --cpu-dry-run" | tee -a "$OUT/summary.txt"; exit 2; }
    step cuda_tests "$(budget "$TESTS_S")" $PY -m pytest tests -q -p no:cacheprovider \
        -k cuda -rs > "$OUT/cuda_tests.txt" 2>&1
    step fista_table "$(budget "$TABLE_S")" $PY benchmarks/device/fista_graphs.py \
        --sklearn-jobs "$(nproc)" --json "$OUT/fista_graphs.json" > "$OUT/fista_graphs.txt" 2>&1
    step notebooks "$(budget "$(left)")" $PY benchmarks/device/run_notebooks.py --out "$OUT" \
        --budget $(( $(left) - 10 )) > "$OUT/notebooks_log.txt" 2>&1
fi
echo "total: $(( $(date +%s) - START )) s; files in $OUT" | tee -a "$OUT/summary.txt"
