#!/usr/bin/env bash
# Write soak (QUALITY.md items 28 and 33): 64 connections posting jobs through
# /v1 for DURATION seconds against the embedded SQLite database. Passes when
# every response is 201, the log never says "database is locked", and memory
# stays flat (RSS at the end within 20% of RSS after the first 10 s).
#
#   bash bench/soak.sh                    # DURATION=60 CONNS=64
#   BENCH_SKIP_BUILD=1 DURATION=20 bash bench/soak.sh
#
# Loopback only (127.0.0.1:18081); stops only the server it started.
set -euo pipefail
{
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-60}
CONNS=${CONNS:-64}
BASE=http://127.0.0.1:18081
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
[[ ${BENCH_SKIP_BUILD:-0} == 1 ]] || (cd "$ROOT" && cargo build --release)

TMP=$(mktemp -d)
PORTAL_PID=
cleanup() {
  [[ -n $PORTAL_PID ]] && kill "$PORTAL_PID" 2>/dev/null && wait "$PORTAL_PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

source "$ROOT/bench/lib.sh"
start_portal 18081 "$TMP"

# An employer with a standard key, through the portal's own forms.
KEY=$(mint_key "$BASE" "$TMP" employer standard) || { echo "could not mint a key" >&2; exit 1; }

cat > "$TMP/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"Soak test engineer","location":"Coventry","work_mode":"hybrid","employment_type":"contract","salary_min":40000,"salary_max":50000,"description":"A job posted by the write soak, many times over."}'
LUA

rss() { awk '/^VmRSS:/{print $2}' "/proc/$PORTAL_PID/status"; }
WARM=$(( DURATION < 20 ? DURATION / 2 : 10 ))   # when the early RSS sample is taken, s
(sleep "$WARM"; rss > "$TMP/rss10") &
echo "soak: $CONNS connections posting jobs for ${DURATION}s"
wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 15s --latency -s "$TMP/post.lua" \
  -H "Authorization: Bearer $KEY" "$BASE/v1/jobs" | tee "$TMP/wrk.txt"
rss_end=$(rss); rss10=$(cat "$TMP/rss10" 2>/dev/null || echo "$rss_end")

non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/{print $2}' "$TMP/wrk.txt"); non2xx=${non2xx:-0}
sockerr=$(grep -c 'Socket errors' "$TMP/wrk.txt" || true)
locked=$(grep -ci 'database is locked' "$TMP/server.log" || true)
jobs=$(curl -s -H "Authorization: Bearer $KEY" "$BASE/v1/jobs?per_page=1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
echo
echo "non-2xx responses: $non2xx; socket error lines: $sockerr; \"database is locked\" in log: $locked"
echo "open jobs after the soak: $jobs; RSS after ${WARM} s: ${rss10} kB, at the end: ${rss_end} kB"
ok=1
(( non2xx == 0 )) || ok=0
(( locked == 0 )) || ok=0
(( rss_end * 10 <= rss10 * 12 )) || { echo "memory grew more than 20%"; ok=0; }
(( ok )) && echo "soak: PASS" || { echo "soak: FAIL"; exit 1; }
}
