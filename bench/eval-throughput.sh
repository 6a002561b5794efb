#!/usr/bin/env bash
# Search throughput of `reasoner eval`: problems/s and tree nodes/s of MCTS and ToT-BFS on a trained checkpoint, for this
# build at --parallel 1 (one problem at a time) and --parallel K (K problems searched at once, their policy and value
# calls batched), and for a baseline build when one is given, run by run alternating so the machine's drift hits all alike.
#   bench/eval-throughput.sh CHECKPOINT [BASELINE_REASONER_DLL] [-- extra eval options, e.g. --task countdown --numbers 3]
# Env: N (problems, default 100), K (parallel, default 8), ROUNDS (default 2). Raw JSON lines go to bench/results/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bench/eval-throughput.sh CHECKPOINT [BASELINE_REASONER_DLL] [-- eval options]" >&2; exit 2; }
checkpoint=$1; shift
baseline=""
if [ $# -ge 1 ] && [ "$1" != "--" ]; then baseline=$1; shift; fi
[ "${1:-}" = "--" ] && shift
extra=("$@")
N=${N:-100} K=${K:-8} ROUNDS=${ROUNDS:-2}
[ -f "$checkpoint" ] || { echo "eval-throughput: no checkpoint at $checkpoint" >&2; exit 2; }
[ -z "$baseline" ] || [ -f "$baseline" ] || { echo "eval-throughput: no baseline build at $baseline" >&2; exit 2; }

dotnet build "$root/src/Cli" -c Release --nologo -v quiet >/dev/null
reasoner="$root/src/Cli/bin/Release/net10.0/reasoner.dll"
mkdir -p "$here/results"
out="$here/results/eval-throughput-$(date -u +%Y%m%d-%H%M%S).jsonl"

one() {  # build-name dll parallel-or-empty search options...
  local name=$1 dll=$2 parallel=$3 search=$4; shift 4
  local args=(eval --checkpoint "$checkpoint" --n "$N" --search "$search" --budget-samples 0 --budget-scales '' --json "${extra[@]}")
  for o in "$@"; do args+=(--option "$o"); done
  [ -n "$parallel" ] && args+=(--parallel "$parallel")
  local line
  line=$(dotnet "$dll" "${args[@]}")
  echo "{\"build\":\"$name\",\"search\":\"$search\",\"parallel\":${parallel:-1},\"result\":$line}" >> "$out"
}

for ((round = 0; round < ROUNDS; round++)); do
  for search in "mcts simulations=32" "tot-bfs"; do
    runs=("after-1|$reasoner|1" "after-$K|$reasoner|$K")
    [ -n "$baseline" ] && runs+=("before|$baseline|")
    # A fresh order each round.
    mapfile -t runs < <(printf '%s\n' "${runs[@]}" | shuf)
    for r in "${runs[@]}"; do
      IFS='|' read -r name dll parallel <<< "$r"
      # shellcheck disable=SC2086
      one "$name" "$dll" "$parallel" $search
      echo "round $((round + 1)) $search: $name done" >&2
    done
  done
done

python3 - "$out" <<'PY'
import json, sys, statistics
rows = [json.loads(l) for l in open(sys.argv[1])]
table = {}
for r in rows:
    # The searched method's row: the last one (System 1 comes first).
    m = r["result"]["methods"][-1]
    n = r["result"]["n"]
    table.setdefault((r["search"], r["build"]), []).append((n / m["seconds"], n * m.get("mean_nodes", float("nan")) / m["seconds"], m["accuracy"]))
print(f"{'search':8} {'build':10} {'problems/s':>11} {'nodes/s':>9} {'accuracy':>9}")
for (search, build), v in sorted(table.items()):
    ps = statistics.median(x[0] for x in v); ns = statistics.median(x[1] for x in v)
    print(f"{search:8} {build:10} {ps:11.2f} {ns:9.0f} {v[0][2]:9.3f}")
print(f"raw: {sys.argv[1]}")
PY
