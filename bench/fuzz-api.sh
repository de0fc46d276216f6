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
TMP=$(mktemp -d); PORTAL_PID=
cleanup() { [[ -n $PORTAL_PID ]] && kill "$PORTAL_PID" 2>/dev/null && wait "$PORTAL_PID" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
source "$ROOT/bench/lib.sh"
start_portal 18083 "$TMP"
KEY=$(mint_key "$BASE" "$TMP" employer standard) || { echo "could not mint a key" >&2; exit 1; }
"$VENV/bin/st" run "$BASE/v1/openapi.json" --url "$BASE" -H "Authorization: Bearer $KEY" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${MAX_EXAMPLES:-50}"
}
