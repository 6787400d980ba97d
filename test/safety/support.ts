// Shared by the safety suites: real `mig` processes against one fresh database per dialect,
// inspected afterwards with the database's own driver.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import Database from 'better-sqlite3'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { killedByWatchdog, MIG_BIN, MIG_WATCHDOG_MS, type MigResult } from '../helpers/mig.js'
import { freshPgliteDir } from '../helpers/pglite-template.js'
import { MYSQL_URL, POSTGRES_URL, withDatabase } from '../helpers/servers.js'

export type KindName = 'pglite' | 'sqlite' | 'postgres' | 'mysql'

type Row = Record<string, unknown>
type Query = (statement: string) => Promise<Row[]>

/** What a test reads back after a run, through one connection. */
export interface Snapshot {
  /** Every table in the database. */
  readonly tables: readonly string[]
  /** The rows of `mig_version`, sorted; null when the table does not exist. */
  readonly versions: readonly string[] | null
  /** The rows of `probe` as `rev/round`, sorted; null when the table does not exist. */
  readonly probe: readonly string[] | null
}

/** One fresh database that `mig` runs against with `--url`. */
export interface SafetyDatabase {
  readonly kind: KindName
  readonly url: string
  /** Runs one statement with the database's own driver and returns its rows. */
  query(statement: string): Promise<Row[]>
  /** Tables, versions and probe rows, read on one connection. */
  snapshot(): Promise<Snapshot>
  /** The rows of `mig_version`, sorted; null when the table does not exist. */
  versions(): Promise<readonly string[] | null>
  /** Every table in the database (for "created nothing" checks). */
  tables(): Promise<readonly string[]>
  drop(): Promise<void>
}

/** A kind of database the safety suites loop over. */
export interface SafetyKind {
  readonly name: KindName
  /** True when DDL rolls back with its transaction. */
  readonly transactionalDDL: boolean
  create(dir: string): Promise<SafetyDatabase>
}

const unique = () => randomBytes(4).toString('hex')

function database(
  kind: KindName,
  url: string,
  tablesSql: string,
  session: <T>(work: (query: Query) => Promise<T>, create: boolean) => Promise<T>,
  drop: () => Promise<void>,
): SafetyDatabase {
  const snapshot = () =>
    session(async (query) => {
      const tables = (await query(tablesSql)).map((r) => String(Object.values(r)[0]))
      const versions = tables.includes('mig_version')
        ? (await query('select version_num from mig_version')).map((r) => String(r.version_num)).sort()
        : null
      const probe = tables.includes('probe')
        ? (await query('select rev, round from probe'))
            .map((r) => `${String(r.rev)}/${String(r.round)}`)
            .sort()
        : null
      return { tables, versions, probe }
    }, false)
  return {
    kind,
    url,
    query: (statement) => session((query) => query(statement), true),
    snapshot,
    versions: async () => (await snapshot()).versions,
    tables: async () => (await snapshot()).tables,
    drop,
  }
}

const POSTGRES_TABLES =
  "select table_name from information_schema.tables where table_schema = 'public' order by table_name"

const pgliteKind: SafetyKind = {
  name: 'pglite',
  transactionalDDL: true,
  create: async (dir) => {
    const path = join(dir, `pglite-${unique()}`)
    await freshPgliteDir(path)
    // Never open the data directory while a `mig` process has it: tests read between runs.
    return database(
      'pglite',
      `pglite:${path}`,
      POSTGRES_TABLES,
      async (work) => {
        const db = new PGlite(path)
        try {
          return await work(async (statement) => (await db.query<Row>(statement)).rows)
        } finally {
          await db.close()
        }
      },
      async () => {},
    )
  },
}

