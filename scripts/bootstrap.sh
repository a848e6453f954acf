#!/usr/bin/env bash
# Prepare a machine for nianbao: system packages (when root and apt-get exist) and .venv.
# Usage: scripts/bootstrap.sh [--test]
#   default: nianbao with the [ocr] extra (the demo's sample network has scanned reports)
#   --test:  nianbao[dev] (tests, benchmarks: ocr + pg + test tools) and the test services' packages
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0; [ "${1:-}" = "--test" ] && want_test=1

need_pkgs=()
command -v soffice  >/dev/null 2>&1 || need_pkgs+=(libreoffice-writer-nogui libreoffice-calc-nogui)
command -v antiword >/dev/null 2>&1 || need_pkgs+=(antiword)
# LibreOffice's Python bridge: the one LibreOffice kept up for a run (unoserver) needs it
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || need_pkgs+=(python3-uno)
command -v pdftoppm >/dev/null 2>&1 || need_pkgs+=(poppler-utils)
fc-list 2>/dev/null | grep -i "noto sans cjk\|wenquanyi" >/dev/null || need_pkgs+=(fonts-noto-cjk fonts-wqy-zenhei)
if [ "$want_test" = 1 ]; then
  command -v pg_ctlcluster >/dev/null 2>&1 || need_pkgs+=(postgresql)
  command -v redis-server  >/dev/null 2>&1 || need_pkgs+=(redis-server)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing system packages: ${need_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  else
    echo "bootstrap: missing system packages (${need_pkgs[*]}); install them for DOC/WPS and font support" >&2
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q --upgrade pip >/dev/null
if [ "$want_test" = 1 ]; then
  .venv/bin/pip install -q -e '.[dev]'
else
  .venv/bin/pip install -q -e '.[ocr]'
fi
