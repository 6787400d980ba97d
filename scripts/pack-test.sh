#!/usr/bin/env bash
# The published packages, as a user gets them: `npm pack` every workspace package, check what each
# tarball holds, install the tarballs into fresh projects (npm, and pnpm with hoist=false so only
# declared dependencies resolve; CommonJS and ES module packages), and run the README tutorial
# there with the installed `mig`, on the embedded database and on PostgreSQL.
#
# Usage: scripts/pack-test.sh      (after `npm run build`; needs the npm registry, and PostgreSQL on
# 127.0.0.1:5432 with trust auth unless MIG_PACK_TEST_POSTGRES=0). pnpm is installed from the npm
# registry into a temporary prefix when it is not on the PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PG_ADMIN_URL="${MIG_PACK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/migraph-pack-XXXXXX")"
DATABASES=()
cleanup() {
  for db in "${DATABASES[@]}"; do
    psql "$PG_ADMIN_URL" -qc "drop database if exists \"$db\" with (force)" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '\n-- %s\n' "$*"; }
fail() {
  echo "pack-test: $*" >&2
  exit 1
}
started=$SECONDS

log "npm pack (every workspace package)"
TARBALLS="$WORK/tarballs"
mkdir -p "$TARBALLS"
(cd "$ROOT" && npm pack --workspaces --pack-destination "$TARBALLS" --json --loglevel=error) >"$WORK/pack.json"

