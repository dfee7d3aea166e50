#!/usr/bin/env bash
# Smoke test of the production setup: gunicorn with DEBUG off, behind a (pretend) TLS proxy.
#
#   bash .ci/smoke_gunicorn.sh
#
# Uses DATABASE_URL and REDIS_URL from the environment (like the app: SQLite under var/ and the
# filesystem broker without them) and migrates that database first. Static files come from
# STATIC_ROOT when it holds a collectstatic manifest (staticfiles.json); otherwise they are
# collected into a temporary folder first. SECRET_KEY is made up for the run unless set.
#
# Starts gunicorn on a free port on 127.0.0.1 and checks, sending the X-Forwarded-Proto: https
# header the proxy would send (BEHIND_TLS_PROXY=true, SECURE_SSL_REDIRECT stays on):
#   - GET /healthz answers 200 (database and broker answer);
#   - GET /accounts/login/ answers 200 and links the hashed name of css/brobygning.css;
#   - that hashed file, served by WhiteNoise, answers 200 with a cache lifetime of at least a year.
# Then stops gunicorn. Exits non-zero, with gunicorn's log, when anything fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
[[ -x "$PY" && -x "$VENV/bin/gunicorn" ]] || { echo "!!! no $PY or $VENV/bin/gunicorn: run 'make install' first" >&2; exit 1; }

tmp="$(mktemp -d)"
gunicorn_pid=""
cleanup() {
    if [[ -n "$gunicorn_pid" ]] && kill -0 "$gunicorn_pid" 2>/dev/null; then
        kill -TERM "$gunicorn_pid" 2>/dev/null || true
        wait "$gunicorn_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "!!! smoke test failed: $*" >&2
    if [[ -s "$tmp/gunicorn.log" ]]; then
        echo "--- gunicorn log (last 60 lines) ---" >&2
        tail -n 60 "$tmp/gunicorn.log" >&2
    fi
    exit 1
}

# Production settings, as docker-compose.yml runs them behind a TLS-terminating proxy.
export DEBUG=false
export SECRET_KEY="${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')}"
export ALLOWED_HOSTS=127.0.0.1
export BEHIND_TLS_PROXY=true
export LOG_LEVEL=WARNING
unset SECURE_SSL_REDIRECT DJANGO_SETTINGS_MODULE

if [[ -z "${STATIC_ROOT:-}" || ! -f "${STATIC_ROOT}/staticfiles.json" ]]; then
    export STATIC_ROOT="$tmp/static"
    echo "Collecting static files into $STATIC_ROOT …"
    "$PY" manage.py collectstatic --noinput -v 0
fi
export STATIC_ROOT

echo "Applying migrations …"
"$PY" manage.py migrate --noinput -v 0

port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:${port}"
echo "Starting gunicorn on ${base} …"
"$VENV/bin/gunicorn" brobygning.wsgi --bind "127.0.0.1:${port}" --workers 1 --access-logfile - --no-control-socket \
    >"$tmp/gunicorn.log" 2>&1 &
gunicorn_pid=$!

# GET with the proxy's header; prints the status code (000: no answer), keeps headers and body in $tmp.
get() {
    rm -f "$tmp/headers" "$tmp/body"
    curl --silent --max-time 10 -H "X-Forwarded-Proto: https" \
        -D "$tmp/headers" -o "$tmp/body" -w '%{http_code}' "${base}$1" || true
}

status=000
for _ in $(seq 1 120); do
    kill -0 "$gunicorn_pid" 2>/dev/null || fail "gunicorn exited during start-up"
    status="$(get /healthz)"
    [[ "$status" == "000" || -z "$status" ]] || break
    sleep 0.5
done
[[ "$status" == "200" ]] || fail "GET /healthz answered ${status}, expected 200: $(cat "$tmp/body" 2>/dev/null)"
echo "GET /healthz → 200 $(cat "$tmp/body")"

css="$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["paths"]["css/brobygning.css"])' \
    "$STATIC_ROOT/staticfiles.json")"

status="$(get /accounts/login/)"
[[ "$status" == "200" ]] || fail "GET /accounts/login/ answered ${status}, expected 200"
grep -q "/static/${css}" "$tmp/body" || fail "the login page does not link /static/${css}"
echo "GET /accounts/login/ → 200, links /static/${css}"

status="$(get "/static/${css}")"
[[ "$status" == "200" ]] || fail "GET /static/${css} answered ${status}, expected 200"
cache_control="$(grep -i '^cache-control:' "$tmp/headers" | tr -d '\r' | cut -d: -f2- | sed 's/^ *//')"
max_age="$(sed -nE 's/.*max-age=([0-9]+).*/\1/p' <<<"$cache_control")"
[[ -n "$max_age" ]] && ((max_age >= 31536000)) \
    || fail "GET /static/${css}: Cache-Control '${cache_control}', expected a max-age of at least a year"
echo "GET /static/${css} → 200, Cache-Control: ${cache_control}"

kill -TERM "$gunicorn_pid"
for _ in $(seq 1 40); do
    kill -0 "$gunicorn_pid" 2>/dev/null || break
    sleep 0.25
done
kill -0 "$gunicorn_pid" 2>/dev/null && fail "gunicorn did not stop within 10 s of SIGTERM"
wait "$gunicorn_pid" || true
gunicorn_pid=""
echo "gunicorn stopped. Smoke test passed."
