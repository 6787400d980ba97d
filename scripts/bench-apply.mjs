// Benchmarks of the apply path against PostgreSQL: `mig upgrade head` over generated trivial
// revisions (each one INSERT), beside a plain `pg` script that sends the same statements and the
// same version-table changes, one transaction per revision; then `mig upgrade head` on a database
// already at head, beside a plain script that connects and reads the version table.
// Every timed run gets a fresh database, dropped afterwards. Prints a Markdown table of median
// wall times and peak memory. Not a test: it asserts nothing.
//
// CPU time (user + system) is printed beside wall time: on a busy machine it moves far less.
//
//   node scripts/bench-apply.mjs [--revisions 1000] [--runs 5] [--url postgres://postgres@127.0.0.1:5432]
//     [--mig path/to/bin/mig.cjs] [--instructions]
//
// `--instructions` adds one more round under valgrind's callgrind and prints the instructions
// each client executes in user space: what the client costs, apart from the server's work and
// the machine's load. Needs valgrind.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PG = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('pg')).href
const { default: pg } = await import(PG)

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : args[at + 1]
}
// Another build (say, of an older commit) can be measured with --mig; its package is linked.
const MIG = resolve(option('mig', join(ROOT, 'packages/cli/bin/mig.cjs')))
const CLI = dirname(dirname(MIG))
const revisions = Number(option('revisions', '1000'))
const runs = Number(option('runs', '5'))
const countInstructions = args.includes('--instructions')
if (!existsSync(join(CLI, 'bundle/migraph.cjs')) && !existsSync(join(CLI, 'dist/main.js'))) {
  console.error('build first: npm run build')
  process.exit(1)
}
const serverUrl = option(
  'url',
  process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432',
).replace(/\/+$/, '')

const idOf = (i) => i.toString(16).padStart(12, '0')

function makeProject() {
  const dir = mkdtempSync(join(tmpdir(), 'mig-bench-apply-'))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(CLI, join(dir, 'node_modules/migraph'), 'dir')
  writeFileSync(
    join(dir, 'migrate.config.ts'),
    "import { defineConfig } from 'migraph'\nexport default defineConfig({ migrations: 'migrations' })\n",
  )
  mkdirSync(join(dir, 'migrations'))
  for (let i = 1; i <= revisions; i++) {
    const id = idOf(i)
    const down = i === 1 ? 'null' : `'${idOf(i - 1)}'`
    writeFileSync(
      join(dir, 'migrations', `${id}_probe.ts`),
      `/**
 * probe ${i}
 *
 * Revision ID: ${id}
 * Revises: ${i === 1 ? '' : idOf(i - 1)}
 * Create Date: 2026-01-01 00:00:00.000000
 */
import type { Operations } from 'migraph'

export const revision = '${id}'
export const downRevision: string | readonly string[] | null = ${down}

export async function upgrade(op: Operations): Promise<void> {
  await op.execute('insert into probe values (${i})')
}

export async function downgrade(op: Operations): Promise<void> {
  await op.execute('delete from probe where n = ${i}')
}
`,
    )
  }
  // What migraph does, by hand: the version table on first write, then per revision one
  // transaction holding the revision's statement and its version-table change.
  writeFileSync(
    join(dir, 'plain-apply.mjs'),
    `import pg from '${PG}'
const client = new pg.Client(process.argv[2])
await client.connect()
await client.query('create table mig_version (version_num varchar(32) not null primary key)')
const idOf = (i) => i.toString(16).padStart(12, '0')
for (let i = 1; i <= ${revisions}; i++) {
  await client.query('begin')
  await client.query('insert into probe values (' + i + ')')
  if (i === 1) await client.query('insert into mig_version (version_num) values ($1)', [idOf(i)])
  else await client.query('update mig_version set version_num = $1 where version_num = $2', [idOf(i), idOf(i - 1)])
  await client.query('commit')
}
await client.end()
`,
  )
  writeFileSync(
    join(dir, 'plain-read.mjs'),
    `import pg from '${PG}'
const client = new pg.Client(process.argv[2])
await client.connect()
const { rows } = await client.query('select version_num from mig_version')
console.log(rows.map((r) => r.version_num).join('\\n'))
await client.end()
`,
  )
  return dir
}

async function admin(database, statements) {
  const client = new pg.Client(`${serverUrl}/${database}`)
  await client.connect()
  try {
    for (const statement of statements) await client.query(statement)
  } finally {
    await client.end()
  }
}

const created = []
async function freshDatabase(tag) {
  const name = `mig_bench_${process.pid}_${created.length}_${tag}`
  await admin('postgres', [`create database ${name}`])
  created.push(name)
  await admin(name, ['create table probe (n integer not null)'])
  return name
}

