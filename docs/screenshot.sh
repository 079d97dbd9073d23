#!/usr/bin/env bash
# Regenerates docs/report.png: the printable progress report of the illustrative demo content,
# as the README's curl fetches it, rendered by headless Chromium. Needs `chromium`.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port=18089
cargo build --quiet
DATABASE_URL="sqlite://$work/demo.db" KIV_LOG=warn ./target/debug/kiv serve --demo \
    --bind "127.0.0.1:$port" >"$work/kiv.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$port/kiv/v1/health" >/dev/null && break
    sleep 0.2
done
token=$(curl -sf "http://127.0.0.1:$port/kiv/v1/auth/token" \
    -d grant_type=password -d username=demo-evaluator -d password=demo \
    | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
curl -sf -H "Authorization: Bearer $token" -H 'Accept: text/html' -H 'Accept-Language: fr' \
    "http://127.0.0.1:$port/kiv/v1/reports/progress?planId=kiv-2016-2019&period=2019S2" \
    >"$work/report.html"
chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
    --user-data-dir="$work/profile" --window-size=1200,1700 \
    --screenshot="$PWD/docs/report.png" "file://$work/report.html" 2>/dev/null
echo "wrote docs/report.png"
