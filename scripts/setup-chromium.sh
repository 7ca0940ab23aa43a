#!/usr/bin/env bash
# Install headless Chromium from Debian's packages (for authconform.render_check and
# tests/test_report_render.py). Idempotent; needs root or sudo. Fonts are included so
# the rendered report has readable text in screenshots.
set -euo pipefail

# Any Chromium-family browser will do (GitHub's Ubuntu runners ship google-chrome);
# authconform.render_check finds it, or set AUTHCONFORM_CHROMIUM to its path.
for browser in chromium google-chrome google-chrome-stable chromium-browser; do
  if command -v "$browser" >/dev/null 2>&1; then
    echo "setup-chromium: found $(command -v "$browser")"
    exit 0
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-chromium: need root or sudo to apt-get install chromium" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# Debian names the package chromium; Ubuntu's is a snap shim, so prefer Debian's name
# and fall back to chromium-browser where that is what exists.
if apt-cache show chromium >/dev/null 2>&1; then
  $SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
else
  $SUDO apt-get install -y -q --no-install-recommends chromium-browser fonts-dejavu-core
fi
echo "setup-chromium: installed $(command -v chromium || command -v chromium-browser)"
