#!/usr/bin/env bash
# Thread scaling on a many-core machine (issue 19's goals: with 16 threads at least 10x the 1-thread throughput at
# batch 1024 and 6x at batch 50; peak RSS from 2 to 16 threads up by at most 10%), then each engine against PyTorch
# at every core, then the book's 9.5 run on one thread (native against WebAssembly). One script, so that a lent
# machine's few minutes go to one prepared call; each part writes its output as it finishes, so a run stopped at
# its time limit still leaves what it measured.
#
# Usage: bash bench/scaling.sh [OUT_DIR] (default: $OUT where set, else scaling-out/ in the repository's root)
# Needs dist/ and build/Release/ (npm install), and, where the machine has no Node, .device/node.xz (a Node binary
# compressed with xz, unpacked here with Python's lzma); Tiny Shakespeare from $TINY, .device/tinyshakespeare.txt or
# ../shared/data/; The Time Machine from RNNLM_DATA_URL (default: the repository's offline copy, data/); PyTorch from
# $PYTHON (default python3), skipped where it does not import torch. Prepare and call, on this project's machines:
#   mkdir -p .device && xz -T0 -6 -c "$(command -v node)" >.device/node.xz && cp ../shared/data/tinyshakespeare.txt .device/
#   grep -qx '/.device/' .git/info/exclude || echo /.device/ >>.git/info/exclude
#   then the device tool: run "bash bench/scaling.sh" carrying dist, build/Release and .device (timeout 540 s)
# Sizes are cut to fit such a call (about 5 minutes on 16 cores): 2,048 windows of batch 1024 and 300 of batch 50,
# 3 epochs each, so that each engine's median epoch is one after its first (which pays for the process's fresh memory).
set -euo pipefail
# the output folder and TINY as the caller named them, before the script moves to the repository's root
out="${1:-${OUT:-}}"
[ -z "$out" ] || { mkdir -p "$out" && out="$(cd "$out" && pwd)"; }
tiny="${TINY:-}"
[ -z "$tiny" ] || tiny="$(cd "$(dirname "$tiny")" && pwd)/$(basename "$tiny")"
cd "$(dirname "$0")/.."
out="${out:-$PWD/scaling-out}"
mkdir -p "$out"

node_bin="$(command -v node || true)"
if [ -z "$node_bin" ]; then
  [ -f .device/node.xz ] || { echo "scaling.sh: no node on PATH and no .device/node.xz" >&2; exit 2; }
  python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' .device/node.xz /tmp/node
  chmod +x /tmp/node
  node_bin=/tmp/node
fi
[ -f dist/src/cli/main.js ] || { echo "scaling.sh: no dist/ (run npm install, or carry dist)" >&2; exit 2; }
for f in .device/tinyshakespeare.txt ../shared/data/tinyshakespeare.txt; do [ -n "$tiny" ] || { [ -f "$f" ] && tiny="$PWD/$f"; } || true; done
export RNNLM_DATA_URL="${RNNLM_DATA_URL:-$("$node_bin" -p 'require("node:url").pathToFileURL(process.cwd() + "/data/").href')}"
if [ -z "${RNNLM_CACHE_DIR:-}" ]; then
  RNNLM_CACHE_DIR="$(mktemp -d)"
  export RNNLM_CACHE_DIR
  trap 'rm -rf "$RNNLM_CACHE_DIR"' EXIT
fi
python="${PYTHON:-python3}"
has_torch=$("$python" -c 'import torch' 2>/dev/null && echo 1 || true)
# the cores rnnlm itself counts (nproc would obey OMP_NUM_THREADS, which ML images often set)
cores="$("$node_bin" -p 'require("node:os").availableParallelism()')"
counts=1
for n in 2 4 8 16 32 64; do [ "$n" -le "$cores" ] && counts="$counts,$n"; done

rnnlm() { "$node_bin" dist/src/cli/main.js "$@"; }
failed=0
part() { # name, then the command: its output to $out/name.txt and to this script's output; a failed part is reported
  local name="$1"; shift
  echo "== $name: $*"
  if ! "$@" 2>&1 | tee "$out/$name.txt"; then
    echo "scaling.sh: $name failed (exit ${PIPESTATUS[0]})" | tee -a "$out/$name.txt"
    failed=$((failed + 1))
  fi
}
skipped() { # name, why: a part that cannot run here says so in its file
  echo "scaling.sh: $1 skipped: $2" | tee "$out/$1.txt"
}

{
  echo "date $(date -u +%FT%TZ); $cores cores (nproc $(nproc)): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-); kernel $(uname -r)"
  echo "node $("$node_bin" --version); PyTorch: $("$python" -c 'import torch; print(torch.__version__, torch.get_num_threads(), "threads by default")' 2>/dev/null || echo none)"
  echo "thread counts: $counts"
} | tee "$out/machine.txt"

# SCALING_SIZES=tiny: the same parts at toy sizes, in seconds (test/scaling-script.test.ts runs it so)
tiny_sizes=$([ "${SCALING_SIZES:-}" = tiny ] && echo 1 || true)
lstm256=(--cells lstm --layers 2 --hiddens 256 --batch-size 1024 --num-train 2048 --num-val 0 --epochs 3)
[ -z "$tiny_sizes" ] || lstm256=(--cells lstm --layers 2 --hiddens 8 --batch-size 16 --num-train 32 --num-val 0 --epochs 2)
part batch1024-threads rnnlm bench "${lstm256[@]}" --threads "$counts" --engines rnnlm-concise --no-torch
if [ -n "$tiny" ]; then
  charrnn=(--data "$tiny" --text raw --cells lstm --layers 2 --hiddens 512 --batch-size 50 --num-steps 50 --num-train 300 --num-val 0 --epochs 3)
  [ -z "$tiny_sizes" ] || charrnn=(--data "$tiny" --text raw --cells lstm --layers 2 --hiddens 8 --batch-size 5 --num-steps 5 --num-train 10 --num-val 0 --epochs 2)
  part batch50-threads rnnlm bench "${charrnn[@]}" --threads "$counts" --engines rnnlm-concise --no-torch
else
  skipped batch50-threads "no Tiny Shakespeare (TINY, .device/ or ../shared/data/)"
fi
# against PyTorch, every engine on one thread per core (and on 2, the development machine's count, for scale)
both=2; [ "$cores" -le 2 ] || both="2,$cores"
if [ -z "$has_torch" ]; then
  skipped batch1024-torch "$python does not import torch"
  skipped batch50-torch "$python does not import torch"
else
  part batch1024-torch rnnlm bench "${lstm256[@]}" --threads "$both" --engines rnnlm-concise,torch-concise --python "$python"
  if [ -n "$tiny" ]; then
    part batch50-torch rnnlm bench "${charrnn[@]}" --threads "$both" --engines rnnlm-concise,torch-concise --python "$python"
  else
    skipped batch50-torch "no Tiny Shakespeare (TINY, .device/ or ../shared/data/)"
  fi
fi
# the book's run on one thread: the native kernels against WebAssembly's (on a sandboxed kernel they once ran 1.6x slower)
for round in 1 2; do
  for backend in native wasm; do
    part "book-9.5-$backend-$round" rnnlm train --epochs "$([ -z "$tiny_sizes" ] && echo 20 || echo 1)" --threads 1 --backend "$backend" --num-val 0
  done
done
if [ "$failed" -gt 0 ]; then
  echo "scaling.sh: $failed part(s) failed; results in $out" >&2
  exit 1
fi
echo "scaling.sh: done; results in $out"
