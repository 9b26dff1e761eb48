#!/bin/sh
# Install the system packages the build needs, once, on Debian or Ubuntu.
#
# Why a script and not a README paragraph: `make report` and `make test` must
# work on a fresh machine, so they call this first. It is idempotent: when
# every package is already installed it does nothing and needs no root.
#
#   scripts/setup-system.sh          packages to build PDFs and DOCX
#   scripts/setup-system.sh --test   ... plus the PDF tools and LibreOffice the tests use
set -eu

# WeasyPrint: Pango (text layout) and HarfBuzz's subsetter (fast font subsetting;
# without it WeasyPrint falls back to fontTools, 20-30 s per CJK PDF).
# Fonts: Noto CJK for Chinese, Noto core for Latin text; a missing CJK font is
# a build error, never tofu.
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk fonts-noto-core"
if [ "${1:-}" = "--test" ]; then
    # poppler-utils and qpdf read PDFs back; LibreOffice is a real DOCX client;
    # Chromium is the real browser the preview test drives (through Playwright).
    packages="$packages poppler-utils qpdf libreoffice-writer-nogui chromium"
fi

missing=""
for p in $packages; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-system: this machine has no apt-get; install the equivalents of:$missing" >&2
    exit 1
fi

if [ "$(id -u)" = 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "setup-system: missing system packages:$missing" >&2
    echo "setup-system: run this once as root, then run make again:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

echo "setup-system: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq
# shellcheck disable=SC2086
$as_root apt-get install -y -qq --no-install-recommends $missing
# New fonts are only visible to Pango once fontconfig's cache knows them.
fc-cache -f >/dev/null 2>&1 || true
