#!/usr/bin/env bash
# Builds tonghop.exe for 64-bit Windows (x86_64-pc-windows-gnu, release,
# stripped) and packages dist/tonghop-windows-x64.zip: the exe, the sample
# round (samples/) and the operator's guide HUONG-DAN.txt (UTF-8 with BOM and
# CRLF line ends, for Notepad).
#
# Installs what it needs when missing: the Rust target (rustup), Debian's
# gcc-mingw-w64-x86-64 (linker) and zip (apt-get; sudo when not root).
# Uses $CARGO_TARGET_DIR like cargo does (default: ./target).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
apt_install() {
  echo "== installing $* (apt-get) =="
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

target=x86_64-pc-windows-gnu
if ! rustup target list --installed | grep -qx "$target"; then
  echo "== rustup target add $target =="
  rustup target add "$target"
fi
missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing+=(gcc-mingw-w64-x86-64)
command -v zip >/dev/null 2>&1 || missing+=(zip)
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

echo "== cargo build --release --target $target =="
cargo build --release --target "$target" --bin tonghop
target_dir="${CARGO_TARGET_DIR:-target}"
exe="$target_dir/$target/release/tonghop.exe"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg="$stage/tonghop"
mkdir -p "$pkg"
x86_64-w64-mingw32-strip -o "$pkg/tonghop.exe" "$exe"
# The sample round as committed (no outputs of an earlier run).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z samples | while IFS= read -r -d '' f; do
    mkdir -p "$pkg/$(dirname "$f")"
    cp -p "$f" "$pkg/$f"
  done
else
  cp -rp samples "$pkg/samples"
  rm -rf "$pkg/samples/ket-qua"
fi
# Notepad: BOM and CRLF.
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' scripts/windows/HUONG-DAN.txt; } >"$pkg/HUONG-DAN.txt"

mkdir -p dist
zip_path="$PWD/dist/tonghop-windows-x64.zip"
rm -f "$zip_path"
(cd "$stage" && zip -q -r -X "$zip_path" tonghop)
size_exe=$(stat -c %s "$pkg/tonghop.exe")
size_zip=$(stat -c %s "$zip_path")
echo "dist/tonghop-windows-x64.zip: $((size_zip / 1024 / 1024)) MiB ($size_zip bytes); tonghop.exe: $((size_exe / 1024 / 1024)) MiB ($size_exe bytes)"
