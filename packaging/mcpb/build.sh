#!/usr/bin/env bash
# Build the Claude Desktop bundle (.mcpb) from this checkout with the official packer, @anthropic-ai/mcpb.
#
#   packaging/mcpb/build.sh            → packaging/mcpb/dist/zoom-rooms-mcp-<version>.mcpb
#
# The bundle uses the "uv" server type (manifest 0.4): it carries the source and pyproject.toml, and Claude
# Desktop installs Python and the dependencies itself, so one bundle works on macOS, Windows and Linux.
# Needs Node.js (npx); the built archive is not committed (dist/ is ignored).
set -euo pipefail
MCPB_VERSION="2.1.2"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/pyproject.toml" | head -n 1)"
manifest_version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$here/manifest.json")"
if [ "$version" != "$manifest_version" ]; then
  echo "manifest.json says version $manifest_version but pyproject.toml says $version: update the manifest." >&2
  exit 1
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp "$here/manifest.json" "$root/pyproject.toml" "$root/README.md" "$root/LICENSE" "$stage/"
mkdir -p "$stage/src"
cp -R "$root/src/zoom_rooms_mcp" "$stage/src/"
find "$stage" -name '__pycache__' -type d -prune -exec rm -rf {} +

mcpb() { npx --yes "@anthropic-ai/mcpb@$MCPB_VERSION" "$@"; }
mcpb validate "$stage/manifest.json"
mkdir -p "$here/dist"
out="$here/dist/zoom-rooms-mcp-$version.mcpb"
mcpb pack "$stage" "$out"
mcpb info "$out"
echo "Built $out"
