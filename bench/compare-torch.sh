#!/usr/bin/env bash
# Reasoner against the tuned PyTorch reference, side by side, alternating run by run.
#   bench/compare-torch.sh [--repeats N] [--threads "2 1"] [--only train-tiny,decode-small,...]
#                          [--baseline path/to/reasoner.dll] [--avx2] [--quiet LOAD] [path/to/torch_ref.py]
# Default reference: ../shared/bench/torch_ref.py beside the repository, else /work/shared/bench/torch_ref.py.
# Each configuration runs --repeats times (default 1) per engine, in a random order per round so that drift hits all
# alike; the table shows median tokens/s, the ratio Reasoner / PyTorch of the medians and Reasoner's GFLOP/s. With
# --baseline, an earlier build of the reasoner CLI runs in the same rounds (its ratio is the "before" column).
# The raw JSON lines of every run go to bench/results/compare-<timestamp>.jsonl. One round of the whole matrix takes
# about 10 minutes on 2 cores. PyTorch runs tuned as ../shared/bench/README.md explains: OpenMP OpenBLAS with its
# AVX-512 kernels and a malloc that keeps freed memory. Comparing against the machine's defaults would flatter us.
# --avx2 runs both sides as on an AVX2-only machine (a Zen 3, say) on an AVX-512 one: DOTNET_EnableAVX512=0 for Reasoner
# (both builds; on .NET 10 DOTNET_EnableAVX512F=0 no longer does it: Vector512 stays accelerated), and for PyTorch
# OpenBLAS's Haswell kernels and ATen's AVX2 kernels (OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2), the best
# each has there. --quiet LOAD waits before each run, up to 10 minutes, until the 1-minute load average is below LOAD:
# on a machine shared with other jobs a 2-thread run is otherwise measured with one core busy (OpenMP's spinning
# threads then lose most of their speed). Each run records the load it started at.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
repeats=1 threads_list="2 1" only="" baseline="" ref="" avx2=0 quiet=""
while [ $# -gt 0 ]; do
  case $1 in
    --repeats) repeats=$2; shift 2 ;;
    --threads) threads_list=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --avx2) avx2=1; shift ;;
    --quiet) quiet=$2; shift 2 ;;
    -*) echo "compare-torch: unknown option $1" >&2; exit 2 ;;
    *) ref=$1; shift ;;
  esac
done
if [ -z "$ref" ]; then
  ref=$root/../shared/bench/torch_ref.py
  [ -f "$ref" ] || ref=/work/shared/bench/torch_ref.py
fi
[ -f "$ref" ] || { echo "compare-torch: no reference at $ref" >&2; exit 2; }
ref=$(cd "$(dirname "$ref")" && pwd)/$(basename "$ref")
[ -z "$baseline" ] || [ -f "$baseline" ] || { echo "compare-torch: no baseline build at $baseline" >&2; exit 2; }
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
OURS=(env)
if [ "$avx2" = 1 ]; then
  TUNED+=(OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2)
  OURS+=(DOTNET_EnableAVX512=0)
fi
TINY="--layers 4 --d-model 128 --heads 4 --vocab 64 --ctx 64"
SMALL="--layers 6 --d-model 256 --heads 8 --vocab 64 --ctx 128"
GPT2="--layers 12 --d-model 768 --heads 12 --vocab 50304 --ctx 256"

load() { cut -d' ' -f1 /proc/loadavg; }

run() {  # engine name threads args...
  local engine=$1 name=$2 threads=$3; shift 3
  local line waited=0
  if [ -n "$quiet" ]; then
    while [ "$waited" -lt 600 ] && awk -v l="$(load)" -v q="$quiet" 'BEGIN { exit !(l >= q) }'; do sleep 10; waited=$((waited + 10)); done
  fi
  local started_load; started_load=$(load)
  case $engine in
    torch) line=$("${TUNED[@]}" $PY "$ref" --threads "$threads" "$@") ;;
    reasoner) line=$("${OURS[@]}" dotnet "$reasoner" bench --threads "$threads" "$@") ;;
    baseline) line=$("${OURS[@]}" dotnet "$baseline" bench --threads "$threads" "$@") ;;
  esac
  echo "{\"engine\":\"$engine\",\"name\":\"$name\",\"threads\":$threads,\"load\":$started_load,\"avx2\":$avx2,\"result\":$line}" >> "$out"
  echo "$engine $name t=$threads: $(echo "$line" | $PY -c 'import sys,json; print(round(json.load(sys.stdin)["tokens_per_s"]), "tokens/s")')" >&2
}

engines="torch reasoner"
[ -n "$baseline" ] && engines="$engines baseline"
round() {  # name threads args...: every engine once, in a random order
  [ -z "$only" ] || [[ ",$only," == *",$1,"* ]] || return 0
  for engine in $(printf '%s\n' $engines | shuf); do run "$engine" "$@"; done
}

for ((r = 0; r < repeats; r++)); do
  for threads in $threads_list; do
    round train-tiny   "$threads" --mode train $TINY  --batch 32 --warmup 3 --steps 10
    round train-small  "$threads" --mode train $SMALL --batch 16 --warmup 3 --steps 10
    round decode-tiny  "$threads" --mode decode $TINY  --batch 64 --prompt-len 16 --gen 48 --warmup 1 --steps 5
    # Search's regime: a tree search decodes a few candidates at a time (MCTS 6-8), each row a product of few rows.
    round decode-tiny-b8 "$threads" --mode decode $TINY --batch 8 --prompt-len 16 --gen 48 --warmup 2 --steps 8
    round decode-small "$threads" --mode decode $SMALL --batch 64 --prompt-len 16 --gen 48 --warmup 1 --steps 5
    round train-gpt2   "$threads" --mode train $GPT2  --batch 4 --warmup 2 --steps 3
  done
done

$PY - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault((r["name"], r["threads"]), {}).setdefault(r["engine"], []).append(r["result"])
has_base = any("baseline" in e for e in by.values())
med = lambda results, key: statistics.median(x[key] for x in results)
loads = {}
for r in rows:
    loads.setdefault((r["name"], r["threads"]), []).append(r.get("load", float("nan")))
print(f"{'config':<14}{'threads':>8}{'runs':>5}{'PyTorch tok/s':>15}{'Reasoner tok/s':>16}{'ratio':>8}"
      + (f"{'before':>8}" if has_base else "") + f"{'Reasoner GFLOP/s':>18}{'max load':>10}")
for (name, threads), e in sorted(by.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
    t, r = e.get("torch"), e.get("reasoner")
    if not t or not r:
        continue
    line = (f"{name:<14}{threads:>8}{len(r):>5}{med(t, 'tokens_per_s'):>15,.0f}{med(r, 'tokens_per_s'):>16,.0f}"
            f"{med(r, 'tokens_per_s') / med(t, 'tokens_per_s'):>8.2f}")
    if has_base:
        b = e.get("baseline")
        line += f"{med(b, 'tokens_per_s') / med(t, 'tokens_per_s'):>8.2f}" if b else f"{'':>8}"
    print(line + f"{med(r, 'gflops'):>18.1f}{max(loads[(name, threads)]):>10.2f}")
print(f"raw runs: {sys.argv[1]}")
PY
