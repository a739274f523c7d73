#!/usr/bin/env bash
# Interoperability: github.com/transparency-dev/witness (an independent
# C2SP tlog-witness, in memory) cosigns an Amanat demo store's checkpoints;
# the bundle checks with --min-witnesses 1 against its key; a fork signed
# with the real key is refused and verify says witness-refused. Its own
# module, so the witness's many dependencies stay out of Amanat's go.mod.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

(cd "$here" && go mod tidy && go build -o "$work/tdw" .)
(cd "$root" && go build -o "$work/amanat" ./cmd/amanat)
cd "$work"
waitline() { for _ in $(seq 1 150); do grep -q "$2" "$1" 2>/dev/null && return; sleep 0.2; done; echo "no $2 in $1"; cat "$1"; exit 1; }

./amanat init --db amanat.db >/dev/null
./amanat witness key --out td.key --name td.witness/interop >/dev/null
./tdw --key td.key --log-key "$(cat amanat.db.key.pub)" >tdw.out 2>tdw.err & pids+=($!)
waitline tdw.out 'serving on'
url=$(sed -n 's/.*serving on //p' tdw.out)

./amanat serve --db amanat.db --addr 127.0.0.1:0 --demo --no-demo-witness --witness "$url=$(cat td.key.pub)" >serve.out 2>serve.err & pids+=($!)
waitline serve.out '^amanat serving '
eval "$(grep '^export ' serve.out)"
curl -fsS "$AMANAT/v1/items/1/custody/bundle" -H "Authorization: Bearer $INVESTIGATOR_TOKEN" -o bundle.json
./amanat custody check --key "$(cat amanat.db.key.pub)" --witness-key "$(cat td.key.pub)" --min-witnesses 1 bundle.json

mkdir fork && cp amanat.db.key fork/
./amanat serve --db fork/amanat.db --addr 127.0.0.1:0 --demo --no-demo-witness --witness "$url=$(cat td.key.pub)" >fork.out 2>fork.err & pids+=($!)
waitline fork.out '^amanat serving '
eval "$(grep '^export ' fork.out)"
for _ in $(seq 1 100); do
  if curl -fsS "$AMANAT/v1/verify" -H "Authorization: Bearer $AUDITOR_TOKEN" | grep -q 'witness-refused'; then
    echo "ok    the fork is refused by the independent witness (witness-refused)"; exit 0
  fi
  sleep 0.2
done
echo "FAIL  the fork was not refused"; exit 1
