// Benchmark of `mig lint` over generated revisions (default 1,000), each with a table created,
// a column added, an index and an op.execute: every statement is compiled and parsed. Wall time
// of the first run (revision modules compiled, headers read) and the median of the runs after
// it. Not a test: it asserts nothing.
//
//   node scripts/bench-lint.mjs [--sizes 1000] [--runs 3]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MIG = join(ROOT, 'packages/cli/bin/mig.cjs')
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : args[at + 1]
}
const sizes = option('sizes', '1000').split(',').map(Number)
const runs = Number(option('runs', '3'))
const idOf = (i) => i.toString(16).padStart(12, '0')

function revisionFile(i) {
  const id = idOf(i)
  const down = i === 1 ? 'null' : `'${idOf(i - 1)}'`
  return `/**
 * revision ${i}
 *
 * Revision ID: ${id}
 */
export const revision = '${id}'
export const downRevision = ${down}
export async function upgrade(op) {
  await op.createTable('t${i}', (t) => t.addColumn('id', 'serial', (c) => c.primaryKey()).addColumn('name', 'text'))
  ${i > 1 ? `await op.addColumn('t${i - 1}', 'extra', 'text')` : ''}
  ${i > 1 ? `await op.createIndex('t${i - 1}_name', 't${i - 1}', ['name'])` : ''}
  await op.execute("update t${i} set name = 'x' where id < 0")
}
export async function downgrade(op) {
  await op.dropTable('t${i}')
}
`
}

function timeOnce(cwd) {
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, [MIG, 'lint', '--json'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 1 && result.status !== 0) throw new Error(`mig lint failed: ${result.stderr}`)
  return { ms, findings: JSON.parse(result.stdout).findings.length }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

if (!existsSync(join(ROOT, 'packages/cli/bundle/migraph.cjs'))) {
  console.error('build first: npm run build')
  process.exit(1)
}
console.log('| revisions | statements | findings | first run ms | median ms |')
console.log('|---:|---:|---:|---:|---:|')
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'mig-bench-lint-'))
  try {
    mkdirSync(join(dir, 'node_modules'))
    symlinkSync(join(ROOT, 'packages/cli'), join(dir, 'node_modules/migraph'), 'dir')
    writeFileSync(join(dir, 'migrate.config.mjs'), "export default { migrations: 'migrations' }\n")
    mkdirSync(join(dir, 'migrations'))
    for (let i = 1; i <= n; i++) writeFileSync(join(dir, 'migrations', `${idOf(i)}_rev.js`), revisionFile(i))
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500)
    const first = timeOnce(dir)
    const times = Array.from({ length: runs }, () => timeOnce(dir).ms)
    console.log(
      `| ${n} | ${4 * n - 2} | ${first.findings} | ${first.ms.toFixed(0)} | ${median(times).toFixed(0)} |`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
