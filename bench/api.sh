#!/usr/bin/env bash
# API benchmark: AutoTechJobs (/v1, actix-web) against a DRF peer, measured with wrk.
#
#   bench/api.sh                         # build, then ROUNDS x [ours, peer]
#   BENCH_SKIP_BUILD=1 DURATION=5 ROUNDS=1 bench/api.sh   # quick pass
#
# Env knobs (defaults in brackets):
#   BENCH_SKIP_BUILD [0]  1 = use the existing target/release/autotechjobs
#   ROUNDS [2]  DURATION [10] (s per scenario)  WARMUP [2] (s)  THREADS [2]  CONNS [32]
#   WAIT_IDLE_MAX [30]    seconds to wait for the machine to go quiet before each round
#   OUT [/tmp/atj-bench]             raw wrk output, results.tsv, summary.txt
#   PEER_DIR [../shared/peer-drf]    the DRF peer (read-only is fine)
#   PEER_WORK [/tmp/peer-work]       the peer's venv (shared with its run.sh)
#   BENCH_ONLY []         "ours" or "peer" to run one half (ratios then show n/a)
#
# Everything talks to 127.0.0.1 only (ours on :18080, the peer on :8901).
# Only processes started here are stopped, by PID, on exit.
set -euo pipefail
# The whole script is one { ... } block, so bash parses all of it before running
# any: editing or checking out this file during a run cannot corrupt the run.
{

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
WAIT_IDLE_MAX=${WAIT_IDLE_MAX:-30}
OUT=${OUT:-/tmp/atj-bench}
PEER_DIR=${PEER_DIR:-$ROOT/../shared/peer-drf}
PEER_WORK=${PEER_WORK:-/tmp/peer-work}
VENV=$PEER_WORK/venv
BIN=$ROOT/target/release/autotechjobs
ONLY=${BENCH_ONLY:-}
[[ -z $ONLY || $ONLY == ours || $ONLY == peer ]] || { echo "BENCH_ONLY must be ours or peer" >&2; exit 2; }
OUR_BASE=http://127.0.0.1:18080
PEER_BASE=http://127.0.0.1:8901

OUR_PID=
PEER_PID=
SERVER_PIDS=   # the PIDs whose CPU counts as "the server" in measure()
SAMPLER_PID=   # the RSS sampler running during a measured wrk run
TMP=

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup
# Stop a server we started: TERM, up to 5 s grace, then KILL. By PID only.
stop_pid() {
  local pid=$1 i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$SAMPLER_PID"; SAMPLER_PID=
  stop_pid "$OUR_PID"; OUR_PID=
  stop_pid "$PEER_PID"; PEER_PID=
  if [[ -n "$TMP" ]]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # turn Ctrl-C into a normal exit so the EXIT trap runs

# ---------------------------------------------------------------- prerequisites
command -v wrk >/dev/null || die "wrk is missing: apt-get install -y wrk"
command -v curl >/dev/null || die "curl is missing: apt-get install -y curl"
[[ -f $PEER_DIR/manage.py ]] || die "peer not found at $PEER_DIR (set PEER_DIR)"

if [[ $ONLY != peer ]]; then
  if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    log "cargo build --release"
    (cd "$ROOT" && cargo build --release)
  fi
  [[ -x $BIN ]] || die "$BIN not found (build it, or unset BENCH_SKIP_BUILD)"
fi

TMP=$(mktemp -d /tmp/atj-bench.XXXXXX)
# Clear only what an earlier run wrote: OUT may be a directory the user also uses.
mkdir -p "$OUT"
rm -rf "$OUT"/round[0-9]*
rm -f "$OUT"/{machine.txt,notes.txt,results.tsv,rss.tsv,summary.txt}

# A port already answering would mean we measure someone else's server.
port_free() { ! curl -s -o /dev/null --max-time 1 "$1/" 2>/dev/null; }
port_free "$OUR_BASE" || die "127.0.0.1:18080 is already in use"
port_free "$PEER_BASE" || die "127.0.0.1:8901 is already in use"

# ---------------------------------------------------------------- machine info
cpu_busy_pct() {  # whole-machine busy % over 2 s; shows whether something else (a build) is running
  local b0 t0 b1 t1
  read -r b0 t0 < <(awk '/^cpu /{b=$2+$3+$4+$7+$8+$9; print b, b+$5+$6}' /proc/stat); sleep 2
  read -r b1 t1 < <(awk '/^cpu /{b=$2+$3+$4+$7+$8+$9; print b, b+$5+$6}' /proc/stat)
  echo $(( (b1 - b0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1) ))
}
{
  echo "date:    $(date -u +%FT%TZ)"
  echo "nproc:   $(nproc)"
  echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "kernel:  $(uname -r)"
  echo "mem:     $(awk '/^MemTotal:/{printf "%d MiB", $2/1024}' /proc/meminfo)"
  echo "wrk:     $(dpkg-query -W -f='${Version}' wrk 2>/dev/null || echo unknown)"
  [[ -x $BIN ]] && echo "binary:  $BIN (built $(date -u -r "$BIN" +%FT%TZ))"
  echo "git:     $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo n/a)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"
  echo "load:    $(cat /proc/loadavg)"
  echo "params:  wrk -t$THREADS -c$CONNS -d${DURATION}s --latency (warmup ${WARMUP}s), $ROUNDS round(s)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

# ---------------------------------------------------------------- helpers
to_ms() {  # wrk latency value (812.00us, 3.21ms, 1.02s) -> ms
  awk -v v="$1" 'BEGIN{ n=v; sub(/[a-z]+$/,"",n); u=v; sub(/^[0-9.]+/,"",u);
    f=(u=="us")?0.001:(u=="ms")?1:(u=="s")?1000:(u=="m")?60000:1; printf "%.3f", n*f }'
}

cpu_ticks() {  # busy and total jiffies (USER_HZ=100), summed over all CPUs
  awk '/^cpu /{b=$2+$3+$4+$7+$8+$9; print b, b+$5+$6}' /proc/stat
}
proc_ticks() {  # utime+stime ticks summed over the given PIDs (fields 14, 15 of /proc/PID/stat)
  local p sum=0 t
  for p in "$@"; do
    t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
    sum=$((sum + ${t:-0}))
  done
  echo "$sum"
}

hwm_kb() { awk '/^VmHWM:/{print $2}' "/proc/$1/status"; }   # peak RSS of a process, kB

# RSS under load: the largest sum of VmRSS of RSS_PIDS seen while wrk runs,
# sampled every 100 ms, added to $RSS_FILE (one line per measured run).
# VmHWM alone would also count start-up and the one-off argon2 hash of the
# bench account's sign-up (19 MiB by design), which are not load.
RSS_PIDS=
start_rss_sampler() {
  local out=$1
  (
    max=0
    trap 'echo "$max" > "$out"; exit 0' TERM
    while :; do
      sum=0
      for p in $RSS_PIDS; do   # bash builtins only: an awk per sample would cost CPU mid-run
        while read -r k v _; do
          [[ $k == VmRSS: ]] && { sum=$((sum + v)); break; }
        done 2>/dev/null < "/proc/$p/status" || true
      done
      (( sum > max )) && max=$sum
      sleep 0.1
    done
  ) &
  SAMPLER_PID=$!
}
stop_rss_sampler() {
  kill -TERM "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=
}

child_pids() {  # direct children of a PID (gunicorn workers of the master)
  pgrep -P "$1" 2>/dev/null | tr '\n' ' ' || true
}

wait_up() {  # $1 = URL, $2 = server PID; up to 30 s for a 200, giving up early if it exits
  local i
  for i in $(seq 1 150); do
    kill -0 "$2" 2>/dev/null || return 1
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1" || true) == 200 ]] && return 0
    sleep 0.2
  done
  return 1
}

echo -e "round\tserver\tscenario\treq_s\tp50_ms\tp99_ms\trequests\tnon2xx\tsocket_errors\tother_cpu_pct" > "$OUT/results.tsv"
echo -e "round\tserver\tprocess\tpid\tvmhwm_kb" > "$OUT/rss.tsv"

# measure ROUND SERVER SCENARIO URL [AUTH_HEADER_VALUE]
# A short warmup first (JITs nothing here, but fills pools, caches and TCP state),
# then the measured run; both with identical wrk settings.
measure() {
  local round=$1 server=$2 sc=$3 url=$4 auth=${5:-} f rps p50 p99 reqs non2xx sockerr
  local -a hdr=()
  [[ -n "$auth" ]] && hdr=(-H "Authorization: $auth")
  f="$OUT/round$round/$server-$sc.txt"
  log "round $round: $server $sc"
  wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" --timeout 5s "${hdr[@]}" "$url" > "$f.warmup"
  # CPU accounting around the measured run: whatever the machine did beyond the
  # server and wrk is someone else's load, and it makes this sample unreliable.
  local b0 t0 b1 t1 s0 s1 wu ws other TIMEFORMAT='%U %S'
  start_rss_sampler "$f.rss"
  read -r b0 t0 < <(cpu_ticks); s0=$(proc_ticks $SERVER_PIDS)
  { time wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency "${hdr[@]}" "$url" > "$f"; } 2> "$f.cpu"
  read -r b1 t1 < <(cpu_ticks); s1=$(proc_ticks $SERVER_PIDS)
  stop_rss_sampler
  echo -e "$round\t$server\tload_rss\t$sc\t$(cat "$f.rss" 2>/dev/null || echo 0)" >> "$OUT/rss.tsv"
  read -r wu ws < <(tail -n1 "$f.cpu"); rm -f "$f.cpu"
  other=$(awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v s=$((s1 - s0)) -v w="$wu+$ws" 'BEGIN{
    split(w, x, "+"); o = 100 * (b - s - (x[1] + x[2]) * 100) / (t > 0 ? t : 1); printf "%.0f", (o < 0 ? 0 : o) }')
  rps=$(awk '/^Requests\/sec:/{print $2}' "$f")
  p50=$(to_ms "$(awk '$1=="50%"{print $2}' "$f")")
  p99=$(to_ms "$(awk '$1=="99%"{print $2}' "$f")")
  reqs=$(awk '/requests in/{print $1}' "$f")
  non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/{print $2}' "$f"); non2xx=${non2xx:-0}
  sockerr=$(awk '/Socket errors/{sub(/^ *Socket errors: */,""); gsub(/ /,""); print}' "$f"); sockerr=${sockerr:-none}
  [[ -n "$rps" ]] || die "could not parse $f"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$round" "$server" "$sc" "$rps" "$p50" "$p99" "$reqs" "$non2xx" "$sockerr" "$other" >> "$OUT/results.tsv"
  (( other < 10 )) || log "warning: $server $sc: ${other}% of the machine's CPU went to other processes during the run"
  # Only the malformed-key scenario is meant to fail; anything else failing
  # (429 from the limiter, 5xx from a full pool) would make the number meaningless.
  if [[ $sc == *bad_key* ]]; then
    (( non2xx == reqs )) || log "warning: $server $sc: only $non2xx of $reqs were non-2xx"
  elif (( non2xx > 0 )); then
    log "warning: $server $sc: $non2xx of $reqs responses were not 2xx"
  fi
  [[ $sockerr == none ]] || log "warning: $server $sc: socket errors $sockerr"
}

# check NAME EXPECTED_STATUS URL AUTH BODY_FILE: one curl before the load, so a
# wrong key or route fails loudly instead of benchmarking an error page.
check() {
  local name=$1 want=$2 url=$3 auth=$4 body=$5 code
  local -a hdr=()
  [[ -n "$auth" ]] && hdr=(-H "Authorization: $auth")
  code=$(curl -s -o "$body" -w '%{http_code}' --max-time 5 "${hdr[@]}" "$url")
  [[ $code == "$want" ]] || die "$name: expected HTTP $want, got $code: $(head -c 300 "$body")"
}

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

run_ours() {
  local round=$1 dir=$TMP/ours$round key bad last
  mkdir -p "$dir"
  log "round $round: starting autotechjobs (fresh SQLite in $dir)"
  # The session secret goes in the environment (same as --session-secret) so it
  # does not show in `ps`. Rate limits are raised so the limiter runs but never refuses.
  ATJ_LOG=warn ATJ_SESSION_SECRET=$(od -An -tx1 -N64 /dev/urandom | tr -d ' \n') \
    "$BIN" serve \
      --bind 127.0.0.1:18080 \
      --database-url "sqlite://$dir/bench.db?mode=rwc" \
      --demo-data true \
      --rate-limits read_only=100000000,standard=100000000,partner=100000000 \
      > "$OUT/round$round/ours-server.log" 2>&1 &
  OUR_PID=$!
  wait_up "$OUR_BASE/healthz" "$OUR_PID" || die "autotechjobs did not answer /healthz (see $OUT/round$round/ours-server.log)"

  SERVER_PIDS=$OUR_PID
  RSS_PIDS=$OUR_PID
  key=$(mint_key "$OUR_BASE" "$dir" developer read_only) || die "could not mint a key"
  # Malformed: flip the last checksum character, so the guard rejects it on the
  # CRC alone, before any database work. That is the path this scenario measures.
  last=${key: -1}
  bad="${key%?}$([[ $last == A ]] && echo B || echo A)"

  check "ours /healthz" 200 "$OUR_BASE/healthz" "" "$dir/body"
  check "ours /v1/me" 200 "$OUR_BASE/v1/me" "Bearer $key" "$dir/body"
  check "ours /v1/jobs" 200 "$OUR_BASE/v1/jobs" "Bearer $key" "$dir/body"
  grep -q '"total":' "$dir/body" || die "ours /v1/jobs: no total in body"
  echo "round $round: ours /v1/jobs body: $(grep -o '"created_at"' "$dir/body" | wc -l) jobs, $(grep -o '"total":[0-9]*' "$dir/body"), $(wc -c < "$dir/body") bytes" | tee -a "$OUT/notes.txt" >&2
  check "ours /v1/jobs malformed key" 401 "$OUR_BASE/v1/jobs" "Bearer $bad" "$dir/body"
  grep -q 'not valid' "$dir/body" || log "warning: malformed key was not refused by the checksum: $(head -c 200 "$dir/body")"

  measure "$round" ours healthz      "$OUR_BASE/healthz"
  measure "$round" ours me           "$OUR_BASE/v1/me"   "Bearer $key"
  measure "$round" ours jobs         "$OUR_BASE/v1/jobs" "Bearer $key"
  measure "$round" ours jobs_bad_key "$OUR_BASE/v1/jobs" "Bearer $bad"

  echo -e "$round\tours\tserver\t$OUR_PID\t$(hwm_kb "$OUR_PID")" >> "$OUT/rss.tsv"
  stop_pid "$OUR_PID"; OUR_PID=
}

# ---------------------------------------------------------------- peer
# Python writes bytecode next to sources unless told otherwise; the peer's
# directory may be read-only, so keep caches and state under our scratch.
export PYTHONPYCACHEPREFIX=$PEER_WORK/pycache
export DJANGO_SETTINGS_MODULE=peer.settings

setup_peer() {
  mkdir -p "$PEER_WORK"
  if ! "$VENV/bin/python" -c 'import django, rest_framework, rest_framework_api_key, gunicorn' 2>/dev/null; then
    log "peer: creating venv $VENV (as its run.sh does)"
    [[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$PEER_DIR/requirements.txt"
  fi
  # Fresh database per invocation, in our temp dir: 1,000 jobs and one key.
  export PEER_STATE_DIR=$TMP/peer-state
  mkdir -p "$PEER_STATE_DIR"
  log "peer: migrate + seed"
  (cd "$PEER_DIR" && "$VENV/bin/python" manage.py migrate -v0 \
     && "$VENV/bin/python" manage.py seed --jobs 1000 --key-file "$PEER_STATE_DIR/api_key.txt" >/dev/null)
  PEER_KEY=$(cat "$PEER_STATE_DIR/api_key.txt")
}

run_peer() {
  local round=$1 dir=$TMP/peer$round w workers sum=0 hwm
  mkdir -p "$dir"
  log "round $round: starting gunicorn (2 sync workers)"
  "$VENV/bin/gunicorn" peer.wsgi:application --chdir "$PEER_DIR" --bind 127.0.0.1:8901 \
      --workers 2 --worker-class sync --no-control-socket \
      --error-logfile "$OUT/round$round/peer-server.log" &
  PEER_PID=$!
  wait_up "$PEER_BASE/v1/health" "$PEER_PID" || die "peer did not answer /v1/health (see $OUT/round$round/peer-server.log)"

  SERVER_PIDS="$PEER_PID $(child_pids "$PEER_PID")"   # master + workers
  RSS_PIDS=$(child_pids "$PEER_PID")                   # the two workers
  check "peer /v1/health" 200 "$PEER_BASE/v1/health" "" "$dir/body"
  check "peer /v1/jobs" 200 "$PEER_BASE/v1/jobs" "Api-Key $PEER_KEY" "$dir/body"
  grep -q '"count":' "$dir/body" || die "peer /v1/jobs: no count in body"
  echo "round $round: peer /v1/jobs body: $(grep -o '"created_at"' "$dir/body" | wc -l) jobs, $(grep -o '"count":[0-9]*' "$dir/body"), $(wc -c < "$dir/body") bytes" | tee -a "$OUT/notes.txt" >&2

  measure "$round" peer jobs   "$PEER_BASE/v1/jobs" "Api-Key $PEER_KEY"
  measure "$round" peer health "$PEER_BASE/v1/health"

  # Peak RSS: the two workers serve requests; the master only supervises.
  workers=$(child_pids "$PEER_PID")
  for w in $workers; do
    hwm=$(hwm_kb "$w"); sum=$((sum + hwm))
    echo -e "$round\tpeer\tworker\t$w\t$hwm" >> "$OUT/rss.tsv"
  done
  echo -e "$round\tpeer\tworkers_sum\t-\t$sum" >> "$OUT/rss.tsv"
  echo -e "$round\tpeer\tmaster\t$PEER_PID\t$(hwm_kb "$PEER_PID")" >> "$OUT/rss.tsv"
  stop_pid "$PEER_PID"; PEER_PID=
}

# ---------------------------------------------------------------- rounds
# (if-statements, not `a || f`: bash ignores set -e inside a function called from a || list)
if [[ $ONLY != ours ]]; then setup_peer; fi
# Alternating [ours, peer] per round: the machine drifts, so each pair is
# measured under the same conditions and medians smooth out the rest.
for round in $(seq 1 "$ROUNDS"); do
  mkdir -p "$OUT/round$round"
  # On a shared 2-core box a build or test run next door halves the numbers:
  # give it up to WAIT_IDLE_MAX seconds to go quiet, then measure anyway and say so.
  waited=0
  while busy=$(cpu_busy_pct); (( busy >= 20 && waited < WAIT_IDLE_MAX )); do
    log "machine ${busy}% busy (not us); waiting"; sleep 3; waited=$((waited + 5))
  done
  echo "round $round: machine ${busy}% busy before start (waited ${waited}s); load $(cat /proc/loadavg)" >> "$OUT/notes.txt"
  (( busy < 20 )) || log "warning: machine ${busy}% busy before round $round; numbers will be low"
  if [[ $ONLY != peer ]]; then run_ours "$round"; fi
  if [[ $ONLY != ours ]]; then run_peer "$round"; fi
done

# ---------------------------------------------------------------- summary
median() {  # median of the numbers on stdin
  sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "nan"; exit}
    print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2 }'
}
col() {  # col SERVER SCENARIO COLUMN -> median over rounds
  awk -F'\t' -v s="$1" -v c="$2" -v k="$3" 'NR==1{for(i=1;i<=NF;i++) h[$i]=i; next}
    $2==s && $3==c {print $h[k]}' "$OUT/results.tsv" | median
}
colmax() {  # colmax SERVER SCENARIO COLUMN -> worst value over rounds
  awk -F'\t' -v s="$1" -v c="$2" -v k="$3" 'NR==1{for(i=1;i<=NF;i++) h[$i]=i; next}
    $2==s && $3==c {v=$h[k]+0; if (!n++ || v>m) m=v} END{print n ? m : "n/a"}' "$OUT/results.tsv"
}
rss() {  # rss SERVER PROCESS -> median VmHWM kB over rounds
  awk -F'\t' -v s="$1" -v p="$2" '$2==s && $3==p {print $5}' "$OUT/rss.tsv" | median
}
load_rss() {  # load_rss SERVER -> the largest RSS seen under load, over all runs, kB
  awk -F'\t' -v s="$1" '$2==s && $3=="load_rss" && $5+0 > m {m=$5+0} END{print m ? m : "nan"}' "$OUT/rss.tsv"
}
mib() { awk -v k="$1" 'BEGIN{ if (k == "nan") print "n/a"; else printf "%.1f MiB (%d kB)", k/1024, k }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "nan" || b == "nan" || b+0 == 0) print "n/a"; else printf "%.2f", a/b }'; }

{
  cat "$OUT/machine.txt"
  cat "$OUT/notes.txt"
  echo
  echo "Medians over $ROUNDS round(s); latency in ms; other% = worst share of machine CPU"
  echo "used by processes other than the server and wrk during a measured run (>10: noisy)."
  printf '%-6s %-14s %10s %9s %9s %10s %7s  %s\n' server scenario req_s p50 p99 non2xx other% request
  for row in "ours healthz GET /healthz (no auth)" "ours me GET /v1/me" "ours jobs GET /v1/jobs" \
             "ours jobs_bad_key GET /v1/jobs malformed key" "peer jobs GET /v1/jobs" "peer health GET /v1/health"; do
    read -r s c desc <<< "$row"
    printf '%-6s %-14s %10.0f %9.3f %9.3f %10.0f %7s  %s\n' "$s" "$c" \
      "$(col "$s" "$c" req_s)" "$(col "$s" "$c" p50_ms)" "$(col "$s" "$c" p99_ms)" "$(col "$s" "$c" non2xx)" \
      "$(colmax "$s" "$c" other_cpu_pct)" "$desc"
  done
  echo
  our_rss=$(rss ours server); peer_rss=$(rss peer workers_sum); master_rss=$(rss peer master)
  our_load=$(load_rss ours); peer_load=$(load_rss peer)
  echo "peak RSS under load (max sampled VmRSS during the wrk runs): ours $(mib "$our_load"); peer 2 workers $(mib "$peer_load")"
  echo "lifetime peak (VmHWM, includes start-up and the sign-up's argon2 hash): ours $(mib "$our_rss"); peer 2 workers $(mib "$peer_rss") + master $(mib "$master_rss")"
  echo
  echo "ratios:"
  echo "  our /v1/me / our /healthz:                    $(ratio "$(col ours me req_s)" "$(col ours healthz req_s)")"
  echo "  our malformed-key /v1/jobs / our /healthz:    $(ratio "$(col ours jobs_bad_key req_s)" "$(col ours healthz req_s)")"
  echo "  our /v1/jobs / peer /v1/jobs (req/s):         $(ratio "$(col ours jobs req_s)" "$(col peer jobs req_s)")"
  echo "  our RSS under load / peer two workers':       $(ratio "$our_load" "$peer_load")"
  echo "  (lifetime VmHWM ratio:                        $(ratio "$our_rss" "$peer_rss"))"
  echo
  echo "raw: $OUT/results.tsv, $OUT/rss.tsv, $OUT/round*/"
} > "$OUT/summary.txt"
cat "$OUT/summary.txt"
exit 0
}