const sqliteKind: SafetyKind = {
  name: 'sqlite',
  transactionalDDL: true,
  create: async (dir) => {
    const file = join(dir, `db-${unique()}.sqlite`)
    return database(
      'sqlite',
      `sqlite:${file}`,
      "select name from sqlite_master where type = 'table' order by name",
      async (work, create) => {
        // Reading a file that does not exist must not create it.
        const db = create || existsSync(file) ? new Database(file) : new Database(':memory:')
        try {
          return await work(async (statement) => {
            const prepared = db.prepare(statement)
            if (prepared.reader) return prepared.all() as Row[]
            prepared.run()
            return []
          })
        } finally {
          db.close()
        }
      },
      async () => {},
    )
  },
}

function postgresKind(serverUrl: string): SafetyKind {
  return {
    name: 'postgres',
    transactionalDDL: true,
    create: async () => {
      const name = `mig_safety_${process.pid}_${unique()}`
      await withPg(serverUrl, (c) => c.query(`create database "${name}"`))
      const url = withDatabase(serverUrl, name)
      return database(
        'postgres',
        url,
        POSTGRES_TABLES,
        (work) => withPg(url, (c) => work(async (statement) => (await c.query(statement)).rows as Row[])),
        () =>
          withPg(serverUrl, (c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => {}),
      )
    },
  }
}

/** Runs `work` on a new `pg` client for `url`. */
export async function withPg<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => undefined)
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

function mysqlKind(serverUrl: string): SafetyKind {
  return {
    name: 'mysql',
    transactionalDDL: false,
    create: async () => {
      const name = `mig_safety_${process.pid}_${unique()}`
      await withMysql(serverUrl, (c) => c.query(`create database \`${name}\``))
      const url = withDatabase(serverUrl, name)
      return database(
        'mysql',
        url,
        'select table_name from information_schema.tables where table_schema = database() order by 1',
        (work) =>
          withMysql(url, (c) =>
            work(async (statement) => {
              const [rows] = await c.query(statement)
              return Array.isArray(rows) ? (rows as Row[]) : []
            }),
          ),
        () => withMysql(serverUrl, (c) => c.query(`drop database if exists \`${name}\``)).then(() => {}),
      )
    },
  }
}

/** Runs `work` on a new `mysql2` connection for `url`. */
export async function withMysql<T>(url: string, work: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection(url)
  try {
    return await work(connection)
  } finally {
    await connection.end()
  }
}

/** Embedded PGlite and SQLite always; PostgreSQL and MariaDB when their URL variables are set. */
export const SAFETY_KINDS: readonly SafetyKind[] = [
  pgliteKind,
  sqliteKind,
  ...(POSTGRES_URL === undefined ? [] : [postgresKind(POSTGRES_URL)]),
  ...(MYSQL_URL === undefined ? [] : [mysqlKind(MYSQL_URL)]),
]

/** Picks the kinds by name (those whose server is configured). */
export function kinds(...names: KindName[]): SafetyKind[] {
  return SAFETY_KINDS.filter((kind) => names.includes(kind.name))
}

/** A revision file's parts; bodies are TypeScript statements run with `op` and `context` in scope. */
export interface SafetyRevision {
  readonly id: string
  readonly down: string | null
  readonly message?: string
  readonly upgrade?: string
  readonly downgrade?: string
  readonly transactional?: boolean
}

/** Writes `migrate.config.ts` (extra keys verbatim) and an empty `migrations` folder. */
export function writeSafetyConfig(dir: string, extra = ''): void {
  writeFileSync(
    join(dir, 'migrate.config.ts'),
    `export default { migrations: 'migrations'${extra === '' ? '' : `, ${extra}`} }\n`,
  )
  mkdirSync(join(dir, 'migrations'), { recursive: true })
}

