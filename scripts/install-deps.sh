#!/usr/bin/env bash
# Installs the Debian packages fmc needs that are not installed yet.
# Idempotent: installs nothing when everything is present. Works as root or
# through sudo.
set -euo pipefail

packages=(
  cmake ninja-build python3 pkgconf
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  clang-19 clang-format-19 libclang-rt-19-dev lld-19
  libgtest-dev libopenblas-dev libfmt-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
  --no-install-recommends "${missing[@]}"
