#!/bin/bash
# Peak memory and time of rnnlm on large texts, measured by the OS (/usr/bin/time -v: maximum resident set size of
# the process and its threads; Debian package `time`). Texts are tiny Shakespeare repeated to 50, 100 and 200 MB.
# Rows: training one epoch of the full split (--text raw: every character; 90% train, 10% validate, in
# non-overlapping windows), the book split on the 200 MB text (reads only its windows), and eval (streams the file).
# Not a timing benchmark of the kernels: wall seconds include reading, tokenizing (two passes) and training.
# Usage: bash bench/memory.sh [SOURCE_TEXT] > bench/memory.md
set -euo pipefail
cd "$(dirname "$0")/.."
SRC="${1:-../shared/data/tinyshakespeare.txt}"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
export RNNLM_DATA_URL="${RNNLM_DATA_URL:-file://$(cd "$(dirname "$SRC")" && pwd)/}"
CLI=(node dist/src/cli/main.js)

make_text() { # bytes -> path: SRC repeated, cut to exactly that many bytes
  local path="$DIR/text-$1.txt"
  python3 - "$SRC" "$path" "$1" <<'PY'
import sys
src, path, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, 'rb').read()
with open(path, 'wb') as f:
    left = size
    while left > 0:
        f.write(data[:left]); left -= min(left, len(data))
PY
  echo "$path"
}

measure() { # label, file, command... -> a table row
  local label="$1" file="$2"; shift 2
  local log="$DIR/time.log"
  /usr/bin/time -v "$@" > "$DIR/out.log" 2> "$log" || { echo "| $label | failed: $(grep -v '^\s' "$log" | tail -1) |"; return; }
  local kb wall size
  kb=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  size=$(stat -c %s "$file")
  python3 - "$label" "$size" "$kb" "$wall" <<'PY'
import sys
label, size, kb, wall = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
parts = [float(p) for p in wall.split(':')]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
print(f"| {label} | {size / 1e6:.0f} MB | {kb / 1024:.0f} MiB | {kb * 1024 / size:.2f} | {secs:.1f} |")
PY
}

echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, node $(node --version), from \`bash bench/memory.sh\`."
echo
echo "| run | file | peak memory (max RSS) | peak / file size | seconds |"
echo "| --- | --- | --- | --- | --- |"
"${CLI[@]}" train --data "$SRC" --text raw --split full --epochs 1 --out "$DIR/model.safetensors" --quiet > /dev/null
for mb in 50 100 200; do
  f=$(make_text $((mb * 1000000)))
  measure "train --text raw --split full --epochs 1" "$f" "${CLI[@]}" train --data "$f" --text raw --split full --epochs 1 --quiet
  if [ "$mb" = 200 ]; then
    measure "train --text raw (book split: 15,032 characters read)" "$f" "${CLI[@]}" train --data "$f" --text raw --epochs 1 --quiet
    measure "eval (raw-text model, streamed)" "$f" "${CLI[@]}" eval --model "$DIR/model.safetensors" --json "$f"
  fi
  if [ "$mb" = 50 ]; then
    measure "eval (raw-text model, streamed)" "$f" "${CLI[@]}" eval --model "$DIR/model.safetensors" --json "$f"
  fi
  rm -f "$f"
done