/** Writes a revision file as `mig revision` would; returns its path. */
export function writeSafetyRevision(dir: string, spec: SafetyRevision): string {
  const message = spec.message ?? `revision ${spec.id}`
  const path = join(dir, 'migrations', `${spec.id}_${message.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}.ts`)
  const transactional =
    spec.transactional === undefined ? '' : `export const transactional = ${spec.transactional}\n`
  writeFileSync(
    path,
    `/**
 * ${message}
 *
 * Revision ID: ${spec.id}
 * Revises: ${spec.down ?? ''}
 * Create Date: 2026-01-02 03:04:05.000000
 */
import type { Operations } from 'migraph'

export const revision = '${spec.id}'
export const downRevision: string | readonly string[] | null = ${spec.down === null ? 'null' : `'${spec.down}'`}
${transactional}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
void sleep

export async function upgrade(op: Operations, context: { x: Readonly<Record<string, string>> }): Promise<void> {
  void context;
  ${spec.upgrade ?? ''}
}

export async function downgrade(op: Operations, context: { x: Readonly<Record<string, string>> }): Promise<void> {
  void context;
  ${spec.downgrade ?? ''}
}
`,
  )
  return path
}

/** A running `mig` process: its pid, and its result once it ends. */
export interface RunningMig {
  readonly child: ChildProcess
  readonly result: Promise<MigResult>
  /** Resolves once stderr contains `text`. */
  waitForStderr(text: string | RegExp, timeoutMs?: number): Promise<void>
}

/** Starts the real `mig` binary in `cwd` (MIG_DATABASE_URL cleared unless given). */
export function startMig(
  cwd: string,
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): RunningMig {
  const started = performance.now()
  const env: Record<string, string | undefined> = {
    ...process.env,
    MIG_DATABASE_URL: undefined,
    ...options.env,
  }
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key]
  const child = spawn(process.execPath, [MIG_BIN, ...args], { cwd, env: env as NodeJS.ProcessEnv })
  let stdout = ''
  let stderr = ''
  const waiters: (() => void)[] = []
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
    for (const waiter of [...waiters]) waiter()
  })
  const timeoutMs = options.timeoutMs ?? MIG_WATCHDOG_MS
  let killed = false
  const timer = setTimeout(() => {
    killed = true
    child.kill('SIGKILL')
  }, timeoutMs)
  const result = new Promise<MigResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      for (const waiter of [...waiters]) waiter()
      if (killed) return reject(killedByWatchdog(args, timeoutMs, stderr))
      resolve({
        code: code ?? (signal === 'SIGKILL' ? 137 : -1),
        stdout,
        stderr,
        ms: performance.now() - started,
      })
    })
  })
  const waitForStderr = (text: string | RegExp, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const matches = () => (typeof text === 'string' ? stderr.includes(text) : text.test(stderr))
      const deadline = setTimeout(
        () => reject(new Error(`no ${text} on stderr within ${timeoutMs} ms: ${stderr}`)),
        timeoutMs,
      )
      const check = () => {
        if (matches()) {
          clearTimeout(deadline)
          resolve()
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(deadline)
          reject(new Error(`mig ended before printing ${text}: ${stderr}`))
        }
      }
      waiters.push(check)
      check()
    })
  return { child, result, waitForStderr }
}

/**
 * One line on stderr, starting `error: `, the given exit status, matching `pattern`. Progress
 * (`Running …`) and the line naming the database a writing command targets are not errors.
 */
const PROGRESS = /^(?:\[\s*\d+\/\d+\] )?Running /

export function assertOneLineError(result: MigResult, pattern: RegExp, code = 1): void {
  assert.equal(result.code, code, `exit status; stderr: ${result.stderr}`)
  const lines = result.stderr
    .split('\n')
    .filter((line) => line !== '' && !PROGRESS.test(line) && !line.startsWith('Target database: '))
  assert.equal(lines.length, 1, `expected one error line, got:\n${result.stderr}`)
  assert.match(lines[0] ?? '', /^error: /)
  assert.match(lines[0] ?? '', pattern)
}

/** The probe table the revisions insert into: no key, so a double application shows as two rows. */
export const PROBE_TABLE =
  'create table probe (rev varchar(32) not null, round integer not null, pid integer not null)'

/** An `upgrade` body that records the revision once per run in the probe table. */
export function probeInsert(id: string): string {
  return `await op.execute(\`insert into probe (rev, round, pid) values ('${id}', \${Number(context.x.round ?? 0)}, \${process.pid})\`)`
}

/** Resolves once `condition` holds, polling; rejects after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
