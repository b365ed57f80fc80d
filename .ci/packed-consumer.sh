#!/usr/bin/env bash
# Packs every package with `npm pack`, installs the tarballs into a new project outside the
# repository, and checks what a user gets: the tarball contents (LICENSE, README, no link out of the
# package), a strict TypeScript consumer (skipLibCheck: false), an ESM and a CommonJS consumer, and
# the `custodian` bin. Third-party dependencies come from the npm registry.
#   bash .ci/packed-consumer.sh            (builds first; KEEP=1 keeps the temp project)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
started=$SECONDS

work="$(mktemp -d "${TMPDIR:-/tmp}/custodian-packed-XXXXXX")"
cleanup() { if [ "${KEEP:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
case "$work" in "$repo"/*) echo "packed-consumer: the temp project must be outside the repository" >&2; exit 1 ;; esac

step() { printf '\n== %s (%ss)\n' "$1" "$((SECONDS - started))"; }

step "build"
npx tsc -b

step "pack"
packages=()
for dir in packages/*/; do packages+=("-w" "${dir%/}"); done
mkdir -p "$work/tarballs"
npm pack "${packages[@]}" --pack-destination "$work/tarballs" --silent >/dev/null
ls "$work/tarballs"

step "tarball contents"
fail=0
for tgz in "$work"/tarballs/*.tgz; do
  name="$(basename "$tgz")"
  listing="$(tar -tzf "$tgz")"
  for required in package/LICENSE package/README.md package/package.json; do
    grep -qx "$required" <<<"$listing" || { echo "$name: missing ${required#package/}"; fail=1; }
  done
  # A README link to ../../docs/… points outside the package: not in the tarball.
  if tar -xzOf "$tgz" package/README.md 2>/dev/null | grep -nE '\]\(\.\./' ; then echo "$name: README links outside the package"; fail=1; fi
  echo "$name: $(wc -l <<<"$listing") files"
done
[ "$fail" = 0 ] || exit 1

step "install the tarballs into $work/consumer"
mkdir -p "$work/consumer"
cp .ci/packed-consumer/* "$work/consumer/"
cd "$work/consumer"
types_node="$(node -p "require('$repo/node_modules/@types/node/package.json').version")"
cat >package.json <<JSON
{ "name": "custodian-packed-consumer", "private": true, "type": "module" }
JSON
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz "@types/node@$types_node"
# Every @custodian package must come from the tarballs: one copy each, the packed version.
nested="$(find node_modules -path '*/node_modules/*/node_modules/@custodian' -o -path 'node_modules/@custodian/*/node_modules/@custodian' | head -n 1)"
[ -z "$nested" ] || { echo "a second copy of a @custodian package was installed: $nested" >&2; exit 1; }
node -e '
const fs = require("fs");
for (const p of fs.readdirSync("node_modules/@custodian")) {
  const j = require(`./node_modules/@custodian/${p}/package.json`);
  for (const [d, spec] of Object.entries(j.dependencies ?? {})) if (d.startsWith("@custodian/") && spec !== j.version) throw new Error(`${j.name} depends on ${d}@${spec}`);
  console.log(`${j.name}@${j.version}`);
}'

step "type-check a strict consumer (skipLibCheck: false) with the repository's tsc"
"$repo/node_modules/.bin/tsc" -p tsconfig.json
echo "tsc: 0 errors ($("$repo/node_modules/.bin/tsc" --version))"

step "ESM consumer"
node esm.mjs

step "CommonJS consumer"
node cjs.cjs

step "the custodian bin"
ls -l node_modules/.bin/custodian
npx --no-install custodian validate resource.config.yaml
set +e
printf 'shutdown:\n  dedline: 1s\n' >bad.yaml
npx --no-install custodian validate bad.yaml
rc=$?
set -e
[ "$rc" = 1 ] || { echo "custodian validate bad.yaml: expected exit 1, got $rc" >&2; exit 1; }
echo "custodian validate bad.yaml: exit 1 as expected"

step "packed consumer: all checks passed on Node $(node --version)"
