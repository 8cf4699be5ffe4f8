#!/usr/bin/env bash
# Builds the Linux packages (.deb and .rpm) with the Tauri CLI from npm, checks what is in
# them, then installs the .deb, checks it is the package's programs that run, runs the E2E
# suite against the installed app, and removes the package. Sizes and times are printed.
# Needs: scripts/install-deps.sh --e2e --package, and root (or sudo) for apt-get.
# Usage: scripts/package.sh [--build-only]
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

rm -rf target/release/bundle
start=$(date +%s)
(cd ui && npm run --silent tauri build)
echo "packages built in $(( $(date +%s) - start )) s"
deb="$(ls target/release/bundle/deb/*.deb)"
rpm="$(ls target/release/bundle/rpm/*.rpm)"
package="$(dpkg-deb -f "$deb" Package)"
version="$(dpkg-deb -f "$deb" Version)"

# What both packages must hold: the app, the command line on the PATH, the desktop entry,
# icons, the licence.
expect=(/usr/bin/sis-moodle-setup-app /usr/bin/sis-moodle-setup "/usr/share/applications/SIS Moodle Setup.desktop"
  /usr/share/icons/hicolor/128x128/apps/sis-moodle-setup-app.png /usr/share/icons/hicolor/32x32/apps/sis-moodle-setup-app.png)
deb_files="$(dpkg-deb -c "$deb" | sed -E 's/^([^ ]+ +){5}//; s#^\./#/#; s#^([^/])#/\1#')"
rpm_files="$(rpm -qpl "$rpm" 2>/dev/null)"
for f in "${expect[@]}"; do
  grep -qxF "$f" <<<"$deb_files" || { echo "the .deb lacks $f" >&2; exit 1; }
  grep -qxF "$f" <<<"$rpm_files" || { echo "the .rpm lacks $f" >&2; exit 1; }
done
grep -qxF /usr/share/doc/sis-moodle-setup/copyright <<<"$deb_files" || { echo "the .deb lacks its licence" >&2; exit 1; }
[ "$(rpm -qp --qf '%{LICENSE} %{VERSION}' "$rpm" 2>/dev/null)" = "MIT $version" ] || { echo "the .rpm's licence or version is wrong" >&2; exit 1; }
rpm -qpR "$rpm" 2>/dev/null | grep -q "libwebkit2gtk-4.1" || { echo "the .rpm does not require WebKitGTK 4.1" >&2; exit 1; }
echo "contents: both packages hold ${#expect[@]} expected files; $package $version"
echo "sizes: .deb $(stat -c %s "$deb") bytes, .rpm $(stat -c %s "$rpm") bytes, installed $(dpkg-deb -f "$deb" Installed-Size) KiB"

# Every library the programs load must come from the declared Depends; the check is proven
# able to fail by a Depends that lacks WebKitGTK.
bash scripts/check-package-deps.sh "$deb"
if bash scripts/check-package-deps.sh "$deb" --depends "libc6" 2>/dev/null; then
  echo "the dependency check passed a package that depends only on libc6" >&2
  exit 1
fi
[ "${1:-}" = "--build-only" ] && exit 0

# Install, and check that what runs is the package's.
start=$(date +%s%N)
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "./$deb" >/dev/null
echo "installed in $(( ($(date +%s%N) - start) / 1000000 )) ms"
trap 'DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq "$package" >/dev/null' EXIT
[ "$(command -v sis-moodle-setup)" = /usr/bin/sis-moodle-setup ] || { echo "sis-moodle-setup on the PATH is not the package's" >&2; exit 1; }
[ "$(dpkg -S /usr/bin/sis-moodle-setup | cut -d: -f1)" = "$package" ]
[ "$(sis-moodle-setup --version)" = "sis-moodle-setup $version" ] || { echo "sis-moodle-setup --version does not say $version" >&2; exit 1; }
desktop="/usr/share/applications/SIS Moodle Setup.desktop"
[ "$(dpkg -S "$desktop" | cut -d: -f1)" = "$package" ]
desktop-file-validate "$desktop"
grep -qx "Exec=sis-moodle-setup-app" "$desktop" || { echo "the desktop entry does not start the installed app" >&2; exit 1; }
echo "installed: $(command -v sis-moodle-setup) and the desktop entry come from $package $version"

SIS_APP_BIN=/usr/bin/sis-moodle-setup-app SIS_EXPECT_VERSION="$version" bash scripts/e2e.sh
