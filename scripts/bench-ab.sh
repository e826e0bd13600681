#!/usr/bin/env bash
# Before and after from the same stretch of time: this machine's speed drifts by tens of per cent
# within an hour, so a speed-up is only shown by runs of both versions interleaved.
# Runs `npm run bench -- ARGS --json` alternately in a worktree of REV ("before", its own npm ci)
# and in this tree ("after"), ROUNDS times each, and prints one line per run.
#
#   npm run bench:ab -- REV ROUNDS [bench options...]
#   npm run bench:ab -- HEAD~1 3 --outstanding 1
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: npm run bench:ab -- REV ROUNDS [bench options...]" >&2
  exit 2
fi
rev=$1
rounds=$2
shift 2
here=$(git rev-parse --show-toplevel)
git -C "$here" rev-parse --verify --quiet "$rev^{commit}" >/dev/null || { echo "bench:ab: no commit $rev" >&2; exit 2; }
base=$(mktemp -d "${TMPDIR:-/tmp}/ordo-ab-XXXXXX")
cleanup() {
  git -C "$here" worktree remove --force "$base" 2>/dev/null || rm -rf "$base"
  git -C "$here" worktree prune
}
trap cleanup EXIT
git -C "$here" worktree add --quiet --detach "$base" "$rev"
echo "installing $rev in $base ..." >&2
(cd "$base" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

summary() { # label json
  node -e '
    const [label, text] = process.argv.slice(1);
    try {
      const j = JSON.parse(text);
      const l = j.latencyMs, c = j.cpu;
      const verify = j.verify ? ` | ${j.verify.achievedPct} % of the Ed25519 limit (${j.verify.perSecond} verif/s)` : "";
      console.log(`${label.padEnd(16)} ${String(j.throughput.txPerSec).padStart(6)} tx/s | p50 ${l.p50} p99 ${l.p99} ms | cpu ${c.validators.join(" ")} gen ${c.generator}${verify}`);
    } catch {
      console.log(`${label.padEnd(16)} failed (no JSON line)`);
    }' "$1" "$2"
}

for round in $(seq 1 "$rounds"); do
  for tree in "$base" "$here"; do
    if [ "$tree" = "$base" ]; then label="before $rev"; else label="after"; fi
    json=$(cd "$tree" && npm run --silent bench -- "$@" --json 2>/dev/null | tail -n 1 || true)
    summary "$label #$round" "$json"
  done
done
