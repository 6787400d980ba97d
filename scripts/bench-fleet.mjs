// Benchmark of a fleet run against PostgreSQL: `mig upgrade head --all --parallel 8` over N
// schemas (default 1,000) of one database, each getting R revisions (default 10, each one
// CREATE TABLE), beside a hand-written loop that sends the same revision statements and the same
// version-table changes over 8 connections, one transaction per revision, schema by schema.
// Each side gets a fresh database, dropped afterwards. Prints both wall times and their ratio.
// Not a test: it asserts nothing.
//
//   node scripts/bench-fleet.mjs [--schemas 1000] [--revisions 10] [--parallel 8]
//     [--url postgres://postgres@127.0.0.1:5432/postgres]
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const { default: pg } = await import(
  pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('pg')).href
)

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : args[at + 1]
}
const SCHEMAS = Number(option('schemas', '1000'))
const REVISIONS = Number(option('revisions', '10'))
const PARALLEL = Number(option('parallel', '8'))
const SERVER = option(
  'url',
  process.env.MIG_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
)
const MIG = join(ROOT, 'packages/cli/bin/mig.cjs')

const schemas = Array.from({ length: SCHEMAS }, (_, i) => `tenant_${String(i).padStart(4, '0')}`)
const ids = Array.from({ length: REVISIONS }, (_, i) => `b${String(i + 1).padStart(11, '0')}`)
const table = (i) => `items_${i + 1}`
const ddl = (i) => `create table ${table(i)} (id integer primary key, name text not null)`

async function admin(statement) {
  const client = new pg.Client({ connectionString: SERVER })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

async function withDatabase(work) {
  const name = `bench_fleet_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  await admin(`create database ${name}`)
  const url = new URL(SERVER)
  url.pathname = `/${name}`
  try {
    return await work(url.toString())
  } finally {
    await admin(`drop database if exists ${name} with (force)`)
  }
}

async function viaMig(url) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-'))
  try {
    mkdirSync(join(dir, 'node_modules'))
    symlinkSync(join(ROOT, 'packages/cli'), join(dir, 'node_modules/migraph'), 'dir')
    mkdirSync(join(dir, 'migrations'))
    ids.forEach((id, i) => {
      writeFileSync(
        join(dir, 'migrations', `${id}_r.ts`),
        `export const revision = '${id}'\nexport const downRevision = ${i === 0 ? 'null' : `'${ids[i - 1]}'`}\n` +
          `export async function upgrade(op: any) { await op.execute('${ddl(i)}') }\n` +
          `export async function downgrade(op: any) { await op.execute('drop table ${table(i)}') }\n`,
      )
    })
    writeFileSync(
      join(dir, 'migrate.config.ts'),
      `export default { url: '${url}', migrations: 'migrations', targets: { schemas: ${JSON.stringify(schemas)} } }\n`,
    )
    // Compiles the revision files once, as any project that ran before has them compiled.
    spawnSync(process.execPath, [MIG, 'upgrade', 'head', '--sql'], { cwd: dir })
    const started = performance.now()
    const run = spawnSync(
      process.execPath,
      [MIG, '-q', 'upgrade', 'head', '--all', '--parallel', String(PARALLEL)],
      {
        cwd: dir,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    )
    const ms = performance.now() - started
    if (run.status !== 0) throw new Error(`mig failed (${run.status}): ${run.stderr}`)
    return ms
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The same statements by hand: per schema, its version table, then one transaction per revision. */
async function byHand(url) {
  const started = performance.now()
  const queue = [...schemas]
  const worker = async () => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      for (let schema = queue.shift(); schema !== undefined; schema = queue.shift()) {
        await client.query(`create schema if not exists ${schema}`)
        await client.query(`set search_path to ${schema}`)
        await client.query('create table if not exists mig_version (version_num varchar(32) primary key)')
        for (let i = 0; i < REVISIONS; i++) {
          await client.query('begin')
          await client.query(ddl(i))
          if (i === 0) await client.query('insert into mig_version values ($1)', [ids[i]])
          else
            await client.query('update mig_version set version_num = $1 where version_num = $2', [
              ids[i],
              ids[i - 1],
            ])
          await client.query('commit')
        }
      }
    } finally {
      await client.end()
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
  return performance.now() - started
}

const mig = await withDatabase(viaMig)
const hand = await withDatabase(byHand)
const s = (ms) => `${(ms / 1000).toFixed(1)} s`
console.log(`${SCHEMAS} schemas x ${REVISIONS} revisions, ${PARALLEL} at a time`)
console.log(
  `| run | wall time |\n| --- | --- |\n| mig upgrade head --all --parallel ${PARALLEL} | ${s(mig)} |`,
)
console.log(`| hand-written loop over ${PARALLEL} connections | ${s(hand)} |`)
console.log(`ratio (mig / hand): ${(mig / hand).toFixed(2)}`)
