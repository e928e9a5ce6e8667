#!/usr/bin/env bash
# Side by side on the same inputs, each tool as a process (start-up included), best of N with GNU time:
#   - the credentials detector alone (preflight scan with a config enabling only it) vs secretlint 13.0.6 with
#     its recommended preset, on the extracted tree of a synthetic package;
#   - the migrations detector alone vs squawk 2.66.0, on the package's SQL migrations.
# Usage: [PREFLIGHT_CLI=…/Preflight.Cli.dll] benchmarks/side-by-side.sh <package.zip> [runs=3] [workdir=/tmp/pf-side]
# Needs: the Release CLI (dotnet build -c Release src/Preflight.Cli), node/npm, unzip, GNU time.
# npm packages are installed into the workdir (nothing global).
set -euo pipefail
pkg=$(realpath "$1"); runs=${2:-3}; work=${3:-/tmp/pf-side}
root=$(cd "$(dirname "$0")/.." && pwd)
# PREFLIGHT_CLI picks another build, e.g. a ReadyToRun publish (dotnet publish -c Release -r linux-x64 src/Preflight.Cli -o DIR),
# or the native build's executable (… -p:PublishAot=true -o DIR: DIR/Preflight.Cli), which is run as it is.
cli="${PREFLIGHT_CLI:-$root/src/Preflight.Cli/bin/Release/net10.0/Preflight.Cli.dll}"
[ -f "$cli" ] || { echo "build the CLI first: dotnet build -c Release src/Preflight.Cli" >&2; exit 2; }
case "$cli" in *.dll) run_cli=(dotnet "$cli") ;; *) run_cli=("$(realpath "$cli")") ;; esac
[ -x /usr/bin/time ] || { echo "GNU time is needed (/usr/bin/time)" >&2; exit 2; }
mkdir -p "$work"
if [ ! -x "$work/node_modules/.bin/secretlint" ] || [ ! -x "$work/node_modules/.bin/squawk" ]; then
  (cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund \
     secretlint@13.0.6 @secretlint/secretlint-rule-preset-recommend@13.0.7 squawk-cli@2.66.0 >/dev/null)
fi
printf '{ "rules": [ { "id": "@secretlint/secretlint-rule-preset-recommend" } ] }\n' > "$work/.secretlintrc.json"
tree="$work/tree"; sql="$work/sql"
rm -rf "$tree" "$sql"; mkdir -p "$tree" "$sql"
unzip -qq "$pkg" -d "$tree"
find "$tree" -name '*.sql' -exec cp {} "$sql/" \;
only() { printf '{ "detectors": { "credentials": %s, "endpoints": false, "scheduled-tasks": false, "service-units": false, "migrations": %s, "certificates": false } }\n' "$1" "$2"; }
only true false > "$work/credentials-only.json"
only false true > "$work/migrations-only.json"
tree_bytes=$(du -sb --apparent-size "$tree" | cut -f1); sql_bytes=$(du -sb --apparent-size "$sql" | cut -f1)
tree_files=$(find "$tree" -type f | wc -l); sql_files=$(find "$sql" -type f | wc -l)

# best <label> <bytes> <command...>: runs the command N times, prints the best wall time, its CPU and peak RSS.
best() {
  local label=$1 bytes=$2; shift 2
  local b="" line
  for _ in $(seq "$runs"); do
    # GNU time writes to its own file: the tool's output is discarded, and a non-zero exit (squawk reports
    # findings that way) only adds a line before ours.
    /usr/bin/time -o "$work/time.txt" -f 'PFT %e %U %S %M' "$@" >/dev/null 2>&1 || true
    line=$(grep '^PFT' "$work/time.txt" | tail -1)
    if [ -z "$b" ] || awk -v a="$(echo "$line" | cut -d' ' -f2)" -v c="$(echo "$b" | cut -d' ' -f2)" 'BEGIN{exit !(a<c)}'; then b=$line; fi
  done
  echo "$b" | awk -v l="$label" -v by="$bytes" '{printf "%-44s %8.2f s  cpu %6.2f s  %7.1f MiB/s  peak RSS %5.0f MiB\n", l, $2, $3+$4, by/1048576/$2, $5/1024}'
}
echo "date     $(date -u '+%Y-%m-%d %H:%M') UTC; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); node $(node --version); dotnet $(dotnet --version)"
echo "tree     $tree_files files, $((tree_bytes / 1048576)) MiB (from $(basename "$pkg")); sql: $sql_files files, $((sql_bytes / 1024)) KiB"
echo "runs     best of $runs; each a process, start-up included"
echo
cd "$work"
best "secretlint 13.0.6 (preset-recommend), tree" "$tree_bytes" node_modules/.bin/secretlint --secretlintrc "$work/.secretlintrc.json" --secretlintignore /dev/null "tree/**/*"
best "preflight, credentials detector only, tree" "$tree_bytes" "${run_cli[@]}" scan "$tree" --config "$work/credentials-only.json" --format json --output "$work/cred.json" --quiet --fail-on none
best "squawk 2.66.0, sql" "$sql_bytes" bash -c "node_modules/.bin/squawk sql/*.sql; true"
best "preflight, migrations detector only, sql" "$sql_bytes" "${run_cli[@]}" scan "$sql" --config "$work/migrations-only.json" --format json --output "$work/mig.json" --quiet --fail-on none
