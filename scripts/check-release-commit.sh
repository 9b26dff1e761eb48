#!/bin/sh
# The release in CI must come from the tagged commit, unchanged: manifest.json's commit
# (recorded by the build, `-dirty` if a tracked file differed) must be $GITHUB_SHA.
# Usage: sh scripts/check-release-commit.sh build/release/manifest.json
set -eu
commit="$(jq -r .commit "$1")"
echo "manifest commit: $commit"
if [ "$commit" != "${GITHUB_SHA:?}" ]; then
  echo "::error::manifest.json names commit $commit, the tag is $GITHUB_SHA"
  exit 1
fi
