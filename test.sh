#!/usr/bin/env bash
# Installs what the tests need, builds everything, runs every test suite and ends with
# "N passed, N failed" (", N skipped" when any were skipped).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

need=()
command -v setsid >/dev/null || need+=(util-linux)
command -v curl >/dev/null || need+=(curl)
# Builds from source clone with the system's git.
command -v git >/dev/null || need+=(git)
# Named time zones (traffic by hour, freezes) come from the system's zone data.
[ -f /usr/share/zoneinfo/Europe/Berlin ] || need+=(tzdata)
# Hosts are added over SSH with the system's OpenSSH client, tested against a real sshd on loopback.
command -v ssh >/dev/null || need+=(openssh-client)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
# The dashboard's browser tests drive Debian's Chromium (never a downloaded one).
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}"; else sudo apt-get update -qq && sudo apt-get install -y -qq "${need[@]}"; fi
fi

set -e
dotnet build Crossfade.slnx -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet publish examples/gear-shop/GearShop.csproj -c Release -r linux-x64 --no-self-contained -o artifacts/gear-shop --nologo -v quiet -clp:ErrorsOnly
# The launcher's build output is the one just built (what './crossfade' would build, without building it again).
rm -rf artifacts/crossfade && mkdir -p artifacts/crossfade && cp -r src/Crossfade/bin/Release/net10.0/. artifacts/crossfade/ && touch artifacts/crossfade/crossfade.dll
set +e

results="$here/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
status=0
# One suite after the other: run side by side on 2 cores, the unit tests' CPU slowed the real-process
# tests by more than the unit tests' own 40 s.
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  echo "== $name"
  dotnet test "$project" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
done

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p'); f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  t=$(echo "$counters" | sed -n 's/.* total="\([0-9]*\)".*/\1/p'); e=$(echo "$counters" | sed -n 's/.* executed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then status=1; fi
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
exit $status
