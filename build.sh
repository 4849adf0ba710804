#!/usr/bin/env bash
# ./build.sh [rid...]: publishes crossfade as one self-contained file per platform (default linux-x64 and
# linux-arm64) in artifacts/dist/<rid>/crossfade, stamped with the version, the commit and the build date.
# The file runs on a host with no .NET installed: server, agent, proxy and CLI in one. Copy artifacts/dist into
# the server's binaries folder (<data>/binaries) and it hands the right one to each host it installs or upgrades.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64)
built="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)+$(git rev-parse HEAD 2>/dev/null || echo unknown)"
for rid in "${rids[@]}"; do
  out="$here/artifacts/dist/$rid"
  rm -rf "$out"
  echo "publishing $rid..." >&2
  # Compressed inside the file (smaller to copy to hosts; unpacked in memory at start), no debug files beside it.
  dotnet publish src/Crossfade/Crossfade.csproj -c Release -r "$rid" --self-contained \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:EnableCompressionInSingleFile=true \
    -p:DebugType=none -p:GenerateDocumentationFile=false -p:CrossfadeBuildDate="$built" \
    -o "$out" --nologo -v quiet -clp:ErrorsOnly >&2
  find "$out" -type f ! -name crossfade -delete
  echo "$version" > "$out/crossfade.version"
  ( cd "$out" && sha256sum crossfade > crossfade.sha256 )
  echo "$out/crossfade $(stat -c %s "$out/crossfade") bytes sha256 $(cut -d' ' -f1 "$out/crossfade.sha256")"
done
