#!/usr/bin/env bash
# Tests the jsii-built Python wheel: installs dist/python/*.whl with the example's requirements
# (aws-cdk-lib and constructs from PyPI) into examples/python/.venv and runs examples/python/test_app.py.
#
#   npx projen compile && npx projen package:python   # builds dist/python/mcp_server_fleet-*.whl
#   bash examples/python/run-tests.sh                  # from the repository root
#
# Writes test-reports/python.xml (JUnit). The virtual environment is reused while the wheel, the
# requirements and the Python interpreter are unchanged; otherwise (or with FRESH_VENV=1) it is
# rebuilt from scratch. PYTHON picks the interpreter (default python3, 3.10 or later).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

python="${PYTHON:-python3}"
venv="$here/.venv"
stamp="$venv/.mcp-server-fleet-stamp"

fail() { echo "run-tests.sh: $*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1fs", e - s }'; }

shopt -s nullglob
wheels=(dist/python/*.whl)
shopt -u nullglob
if [ "${#wheels[@]}" -eq 0 ]; then
  fail "no wheel in $root/dist/python: run npx projen package:python first (after npx projen compile)"
fi
if [ "${#wheels[@]}" -gt 1 ]; then
  fail "several wheels in dist/python (${wheels[*]}): remove the stale ones or rerun npx projen package:python"
fi
wheel="${wheels[0]}"

command -v "$python" >/dev/null || fail "$python not found (set PYTHON to a Python 3.10+ interpreter)"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || fail "$python is $("$python" --version 2>&1); the wheel needs Python 3.10 or later"
command -v node >/dev/null || fail "node not found: jsii runs the constructs in Node.js"

if [ -n "$(find src assets -newer "$wheel" -type f -print -quit 2>/dev/null)" ]; then
  echo "run-tests.sh: warning: src/ or assets/ changed after $wheel was built; rerun npx projen compile && npx projen package:python to test the current code" >&2
fi

# What the venv was built from: the wheel, the requirements and the interpreter.
want="$("$python" - "$wheel" "$here/requirements.txt" "$here/requirements-dev.txt" <<'PY'
import hashlib, sys
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        print(hashlib.sha256(f.read()).hexdigest(), path)
print(sys.executable, sys.version)
PY
)"

if [ "${FRESH_VENV:-0}" != "1" ] && [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "== reusing $venv ($(basename "$wheel") unchanged)"
else
  t=$(now)
  rm -rf "$venv"
  "$python" -m venv "$venv"
  echo "== created $venv with $("$venv/bin/python" --version) in $(elapsed "$t")"

  t=$(now)
  # The local wheel satisfies the `mcp-server-fleet` requirement; the rest comes from PyPI.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "$wheel" -r "$here/requirements-dev.txt"
  echo "== installed $(basename "$wheel") and requirements-dev.txt in $(elapsed "$t")"
  echo "$want" > "$stamp"
fi
"$venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null \
  | awk 'tolower($1) ~ /^(mcp-server-fleet|aws-cdk-lib|constructs|jsii|pytest)$/ { printf "   %s %s\n", $1, $2 }'

mkdir -p test-reports
t=$(now)
status=0
"$venv/bin/python" -m pytest examples/python -q --junitxml=test-reports/python.xml "$@" || status=$?
echo "== pytest finished in $(elapsed "$t") (exit $status); report: test-reports/python.xml"
exit "$status"
