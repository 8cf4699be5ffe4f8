#!/usr/bin/env bash
# Fails when a program in a .deb needs a shared library that no package in its declared
# Depends (followed recursively) provides: a package that misses a dependency fails here.
# Usage: scripts/check-package-deps.sh PACKAGE.deb [--depends "a, b | c"]
#   --depends replaces the package's own Depends field (used to prove the check can fail).
set -euo pipefail
deb="$1"
depends="$(dpkg-deb -f "$deb" Depends)"
[ "${2:-}" = "--depends" ] && depends="$3"

# The declared packages (every alternative), then everything they depend on.
mapfile -t declared < <(tr ',|' '\n\n' <<<"$depends" | sed -E 's/\(.*\)//; s/:any//; s/^ +| +$//g' | grep -v '^$')
closure="$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
  --no-replaces --no-enhances "${declared[@]}" 2>/dev/null | grep -v '^ ' | tr -d '<>' | sort -u)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work"
failed=0
checked=0
while IFS= read -r -d '' program; do
  file -b "$program" | grep -q '^ELF' || continue
  checked=$((checked + 1))
  while read -r line; do
    name="$(awk '{print $1}' <<<"$line")"
    if grep -q 'not found' <<<"$line"; then
      echo "MISSING: ${program#"$work"} needs $name, which is not installed" >&2
      failed=1
      continue
    fi
    path="$(awk '/=>/ {print $3}' <<<"$line")"
    [ -n "$path" ] || continue
    real="$(readlink -f "$path")"
    owner=""
    for candidate in "$path" "$real" "${path#/usr}" "${real#/usr}" "/usr$path" "/usr$real"; do
      owner="$(dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1)" && [ -n "$owner" ] && break
    done
    if [ -z "$owner" ]; then
      echo "MISSING: ${program#"$work"} needs $path, which no Debian package owns" >&2
      failed=1
    elif ! grep -qx "$owner" <<<"$closure"; then
      echo "MISSING: ${program#"$work"} needs $name from $owner, which the package does not depend on" >&2
      failed=1
    fi
  done < <(ldd "$program" | grep -v -E 'linux-vdso|ld-linux')
done < <(find "$work/usr/bin" -type f -print0)
[ "$checked" -gt 0 ] || { echo "no program found in $deb" >&2; exit 1; }
if [ "$failed" -ne 0 ]; then
  echo "Depends: $depends" >&2
  exit 1
fi
echo "dependencies: every library of the $checked programs in $(basename "$deb") comes from its Depends ($depends)"
