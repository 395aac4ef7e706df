#!/usr/bin/env bash
# Instructions per request through Rocket's local client, under callgrind: the floor's
# hand-written guard, jwt-ext's `Token`, and `#[jwt_required]` + `Token`, in one run. Each
# variant runs at two request counts; the difference divided by the extra requests removes
# start-up. Counts are repeatable for a given binary, whatever else the machine is doing.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed (Debian: apt-get install valgrind)" >&2; exit 1; }
bench=$(cargo bench -p jwt-ext-benches --bench dispatch --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*dispatch[^"]*\)".*/\1/p' | tail -n 1)
[ -x "$bench" ] || { echo "could not build the dispatch bench" >&2; exit 1; }
low=200 high=1200
count() {
  JWT_EXT_PROBE="$1:$2" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
declare -A per
for variant in unguarded floor token attribute; do
  a=$(count "$variant" "$low"); b=$(count "$variant" "$high")
  per[$variant]=$(( (b - a) / (high - low) ))
  printf '%-10s %8d instructions per request\n' "$variant" "${per[$variant]}"
done
awk -v f="${per[floor]}" -v t="${per[token]}" -v a="${per[attribute]}" -v u="${per[unguarded]}" 'BEGIN {
  printf "Token / floor: %.3fx   attribute + Token / floor: %.3fx   guard alone: floor %d, Token %d\n",
    t / f, a / f, f - u, t - u }'