function timed(commandArgs, cwd) {
  const started = process.hrtime.bigint()
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, ...commandArgs], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${commandArgs.join(' ')} failed: ${result.stderr}`)
  const [user, system, kb] = (result.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number)
  return { ms, cpuMs: (user + system) * 1000, kb }
}

/** Instructions a run executes in user space, under callgrind. */
function counted(commandArgs, cwd) {
  const result = spawnSync(
    'valgrind',
    ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...commandArgs],
    { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  )
  const found = /Collected : (\d+)/.exec(result.stderr ?? '')
  if (result.status !== 0 || found === null) {
    throw new Error(`callgrind failed on ${commandArgs.join(' ')}: ${result.error?.message ?? result.stderr}`)
  }
  return Number(found[1])
}

const samples = { migApply: [], plainApply: [], migAtHead: [], plainRead: [] }
const instructions = {}
const record = (key, sample, k) => {
  if (k > 0) samples[key].push(sample) // the first run warms the file and compile caches
}

const dir = makeProject()
try {
  for (let k = 0; k < runs + 1; k++) {
    const migDb = await freshDatabase('mig')
    const migUrl = `${serverUrl}/${migDb}`
    record('migApply', timed([MIG, 'upgrade', 'head', '--url', migUrl], dir), k)
    record('migAtHead', timed([MIG, 'upgrade', 'head', '--url', migUrl], dir), k)
    const plainDb = await freshDatabase('plain')
    record('plainApply', timed([join(dir, 'plain-apply.mjs'), `${serverUrl}/${plainDb}`], dir), k)
    record('plainRead', timed([join(dir, 'plain-read.mjs'), migUrl], dir), k)
    const client = new pg.Client(migUrl)
    await client.connect()
    const { rows } = await client.query('select count(*)::int as n from probe')
    await client.end()
    if (rows[0].n !== revisions) throw new Error(`mig applied ${rows[0].n} of ${revisions} revisions`)
    while (created.length > 0) await admin('postgres', [`drop database if exists ${created.pop()}`])
  }
  if (countInstructions) {
    const migUrl = `${serverUrl}/${await freshDatabase('mig')}`
    instructions.migApply = counted([MIG, 'upgrade', 'head', '--url', migUrl], dir)
    instructions.migAtHead = counted([MIG, 'upgrade', 'head', '--url', migUrl], dir)
    instructions.plainApply = counted(
      [join(dir, 'plain-apply.mjs'), `${serverUrl}/${await freshDatabase('plain')}`],
      dir,
    )
    instructions.plainRead = counted([join(dir, 'plain-read.mjs'), migUrl], dir)
    while (created.length > 0) await admin('postgres', [`drop database if exists ${created.pop()}`])
  }
} finally {
  for (const name of created) await admin('postgres', [`drop database if exists ${name}`]).catch(() => {})
  rmSync(dir, { recursive: true, force: true })
}

const median = (xs, field = 'ms') => {
  const sorted = xs.map((x) => x[field]).sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
const peak = (xs) => Math.max(...xs.map((x) => x.kb)) / 1024
// Each round times every case once, so a case and its baseline of the same round saw the same
// machine: the median of those per-round ratios is steadier than a ratio of two medians.
const paired = (s, b) =>
  median(
    s.map((x, k) => ({ ratio: x.ms / b[k].ms })),
    'ratio',
  )
const row = (label, key, baseline) => {
  const [s, b] = [samples[key], samples[baseline]]
  const counts = countInstructions
    ? ` ${(instructions[key] / 1e6).toFixed(0)} | ${(instructions[key] / instructions[baseline]).toFixed(2)} |`
    : ''
  return `| ${label} | ${median(s).toFixed(1)} | ${(median(s) / median(b)).toFixed(2)} | ${paired(s, b).toFixed(2)} | ${median(s, 'cpuMs').toFixed(0)} | ${(median(s, 'cpuMs') / median(b, 'cpuMs')).toFixed(2)} | ${peak(s).toFixed(1)} |${counts}`
}
console.log(`${revisions} revisions, PostgreSQL at ${serverUrl}, median of ${runs}\n`)
console.log(
  `| case | median ms | × plain | × plain, paired | CPU ms | CPU × plain | peak MiB |${countInstructions ? ' instructions (M) | instructions × plain |' : ''}`,
)
console.log(`|---|---:|---:|---:|---:|---:|---:|${countInstructions ? '---:|---:|' : ''}`)
console.log(row('plain pg: apply, one transaction per revision', 'plainApply', 'plainApply'))
console.log(row('mig upgrade head (from base)', 'migApply', 'plainApply'))
console.log(row('plain pg: connect, read version table', 'plainRead', 'plainRead'))
console.log(row('mig upgrade head (already at head)', 'migAtHead', 'plainRead'))
