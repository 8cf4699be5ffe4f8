#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build and test the project: the
# WebKitGTK and D-Bus development files for the desktop app, Xvfb and the WebDriver for its
# end-to-end tests, a keyring for the token tests, and the UI's npm packages.
# Usage: scripts/install-deps.sh [--e2e] [--package]  (--package: what building and
# inspecting the .deb and .rpm needs)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libwebkit2gtk-4.1-dev libdbus-1-dev pkg-config dbus dbus-x11 gnome-keyring xdg-utils)
for option in "$@"; do
  case "$option" in
    # The tray's library, and a notification server (dunst) the watch's notifications go to.
    --e2e) packages+=(xvfb xauth webkit2gtk-driver libayatana-appindicator3-1 dunst) ;;
    # The bundler asks pkg-config which tray library (ayatana) the packages must depend on.
    --package) packages+=(rpm desktop-file-utils libayatana-appindicator3-dev) ;;
    *) echo "unknown option: $option" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ " $* " == *" --e2e "* ]] && ! command -v tauri-driver >/dev/null; then
  cargo install tauri-driver --locked
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi
