#!/usr/bin/env bash
# Installs the Debian packages given (by package name) when their command is missing.
# Used by `make demo` (gettext) and `make test` (chromium, gettext).
set -euo pipefail

declare -A command_of=([gettext]=msgfmt [chromium]=chromium)
missing=()
for package in "$@"; do
  command -v "${command_of[$package]:-$package}" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
