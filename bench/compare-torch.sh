#!/usr/bin/env bash
# Reasoner against the tuned PyTorch reference, side by side, alternating run by run.
#   bench/compare-torch.sh [path/to/torch_ref.py]      (default ../shared/bench/torch_ref.py)
# Prints a table of tokens/s, the ratio Reasoner / PyTorch and Reasoner's GFLOP/s; the raw JSON lines of
# every run go to bench/results/compare-<timestamp>.jsonl. Takes about 10 minutes on 2 cores.
# PyTorch runs tuned as ../shared/bench/README.md explains: OpenMP OpenBLAS with its AVX-512 kernels and a
# malloc that keeps freed memory. Comparing against the machine's defaults would flatter us.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ref=${1:-$root/../shared/bench/torch_ref.py}
[ -f "$ref" ] || { echo "compare-torch: no reference at $ref" >&2; exit 2; }
ref=$(cd "$(dirname "$ref")" && pwd)/$(basename "$ref")
PY=/usr/bin/python3
BLASDIR=/usr/lib/x86_64-linux-gnu/openblas-openmp

if ! $PY -c "import torch, numpy" 2>/dev/null || [ ! -d "$BLASDIR" ]; then
  echo "installing Debian's PyTorch, numpy and the OpenMP OpenBLAS ..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy libopenblas0-openmp >/dev/null
fi

dotnet build "$root/src/Cli" -c Release --nologo -v quiet >/dev/null
reasoner="$root/src/Cli/bin/Release/net10.0/reasoner.dll"

mkdir -p "$here/results"
out="$here/results/compare-$(date -u +%Y%m%d-%H%M%S).jsonl"
TUNED=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH=$BLASDIR
       MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736)
TINY="--layers 4 --d-model 128 --heads 4 --vocab 64 --ctx 64"
SMALL="--layers 6 --d-model 256 --heads 8 --vocab 64 --ctx 128"
GPT2="--layers 12 --d-model 768 --heads 12 --vocab 50304 --ctx 256"

run() {  # engine name threads args...
  local engine=$1 name=$2 threads=$3; shift 3
  local line
  if [ "$engine" = torch ]; then
    line=$("${TUNED[@]}" $PY "$ref" --threads "$threads" "$@")
  else
    line=$(dotnet "$reasoner" bench --threads "$threads" "$@")
  fi
  echo "{\"engine\":\"$engine\",\"name\":\"$name\",\"threads\":$threads,\"result\":$line}" >> "$out"
  echo "$engine $name t=$threads: $(echo "$line" | $PY -c 'import sys,json; print(round(json.load(sys.stdin)["tokens_per_s"]), "tokens/s")')" >&2
}

pair() {  # name threads args...: both engines, the order alternating so drift hits both alike
  if [ $((RANDOM % 2)) -eq 0 ]; then run torch "$@"; run reasoner "$@"; else run reasoner "$@"; run torch "$@"; fi
}

for threads in 2 1; do
  pair train-tiny   "$threads" --mode train $TINY  --batch 32 --warmup 3 --steps 10
  pair train-small  "$threads" --mode train $SMALL --batch 16 --warmup 3 --steps 10
  pair decode-tiny  "$threads" --mode decode $TINY  --batch 64 --prompt-len 16 --gen 48 --warmup 1 --steps 5
  pair decode-small "$threads" --mode decode $SMALL --batch 64 --prompt-len 16 --gen 48 --warmup 1 --steps 5
  pair train-gpt2   "$threads" --mode train $GPT2  --batch 4 --warmup 2 --steps 3
done

$PY - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault((r["name"], r["threads"]), {})[r["engine"]] = r["result"]
print(f"{'config':<14}{'threads':>8}{'PyTorch tok/s':>15}{'Reasoner tok/s':>16}{'ratio':>8}{'Reasoner GFLOP/s':>18}")
for (name, threads), e in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    t, r = e.get("torch"), e.get("reasoner")
    if not t or not r:
        continue
    print(f"{name:<14}{threads:>8}{t['tokens_per_s']:>15,.0f}{r['tokens_per_s']:>16,.0f}"
          f"{r['tokens_per_s'] / t['tokens_per_s']:>8.2f}{r.get('gflops', float('nan')):>18.1f}")
print(f"raw runs: {sys.argv[1]}")
PY
