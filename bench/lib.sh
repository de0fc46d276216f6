# Shared by the bench scripts: mint an API key through the portal's own forms.
# Source it; it defines functions only.

# html_field FILE NAME: value of the first hidden input with this name.
html_field() { sed -n "s/.*name=\"$2\" value=\"\([^\"]*\)\".*/\1/p" "$1" | head -n1; }

# mint_key BASE DIR ACCOUNT_TYPE PERMISSION: signs up a new account (employers
# get a company), generates a live key with the key form, and prints the key.
# The cookie jar carries the session (cookies are not Secure on a loopback
# bind). Pages that held the plaintext key are deleted; it stays in memory.
mint_fail() { echo "mint_key: $*" >&2; }

mint_key() {
  local base=$1 dir=$2 account_type=$3 permission=$4 jar=$2/cookies code csrf form_token key
  curl -s --max-time 10 -c "$jar" -b "$jar" -o "$dir/sign-up.html" "$base/sign-up"
  csrf=$(html_field "$dir/sign-up.html" csrf_token)
  [[ -n "$csrf" ]] || { mint_fail "no csrf_token on /sign-up"; return 1; }
  code=$(curl -s --max-time 10 -c "$jar" -b "$jar" -o "$dir/sign-up-post.html" -w '%{http_code}' \
    --data-urlencode "csrf_token=$csrf" \
    --data-urlencode "display_name=Bench Runner" \
    --data-urlencode "email=bench-$(date +%s)-$RANDOM@example.co.uk" \
    --data-urlencode "password=bench gearbox torque" \
    --data-urlencode "account_type=$account_type" \
    --data-urlencode "company_name=Bench Motors" \
    "$base/sign-up")
  [[ $code == 303 ]] || { mint_fail "sign-up: expected 303, got $code"; return 1; }

  curl -s --max-time 10 -c "$jar" -b "$jar" -o "$dir/developer.html" "$base/account/settings/developer"
  csrf=$(html_field "$dir/developer.html" csrf_token)
  form_token=$(html_field "$dir/developer.html" form_token)
  [[ -n "$csrf" && -n "$form_token" ]] || { mint_fail "no csrf_token/form_token on the Developer tab"; return 1; }
  code=$(curl -s --max-time 10 -c "$jar" -b "$jar" -o "$dir/key.html" -w '%{http_code}' \
    --data-urlencode "csrf_token=$csrf" \
    --data-urlencode "form_token=$form_token" \
    --data-urlencode "description=Bench" \
    --data-urlencode "permission=$permission" \
    --data-urlencode "expires_in_days=90" \
    --data-urlencode "environment=live" \
    "$base/account/settings/developer/keys")
  [[ $code == 200 ]] || { mint_fail "key form: expected 200, got $code"; return 1; }
  key=$(sed -n 's/.*<code id="new-key" class="secret">\([^<]*\)<.*/\1/p' "$dir/key.html" | head -n1)
  rm -f "$dir"/*.html "$jar"
  [[ $key =~ ^atj_live_[0-9A-Za-z]{38}$ ]] || { mint_fail "no key on the reveal page"; return 1; }
  echo "$key"
}

# start_portal PORT DIR: serves the release binary on 127.0.0.1:PORT with a
# fresh SQLite database (demo jobs) in DIR, rate limits raised out of the
# way, log in DIR/server.log. Sets PORTAL_PID; waits up to 20 s for /healthz.
start_portal() {
  local port=$1 dir=$2 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  ATJ_LOG=${ATJ_LOG:-info} ATJ_SESSION_SECRET=$(od -An -tx1 -N64 /dev/urandom | tr -d ' \n') \
    "$root/target/release/autotechjobs" serve --bind "127.0.0.1:$port" \
      --database-url "sqlite://$dir/portal.db?mode=rwc" --demo-data true \
      --rate-limits read_only=100000000,standard=100000000,partner=100000000 > "$dir/server.log" 2>&1 &
  PORTAL_PID=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && return 0; sleep 0.2; done
  echo "the portal did not start (see $dir/server.log)" >&2
  return 1
}
