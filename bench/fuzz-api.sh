#!/usr/bin/env bash
# Property-based fuzzing of /v1 from its own OpenAPI document with
# schemathesis (QUALITY.md item 23): no 5xx, every status and content type
# documented, every response matching its schema. Loopback only.
#
#   bash bench/fuzz-api.sh                  # MAX_EXAMPLES=50
set -euo pipefail
{
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE=http://127.0.0.1:18083
VENV=${ST_VENV:-/tmp/st-venv}
[[ -x $VENV/bin/st ]] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q schemathesis; }
[[ ${BENCH_SKIP_BUILD:-0} == 1 ]] || (cd "$ROOT" && cargo build --release)
TMP=$(mktemp -d); PID=
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
ATJ_LOG=warn ATJ_SESSION_SECRET=$(od -An -tx1 -N64 /dev/urandom | tr -d ' \n') "$ROOT/target/release/autotechjobs" serve \
  --bind 127.0.0.1:18083 --database-url "sqlite://$TMP/fuzz.db?mode=rwc" \
  --rate-limits read_only=100000000,standard=100000000,partner=100000000 > "$TMP/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "$BASE/healthz" && break; sleep 0.2; done
field() { sed -n "s/.*name=\"$2\" value=\"\([^\"]*\)\".*/\1/p" "$1" | head -n1; }
jar=$TMP/jar
curl -s -c "$jar" -b "$jar" -o "$TMP/p.html" "$BASE/sign-up"
curl -s -c "$jar" -b "$jar" -o /dev/null --data-urlencode "csrf_token=$(field "$TMP/p.html" csrf_token)" \
  --data-urlencode display_name=Fuzz --data-urlencode email=fuzz@example.co.uk \
  --data-urlencode "password=fuzz gearbox torque" --data-urlencode account_type=employer \
  --data-urlencode company_name=Fuzz "$BASE/sign-up"
curl -s -c "$jar" -b "$jar" -o "$TMP/p.html" "$BASE/account/settings/developer"
curl -s -c "$jar" -b "$jar" -o "$TMP/k.html" --data-urlencode "csrf_token=$(field "$TMP/p.html" csrf_token)" \
  --data-urlencode "form_token=$(field "$TMP/p.html" form_token)" --data-urlencode description=Fuzz \
  --data-urlencode permission=standard "$BASE/account/settings/developer/keys"
KEY=$(sed -n 's/.*<code id="new-key" class="secret">\([^<]*\)<.*/\1/p' "$TMP/k.html"); rm -f "$TMP"/*.html
"$VENV/bin/st" run "$BASE/v1/openapi.json" --url "$BASE" -H "Authorization: Bearer $KEY" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${MAX_EXAMPLES:-50}"
}