# What each tarball must and must not hold; prints the sizes.
node --input-type=module - "$WORK/pack.json" <<'EOF'
import { readFileSync } from 'node:fs'
const packs = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const problems = []
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`
for (const pack of packs) {
  const files = pack.files.map((f) => f.path)
  const has = (path) => files.includes(path)
  const need = ['package.json', 'README.md', 'LICENSE']
  if (pack.name === '@migraph/core' || pack.name === 'migraph') need.push('templates/revision.ts.ejs', 'templates/revision.sql.ejs')
  if (pack.name === 'migraph') need.push('bin/mig.cjs', 'bundle/migraph.cjs', 'bundle/migraph.cjs.map', 'bundle/index.mjs', 'dist/index.d.ts')
  else need.push('dist/index.js', 'dist/index.d.ts')
  for (const path of need) if (!has(path)) problems.push(`${pack.name}: ${path} missing`)
  for (const path of files) {
    if (/(^|\/)(src|test|tests|__tests__|node_modules)\//.test(path) || /\.tsbuildinfo$|\.test\.[cm]?[jt]s$|\.d\.ts\.map$|\.tmp$/.test(path))
      problems.push(`${pack.name}: stray file ${path}`)
    if (pack.name === 'migraph' && path.startsWith('dist/') && path !== 'dist/index.d.ts')
      problems.push(`${pack.name}: unreachable ${path}`)
  }
  console.log(`${pack.name.padEnd(22)} ${pack.filename.padEnd(30)} ${kib(pack.size).padStart(11)} packed, ${kib(pack.unpackedSize).padStart(11)} unpacked, ${String(pack.entryCount).padStart(3)} files`)
}
if (problems.length > 0) {
  console.error(problems.join('\n'))
  process.exit(1)
}
EOF

tarball() { ls "$TARBALLS"/"$1"-[0-9]*.tgz; }
MIGRAPH="$(tarball migraph)"
CORE="$(tarball migraph-core)"
GRAPH="$(tarball migraph-graph)"
OPERATIONS="$(tarball migraph-operations)"
SCHEMA="$(tarball migraph-schema)"

PNPM=(pnpm)
if ! command -v pnpm >/dev/null; then
  log "installing pnpm (npm registry)"
  npm install --silent --no-audit --no-fund --prefix "$WORK/pnpm" pnpm@9 >/dev/null
  PNPM=("$WORK/pnpm/node_modules/.bin/pnpm")
fi
echo "pnpm $(cd "$WORK" && "${PNPM[@]}" --version)"

# A fresh project: CommonJS (`npm init -y`) or ES module ("type": "module"), with the tarballs
# installed by npm or by pnpm with hoist=false.
new_project() {
  local dir="$1" manager="$2" kind="$3"
  mkdir -p "$dir"
  (
    cd "$dir"
    npm init -y >/dev/null
    if [ "$kind" = esm ]; then npm pkg set type=module; fi
    if [ "$manager" = npm ]; then
      npm install --silent --no-audit --no-fund "$GRAPH" "$OPERATIONS" "$SCHEMA" "$CORE" "$MIGRAPH"
    else
      printf 'hoist=false\nshamefully-hoist=false\n' >.npmrc
      # The internal packages are not on the registry: every reference to them is a tarball.
      node -e '
const { readFileSync, writeFileSync } = require("node:fs")
const pkg = JSON.parse(readFileSync("package.json", "utf8"))
const [graph, operations, schema, core] = process.argv.slice(1)
pkg.pnpm = { overrides: { "@migraph/graph": `file:${graph}`, "@migraph/operations": `file:${operations}`, "@migraph/schema": `file:${schema}`, "@migraph/core": `file:${core}` } }
writeFileSync("package.json", JSON.stringify(pkg, null, 2))
' "$GRAPH" "$OPERATIONS" "$SCHEMA" "$CORE"
      "${PNPM[@]}" add --silent "$MIGRAPH"
    fi
  )
}

# Every source map installed with migraph's packages resolves: each source it names is inside it.
check_source_maps() {
  find "$1/node_modules" \( -path '*/migraph/bundle/*.map' -o -path '*/@migraph/*/dist/*.map' \) -type f |
    node --input-type=module -e '
import { readFileSync } from "node:fs"
const files = readFileSync(0, "utf8").split("\n").filter(Boolean)
for (const file of files) {
  const map = JSON.parse(readFileSync(file, "utf8"))
  map.sources.forEach((source, i) => {
    if (typeof map.sourcesContent?.[i] !== "string") throw new Error(`${file}: no content for ${source}`)
  })
}
if (files.length === 0) throw new Error("no source maps found")
console.log(`${files.length} source maps, every source inside`)
'
}

# The README tutorial with the installed `mig`; MIG_DATABASE_URL picks the database (unset: embedded).
tutorial() {
  local dir="$1"
  local mig="$dir/node_modules/.bin/mig"
  (
    cd "$dir"
    "$mig" init >/dev/null
    "$mig" revision -m "create account table" >/dev/null
    local file
    file="$(ls migrations/*_create_account_table.ts)"
    node - "$file" <<'EOF'
const { readFileSync, writeFileSync } = require('node:fs')
const file = process.argv[2]
const text = readFileSync(file, 'utf8')
  .replace('// your upgrade steps, e.g. await op.createTable(...)', `await op.createTable('account', (t) =>
    t.addColumn('id', 'serial', (c) => c.primaryKey()).addColumn('name', 'varchar(50)', (c) => c.notNull()),
  )`)
  .replace('// undo upgrade(), e.g. await op.dropTable(...)', "await op.dropTable('account')")
if (!text.includes("op.createTable('account'")) throw new Error(`unexpected revision template in ${file}`)
writeFileSync(file, text)
EOF
    local id
    id="$(basename "$file" | cut -d_ -f1)"
    "$mig" revision -m "add a column" >/dev/null
    "$mig" upgrade head
    local current
    current="$("$mig" current)"
    [[ "$current" == *"(head)"* ]] || fail "$dir: mig current after upgrade head printed '$current'"
    "$mig" history | grep -q "<base> -> $id" || fail "$dir: mig history lacks $id"
    "$mig" downgrade -1
    [[ "$("$mig" current)" == "$id"* ]] || fail "$dir: mig current after downgrade -1 is not $id"
    "$mig" downgrade base
    [ -z "$("$mig" current)" ] || fail "$dir: mig current after downgrade base is not empty"
  )
}

POSTGRES=1
if [ "${MIG_PACK_TEST_POSTGRES:-1}" = 0 ]; then
  POSTGRES=0
elif ! psql "$PG_ADMIN_URL" -qc 'select 1' >/dev/null 2>&1; then
  fail "PostgreSQL at $PG_ADMIN_URL is unreachable (MIG_PACK_TEST_POSTGRES=0 skips it)"
fi

for manager in npm pnpm; do
  for kind in cjs esm; do
    dir="$WORK/$manager-$kind"
    log "$manager, $kind package: install"
    t0=$SECONDS
    new_project "$dir" "$manager" "$kind"
    echo "installed in $((SECONDS - t0)) s; node_modules: $(du -sh "$dir/node_modules" | cut -f1)"
    check_source_maps "$dir"
    log "$manager, $kind: tutorial on the embedded database"
    (unset DATABASE_URL MIG_DATABASE_URL; tutorial "$dir")
    log "$manager, $kind: errors seen from code (pg not installed yet)"
    cp "$ROOT/test/e2e/fixtures/error-probe.mjs" "$dir/error-probe.mjs"
    (cd "$dir" && MIG_PROBE_PORT=9 MIG_PROBE_MISSING_DRIVER=pg node error-probe.mjs) >"$WORK/probe.jsonl"
    node --input-type=module - "$WORK/probe.jsonl" <<'EOF'
import { readFileSync } from 'node:fs'
const results = readFileSync(process.argv[2], 'utf8').trim().split('\n').map((line) => JSON.parse(line))
const bad = []
for (const r of results) {
  if (r.case === 'exported classes') {
    for (const c of r.classes) if (!c.migraphError || c.constructorName !== c.name || !c.sameInRequire) bad.push(c)
  } else if (r.thrown === false || !r.migraphError || !r.instanceOfExported || r.constructorName !== r.name || typeof r.code !== 'string') {
    bad.push(r)
  }
}
const missing = results.find((r) => r.case === 'driver missing')
if (missing?.name !== 'DriverMissingError' || missing.code !== 'driver-missing') bad.push(missing ?? 'no driver-missing case')
if (bad.length > 0) throw new Error(`errors not as exported: ${JSON.stringify(bad)}`)
console.log(`${results.length - 1} errors: named, coded, instanceof MigraphError and their exported class`)
EOF
    if [ "$POSTGRES" = 1 ]; then
      log "$manager, $kind: tutorial on PostgreSQL"
      if [ "$manager" = npm ]; then
        (cd "$dir" && npm install --silent --no-audit --no-fund pg)
      else
        (cd "$dir" && "${PNPM[@]}" add --silent pg)
      fi
      db="migraph_pack_$$_${manager}_${kind}"
      DATABASES+=("$db")
      psql "$PG_ADMIN_URL" -qc "create database \"$db\"" >/dev/null
      rm -rf "$dir/migrations" "$dir/migrate.config.ts"
      MIG_DATABASE_URL="${PG_ADMIN_URL%/*}/$db" tutorial "$dir"
      steps="$(psql "${PG_ADMIN_URL%/*}/$db" -tAc 'select count(*) from mig_version_history')"
      [ "$steps" = 4 ] || fail "$manager-$kind: PostgreSQL recorded $steps steps, expected 4"
      psql "$PG_ADMIN_URL" -qc "drop database \"$db\" with (force)" >/dev/null
    fi
  done
done

log "pack-test passed in $((SECONDS - started)) s"
