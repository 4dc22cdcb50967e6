#!/usr/bin/env bash
# Set up everything yakuji-kg needs on a Debian machine with Python 3.11, pip and apt.
# System packages: Japanese fonts (PDF fixtures and pictures), poppler-utils (pdftoppm),
# Tesseract with Japanese data (OCR of scanned pages; optional at run time). IPAex are also
# the reference glyphs of the font-map recovery; Noto CJK sets the broken-font fixtures.
# Virtuoso 7 (virtuoso-opensource): the large triple store the push and remote-query tests run
# against (scripts/virtuoso.sh starts a throw-away one on 127.0.0.1; the package's own service
# is not needed). Dask (the [dask] extra, in [test]) for ingest --scheduler.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    fonts-ipaexfont-gothic fonts-ipaexfont-mincho fonts-noto-cjk poppler-utils \
    tesseract-ocr tesseract-ocr-jpn tesseract-ocr-eng chromium virtuoso-opensource >/dev/null
else
  echo "setup: not root or no apt-get: skipping system packages (fonts, poppler, tesseract)" >&2
fi
python3 -m pip install -q --upgrade pip
python3 -m pip install -q -e '.[test]'
