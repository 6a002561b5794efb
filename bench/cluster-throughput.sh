#!/usr/bin/env bash
# Quickstart self-play throughput (problems searched per second in each self-improvement iteration) three ways, in
# alternating rounds so that the machine's load falls on each alike:
#   in-process   reasoner run experiments/quickstart.yaml                       (2 search workers, one process)
#   1 node       reasoner run ... --cluster  +  reasoner worker --workers 2     (head + one worker node on loopback)
#   2 nodes      reasoner run ... --cluster --min-workers 2  +  two such workers
# Imitation and evaluation are shortened (they run on the head and are not measured); the searches are the quickstart's.
# Usage: bench/cluster-throughput.sh [ROUNDS]   (prints one line per run, then the mean of each mode)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
dotnet build src/Cli -c Release --nologo -v q >/dev/null || { echo "build failed" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# A copy of the build, so that rebuilding the repository while this runs changes nothing here.
cp -r src/Cli/bin/Release/net10.0 "$out/bin"
reasoner=(dotnet "$out/bin/reasoner.dll")
sets=(--set imitation.steps=100 --set imitation.value_steps=20 --set self_improvement.steps_per_iteration=50 --set evaluation.problems=10 --set evaluation.budgets.samples=0)
port=4153

rates() { python3 -c 'import json,sys; print(" ".join("%.3f" % i["problems_per_second"] for i in json.loads(sys.stdin.readline())["iterations"]))'; }

cluster() { # $1: worker nodes
  port=$((port + 1))
  "${reasoner[@]}" run experiments/quickstart.yaml "${sets[@]}" --out "$out" --cluster --port "$port" --min-workers "$1" >"$out/head.json" 2>"$out/head.log" &
  local head=$!
  sleep 3
  local workers=()
  for _ in $(seq "$1"); do
    "${reasoner[@]}" worker --join "127.0.0.1:$port" --workers 2 >/dev/null 2>>"$out/workers.log" &
    workers+=($!)
  done
  wait "$head"
  wait "${workers[@]}"
  rates <"$out/head.json"
}

for round in $(seq "$rounds"); do
  echo "round $round in-process $("${reasoner[@]}" run experiments/quickstart.yaml "${sets[@]}" --out "$out" 2>/dev/null | rates)"
  echo "round $round 1-node $(cluster 1)"
  echo "round $round 2-nodes $(cluster 2)"
done | tee "$out/rounds.txt"
python3 - "$out/rounds.txt" <<'PY'
import sys, statistics
modes = {}
for line in open(sys.argv[1]):
    _, _, mode, *rates = line.split()
    modes.setdefault(mode, []).extend(map(float, rates))
base = statistics.mean(modes["in-process"])
for mode, rates in modes.items():
    print(f"{mode:10s} mean {statistics.mean(rates):.2f} problems/s over {len(rates)} iterations, {statistics.mean(rates) / base:.2f}x in-process")
PY
