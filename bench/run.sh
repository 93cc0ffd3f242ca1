#!/usr/bin/env bash
# Benchmark of `tonghop consolidate` against the raw-read floor (issue 6).
# Usage: bench/run.sh [N ...]   (default: 1000 10000)
# Generates a deterministic round of N units (10% of returns with a seeded
# error, 10% re-saved as .ods by LibreOffice when soffice is installed)
# under ${BENCH_DIR:-/tmp/tonghop-bench}, then prints wall time, CPU time and
# peak memory of `tonghop consolidate`, the floor (calamine reading every
# cell of the same files on the same threads), their ratio, returns/s,
# cells/s, and the time of `tonghop forms` for N units.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin tonghop --example raw_read
TARGET="${CARGO_TARGET_DIR:-target}"
BIN="$TARGET/release/tonghop"
RAW="$TARGET/release/examples/raw_read"
ROOT="${BENCH_DIR:-/tmp/tonghop-bench}"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000)

measure() { # prints "wall cpu maxrss_kib" of a command
  /usr/bin/time -f "%e %U %S %M" -o /tmp/tonghop-bench-time "$@" >/dev/null || true
  read -r wall user sys rss < <(tail -n 1 /tmp/tonghop-bench-time)
  echo "$wall $(echo "$user + $sys" | bc) $rss"
}

printf '%-7s %9s %9s %9s %9s %7s %10s %12s %9s\n' N wall_s cpu_s peak_MiB floor_s ratio returns/s cells/s forms_s
for n in "${sizes[@]}"; do
  dir="$ROOT/round-$n"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    "$BIN" generate "$dir" --units "$n" --error-rate 0.1 >/dev/null
    if command -v soffice >/dev/null 2>&1; then
      mapfile -t pick < <(ls "$dir/bao-cao"/*.xlsx | awk 'NR % 10 == 3')
      tmp=$(mktemp -d)
      soffice --headless --convert-to ods --outdir "$tmp" "${pick[@]}" >/dev/null 2>&1
      for f in "${pick[@]}"; do rm "$f"; done
      mv "$tmp"/*.ods "$dir/bao-cao/"
      rmdir "$tmp"
    fi
    touch "$dir/.complete"
  fi
  read -r wall cpu rss < <(measure "$BIN" consolidate "$dir" --out "$dir/ket-qua" --quiet)
  floor_line=$("$RAW" "$dir/bao-cao")
  floor=$(echo "$floor_line" | sed 's/.*seconds=//')
  cells=$(echo "$floor_line" | sed 's/.*cells=\([0-9]*\).*/\1/')
  files=$(ls "$dir/bao-cao" | wc -l)
  forms_out=$(mktemp -d)
  read -r fwall _ _ < <(measure "$BIN" forms "$dir" --out "$forms_out")
  rm -rf "$forms_out"
  printf '%-7s %9.2f %9.2f %9.0f %9.2f %7.2f %10.0f %12.0f %9.2f\n' "$n" "$wall" "$cpu" "$(echo "$rss / 1024" | bc)" "$floor" \
    "$(echo "$wall / $floor" | bc -l)" "$(echo "$files / $wall" | bc -l)" "$(echo "$cells / $wall" | bc -l)" "$fwall"
done
