#!/usr/bin/env bash
# Benchmark of `tonghop consolidate` against the raw-read floor and a peer
# script (issues 6 and 16).
#
# Usage: bench/run.sh [N ...]   (default: 100 1000 10000)
#   RUNS=3       runs of each timed command; every figure is their median
#   BENCH_DIR    where the generated rounds go (default /tmp/tonghop-bench)
#
# For each N: generates a deterministic round of N units (10% of returns
# with a seeded error, 10% re-saved as .ods by LibreOffice when soffice is
# installed), then times, on the same files in the same run:
#   - `tonghop consolidate` (every check, every default output): wall, CPU,
#     peak memory, and its reading phase (TONGHOP_TIMING);
#   - the floor: examples/raw_read.rs, calamine reading every cell of every
#     sheet, in parallel on the same threads;
#   - the peer: bench/peer_calamine.py (python-calamine + polars, in a
#     virtual environment under bench/.venv made here), reading through
#     FORMAT.md and writing the per-(biểu, mã số, cột) totals to an .xlsx.
# Then `tonghop check` of one return, `tonghop forms` for the N units, the
# size of tong-hop.xlsx and, at
# N = 1000 with soffice, LibreOffice's headless conversion of tong-hop.xlsx
# to .ods. Prints a Markdown table to paste into the README.
set -euo pipefail
cd "$(dirname "$0")/.."
HERE=$(pwd)
cargo build --release --quiet --bin tonghop --example raw_read
TARGET="${CARGO_TARGET_DIR:-target}"
BIN="${TONGHOP_BIN:-$TARGET/release/tonghop}"  # TONGHOP_BIN: another build to compare
RAW="$TARGET/release/examples/raw_read"
ROOT="${BENCH_DIR:-/tmp/tonghop-bench}"
RUNS="${RUNS:-3}"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100 1000 10000)
mkdir -p "$ROOT"

VENV="$HERE/bench/.venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import python_calamine, polars, xlsxwriter' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet python-calamine polars xlsxwriter
fi
PY="$VENV/bin/python"

TIMES="$ROOT/.time"
# once CMD...: one run; sets WALL, CPU, RSS (KiB); its stderr in $ROOT/.stderr
once() {
  /usr/bin/time -f "%e %U %S %M" -o "$TIMES" "$@" >/dev/null 2>"$ROOT/.stderr" || true
  read -r WALL user sys RSS < <(tail -n 1 "$TIMES")
  CPU=$(printf "%.2f" "$(echo "$user + $sys" | bc)")
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# timed CMD...: RUNS runs; sets WALL, CPU, RSS to the medians, and READ to
# the median end of the reading phase when the command prints its
# TONGHOP_TIMING laps
timed() {
  local w=() c=() m=() r=()
  for _ in $(seq "$RUNS"); do
    once "$@"
    w+=("$WALL"); c+=("$CPU"); m+=("$RSS")
    r+=("$(sed -n 's/^\[ *\([0-9.]*\) s.*\] đọc tệp$/\1/p' "$ROOT/.stderr")")
  done
  WALL=$(median "${w[@]}"); CPU=$(median "${c[@]}"); RSS=$(median "${m[@]}"); READ=$(median "${r[@]}")
}
# floor DIR: RUNS runs of the raw read; sets FLOOR (median seconds), CELLS
floor() {
  local f=() line
  for _ in $(seq "$RUNS"); do
    line=$("$RAW" "$1")
    f+=("${line##*seconds=}")
  done
  CELLS=$(echo "$line" | sed 's/.*cells=\([0-9]*\).*/\1/')
  FLOOR=$(median "${f[@]}")
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), median of $RUNS runs"
rows=()
for n in "${sizes[@]}"; do
  dir="$ROOT/round-$n"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    "$BIN" generate "$dir" --units "$n" --error-rate 0.1 >/dev/null
    if command -v soffice >/dev/null 2>&1; then
      # find, not a glob: 52,000 names overflow the argument list.
      mapfile -t pick < <(find "$dir/bao-cao" -maxdepth 1 -name '*.xlsx' | sort | awk 'NR % 10 == 3')
      tmp=$(mktemp -d)
      # In batches: one soffice call per 200 files.
      for ((i = 0; i < ${#pick[@]}; i += 200)); do
        soffice --headless --convert-to ods --outdir "$tmp" "${pick[@]:i:200}" >/dev/null 2>&1
      done
      for f in "${pick[@]}"; do rm "$f"; done
      find "$tmp" -maxdepth 1 -name '*.ods' -exec mv -t "$dir/bao-cao/" {} +
      rmdir "$tmp"
    fi
    touch "$dir/.complete"
  fi
  out="$dir/ket-qua"
  timed env TONGHOP_TIMING=1 "$BIN" consolidate "$dir" --out "$out" --quiet
  t_wall=$WALL t_cpu=$CPU t_rss=$RSS t_read=$READ
  floor "$dir/bao-cao"
  timed "$PY" bench/peer_calamine.py "$dir" "$ROOT/peer-$n.xlsx"
  p_wall=$WALL
  one=$(find "$dir/bao-cao" -name '*.xlsx' -print -quit)
  timed "$BIN" check "$one" --round "$dir"
  c_wall=$WALL
  forms_out=$(mktemp -d)
  timed "$BIN" forms "$dir" --out "$forms_out"
  f_wall=$WALL
  rm -rf "$forms_out"
  size=$(stat -c %s "$out/tong-hop.xlsx")
  ods="–"
  if [ "$n" = 1000 ] && command -v soffice >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    # Its own profile (not handed to a LibreOffice already running), made
    # by a first, untimed conversion of the peer's small workbook.
    soffice "-env:UserInstallation=file://$tmp/profile" --headless --convert-to ods --outdir "$tmp" "$ROOT/peer-$n.xlsx" >/dev/null 2>&1 || true
    once soffice "-env:UserInstallation=file://$tmp/profile" --headless --convert-to ods --outdir "$tmp" "$out/tong-hop.xlsx"
    ods=$WALL
    rm -rf "$tmp"
  fi
  rows+=("$(printf '| %s | %s | %s | %.0f | %s | %.2f | %s | %.2f | %.1f | %.2f | %s | %.1f | %s | %s |' \
    "$n" "$t_wall" "$t_cpu" "$(echo "$t_rss / 1024" | bc -l)" "$FLOOR" "$(echo "$t_wall / $FLOOR" | bc -l)" \
    "$t_read" "$(echo "$t_read / $FLOOR" | bc -l)" "$p_wall" "$(echo "$p_wall / $t_wall" | bc -l)" \
    "$c_wall" "$(echo "$size / 1000000" | bc -l)" "$ods" "$f_wall")")
  echo "N=$n done ($(date -u +%H:%M), cells read by the floor: $CELLS)" >&2
done
echo
echo "| returns | consolidate s | CPU s | peak MiB | floor s | ÷ floor | reading s | reading ÷ floor | peer s | peer ÷ tonghop | check 1 s | tong-hop.xlsx MB | → .ods s | forms s |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
