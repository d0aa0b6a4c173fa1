#!/usr/bin/env bash
# scripts/install-chromium.sh — installs Debian's Chromium for the Studio browser tests.
# The tests drive it through Microsoft.Playwright with ExecutablePath=/usr/bin/chromium;
# Playwright's own browser download ("playwright install") is never used.
set -euo pipefail
if command -v chromium > /dev/null 2>&1; then
  chromium --version
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium > /dev/null
chromium --version
