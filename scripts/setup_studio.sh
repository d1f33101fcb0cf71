#!/usr/bin/env bash
# Set up the Label Studio side of `quotes studio` (idempotent).
#
#  - .venv-studio/: the Label Studio server (label-studio==1.23.2) in its own
#    virtual environment; it pins its own Django, pyarrow... so it must not share
#    the project's .venv (which only gets label-studio-sdk).
#  - Debian chromium + chromium-driver for the headless browser test, installed
#    only when running as root and missing (skip with QUOTES_SKIP_CHROMIUM=1).
#
# Usage: scripts/setup_studio.sh        (from anywhere; PYTHON=python3.11 to pick the interpreter)
set -euo pipefail

LS_VERSION="1.23.2"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-studio"
PY="${PYTHON:-python3}"

if [ -x "$VENV/bin/label-studio" ] \
   && "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('label-studio') != '$LS_VERSION')" 2>/dev/null; then
    echo "setup_studio: .venv-studio already has label-studio $LS_VERSION"
else
    echo "setup_studio: creating $VENV with label-studio==$LS_VERSION (about 1 GB)"
    [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
    # (pip's "Location ... is ignored" warnings come from a local find-links setting: noise)
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "label-studio==$LS_VERSION" 2>&1 \
        | { grep -v "is ignored: it is neither a file nor a directory" || true; }
    # Import only: `label-studio --version` would migrate a database in ~/.local/share.
    "$VENV/bin/python" -c "import label_studio, django" \
        || { echo "setup_studio: label-studio is not importable in $VENV" >&2; exit 1; }
fi

# Headless browser for tests/test_studio_browser.py (emoji font: scraped pages have emoji).
PKGS="chromium chromium-driver fonts-noto-color-emoji"
missing_pkgs() {
    local p out=""
    for p in $PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out="$out $p"
    done
    echo "$out"
}
if [ "${QUOTES_SKIP_CHROMIUM:-0}" = "1" ]; then
    echo "setup_studio: skipping chromium (QUOTES_SKIP_CHROMIUM=1)"
elif ! command -v dpkg-query >/dev/null; then
    [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] \
        || echo "setup_studio: no /usr/bin/chromium + /usr/bin/chromedriver: the browser test will skip" >&2
elif [ -z "$(missing_pkgs)" ]; then
    echo "setup_studio: chromium, chromium-driver and the emoji font already installed"
elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    MISSING="$(missing_pkgs)"
    echo "setup_studio: installing$MISSING (Debian)"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $MISSING >/dev/null
else
    echo "setup_studio: missing$(missing_pkgs): as root, apt-get install them for the browser test" >&2
fi
echo "setup_studio: done"
