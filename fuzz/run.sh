#!/usr/bin/env bash
# Fuzzes Preflight's parsers with AFL++ through SharpFuzz.
#   fuzz/run.sh <target|all> <seconds per target> [output folder]
# Targets: fuzz/run.sh --list. Needs AFL++ (Debian: apt-get install afl++) and the .NET SDK; installs the
# SharpFuzz instrumenter into fuzz/.tools. Prints, per target, the executions, crashes and hangs found; inputs that
# crashed or hung are left under <output>/<target>/default/{crashes,hangs} for fuzz/Preflight.Fuzz --replay.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fuzz=$root/fuzz
build=${FUZZ_BUILD:-$fuzz/.build}
tools=$fuzz/.tools

if [[ ${1:-} == --list ]]; then
  dotnet run --project "$fuzz/Preflight.Fuzz" -c Release -- --list
  exit 0
fi
target=${1:?usage: fuzz/run.sh <target|all> <seconds> [output folder]}
seconds=${2:?usage: fuzz/run.sh <target|all> <seconds> [output folder]}
out=${3:-$fuzz/out}

command -v afl-fuzz > /dev/null || { echo "fuzz/run.sh: afl-fuzz not found; install AFL++ (apt-get install afl++)" >&2; exit 2; }
[[ -x $tools/sharpfuzz ]] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" > /dev/null

# Build once, then instrument our library and the third-party parsers it drives (not Roslyn: too large).
if [[ ! -f $build/.instrumented ]]; then
  rm -rf "$build"
  dotnet publish "$fuzz/Preflight.Fuzz" -c Release -o "$build" --nologo -v q
  for dll in Preflight.dll YamlDotNet.dll ICSharpCode.SharpZipLib.dll Mono.Cecil.dll BouncyCastle.Cryptography.dll Cronos.dll; do
    "$tools/sharpfuzz" "$build/$dll"
  done
  # A small assembly of our own (4 KB) seeds the cecil and content targets: a large one makes every execution slow.
  dotnet build "$fuzz/seed-lib/Tiny.csproj" -c Release -o "$build/seed-lib" --nologo -v q > /dev/null
  touch "$build/.instrumented"
fi

# Seeds: the committed text seeds, plus binary seeds made here from the repository's own fixtures.
seeds_for() {
  local t=$1 dir=$out/seeds/$1
  rm -rf "$dir"; mkdir -p "$dir"
  [[ -d $fuzz/seeds/$t ]] && cp "$fuzz/seeds/$t"/* "$dir"/
  local pem=$fuzz/seeds/pem/dten-release-root-2026.pem
  case $t in
    archive) find "$root/fixtures/hostile" -maxdepth 1 -type f ! -name '*.md' -size -16k -exec cp {} "$dir"/ \; ;;
    content) cp "$fuzz/seeds/sql/"* "$fuzz/seeds/unit/"* "$build/seed-lib/Tiny.dll" "$dir"/; printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' > "$dir/png" ;;
    der) sed '/-----/d' "$pem" | base64 -d > "$dir/root.der" ;;
    pkcs12|cms)
      local tmp; tmp=$(mktemp -d)
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/k.pem" -out "$tmp/c.pem" -days 30 -subj /CN=fuzz 2> /dev/null
      if [[ $t == pkcs12 ]]; then openssl pkcs12 -export -in "$tmp/c.pem" -inkey "$tmp/k.pem" -passout pass: -out "$dir/empty-password.pfx"
      else printf '#!/bin/sh\necho tool\n' > "$tmp/tool.sh"; openssl cms -sign -binary -in "$tmp/tool.sh" -signer "$tmp/c.pem" -inkey "$tmp/k.pem" -outform DER -out "$dir/tool.sh.p7s"; fi
      rm -rf "$tmp" ;;
    cecil) cp "$build/seed-lib/Tiny.dll" "$dir"/ ;;
  esac
  echo "$dir"
}

run_one() {
  local t=$1 seeds
  seeds=$(seeds_for "$t")
  rm -rf "${out:?}/$t"
  AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
    afl-fuzz -i "$seeds" -o "$out/$t" -V "$seconds" -t 10000 -m none -- dotnet "$build/Preflight.Fuzz.dll" "$t" > "$out/$t.log" 2>&1 || true
  local stats=$out/$t/default/fuzzer_stats
  if [[ -f $stats ]]; then
    awk -v t="$t" -F' *: *' '{s[$1]=$2} END {printf "%-9s run %6ss  execs %10s  (%s/s)  paths %6s  crashes %s  hangs %s\n", t, s["run_time"], s["execs_done"], s["execs_per_sec"], s["corpus_count"], s["saved_crashes"], s["saved_hangs"]}' "$stats"
  else
    echo "$t: afl-fuzz did not start; see $out/$t.log" >&2
    tail -20 "$out/$t.log" >&2
    return 1
  fi
}

mkdir -p "$out"
if [[ $target == all ]]; then
  for t in $(dotnet "$build/Preflight.Fuzz.dll" --list); do run_one "$t"; done
else
  run_one "$target"
fi
