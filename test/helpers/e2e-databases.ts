import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import Database from 'better-sqlite3'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { freshPgliteDir } from './pglite-template.js'
import { MYSQL_URL, POSTGRES_URL, withDatabase } from './servers.js'

/** One fresh database a test project runs `mig` against, inspected with the database's own tools. */
export interface TestDatabase {
  /** Global `mig` arguments that select it (empty for the project's embedded default). */
  readonly args: readonly string[]
  /** The rows of `mig_version`, sorted; null when the table does not exist. */
  versions(): Promise<string[] | null>
  /** A catalog dump of every table, column and index of the revisions, and of `mig_version`. */
  schema(): Promise<string[]>
  /** Runs a SQL script with the database's own client (sqlite3, psql, mariadb; PGlite's exec). */
  applyScript(sql: string): Promise<void>
  drop(): Promise<void>
}

/** A kind of database the end-to-end suites loop over. */
export interface DatabaseKind {
  readonly name: string
  /** True when DDL is transactional, so `--sql` wraps steps in BEGIN/COMMIT. */
  readonly transactionalDDL: boolean
  /** A fresh database for the project in `dir`; `embedded` uses the project's default PGlite dir. */
  create(dir: string, options?: { embedded?: boolean }): Promise<TestDatabase>
}

const unique = () => randomBytes(4).toString('hex')

function run(command: string, args: readonly string[], input: string): void {
  const result = spawnSync(command, args, { input, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr}`)
}

const pglite: DatabaseKind = {
  name: 'embedded PGlite',
  transactionalDDL: true,
  create: async (dir, options = {}) => {
    const path = options.embedded === true ? join(dir, '.migraph/pglite') : join(dir, `pglite-${unique()}`)
    await freshPgliteDir(path)
    const query = async <T>(work: (db: PGlite) => Promise<T>): Promise<T> => {
      const db = new PGlite(path)
      try {
        return await work(db)
      } finally {
        await db.close()
      }
    }
    return {
      args: options.embedded === true ? [] : ['--url', `pglite:${path}`],
      versions: () => query((db) => postgresVersions((sql) => db.query(sql))),
      schema: () => query((db) => postgresSchema((sql) => db.query(sql))),
      applyScript: (sql) => query(async (db) => void (await db.exec(sql))),
      drop: async () => {},
    }
  },
}

const sqlite: DatabaseKind = {
  name: 'SQLite',
  transactionalDDL: true,
  create: async (dir) => {
    const file = join(dir, `db-${unique()}.sqlite`)
    // Created empty, as a server database is created before a test: read-only commands refuse a
    // SQLite file that does not exist.
    writeFileSync(file, '')
    const query = <T>(work: (db: Database.Database) => T): T => {
      if (!existsSync(file)) return work(new Database(':memory:'))
      const db = new Database(file, { readonly: true })
      try {
        return work(db)
      } finally {
        db.close()
      }
    }
    return {
      args: ['--url', `sqlite:${file}`],
      versions: async () =>
        query((db) => {
          const table = db.prepare("select 1 from sqlite_master where name = 'mig_version'").get()
          if (table === undefined) return null
          const rows = db.prepare('select version_num from mig_version').all() as { version_num: string }[]
          return rows.map((r) => r.version_num).sort()
        }),
      schema: async () =>
        query((db) =>
          (
            db
              .prepare(
                "select tbl_name, type, name, sql from sqlite_master where name not like 'sqlite_%' order by name",
              )
              .all() as { tbl_name: string; type: string; name: string; sql: string | null }[]
          )
            .filter((r) => isUserOrVersionTable(r.tbl_name))
            .map((r) => `${r.tbl_name} | ${r.type} ${r.name}: ${r.sql ?? ''}`),
        ),
      applyScript: async (sql) => run('sqlite3', ['-bail', file], sql),
      drop: async () => {},
    }
  },
}

/**
 * The schema a migration run is judged by: the revisions' tables and `mig_version`. migraph keeps
 * its other bookkeeping (run history, checksums) in further `mig_*` tables that offline SQL, like
 * Alembic's, does not write (SPEC §4).
 */
function isUserOrVersionTable(table: string): boolean {
  return table === 'mig_version' || !table.startsWith('mig_')
}

type Query = (sql: string) => Promise<{ rows: Record<string, unknown>[] }>

async function postgresVersions(query: Query): Promise<string[] | null> {
  const exists = await query("select to_regclass('public.mig_version') is not null as present")
  if (exists.rows[0]?.present !== true) return null
  const rows = await query('select version_num from mig_version')
  return rows.rows.map((r) => String(r.version_num)).sort()
}

async function postgresSchema(query: Query): Promise<string[]> {
  const columns = await query(
    `select table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
     from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position`,
  )
  const indexes = await query(
    `select tablename, indexdef from pg_indexes where schemaname = 'public' order by tablename, indexname`,
  )
  return [...columns.rows, ...indexes.rows]
    .map((row) => Object.values(row).join(' | '))
    .filter((line) => isUserOrVersionTable(line.split(' | ')[0] ?? ''))
}

function postgres(serverUrl: string): DatabaseKind {
  return {
    name: 'PostgreSQL',
    transactionalDDL: true,
    create: async () => {
      const name = `mig_e2e_${process.pid}_${unique()}`
      await withPg(serverUrl, (c) => c.query(`create database "${name}"`))
      const url = withDatabase(serverUrl, name)
      return {
        args: ['--url', url],
        versions: () => withPg(url, (c) => postgresVersions((sql) => c.query(sql))),
        schema: () => withPg(url, (c) => postgresSchema((sql) => c.query(sql))),
        applyScript: async (sql) =>
          run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', '-'], sql),
        drop: () =>
          withPg(serverUrl, (c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => {}),
      }
    },
  }
}

async function withPg<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

function mysqlKind(serverUrl: string): DatabaseKind {
  return {
    name: 'MariaDB',
    transactionalDDL: false,
    create: async () => {
      const name = `mig_e2e_${process.pid}_${unique()}`
      await withMysql(serverUrl, (c) => c.query(`create database \`${name}\``))
      const url = withDatabase(serverUrl, name)
      const parsed = new URL(url)
      return {
        args: ['--url', url],
        versions: () =>
          withMysql(url, async (c) => {
            const [tables] = await c.query("show tables like 'mig_version'")
            if ((tables as unknown[]).length === 0) return null
            const [rows] = await c.query('select version_num from mig_version')
            return (rows as { version_num: string }[]).map((r) => r.version_num).sort()
          }),
        schema: () =>
          withMysql(url, async (c) => {
            const [columns] = await c.query(
              `select table_name, column_name, column_type, is_nullable, column_default, column_key, extra
               from information_schema.columns where table_schema = database() order by table_name, ordinal_position`,
            )
            const [indexes] = await c.query(
              `select table_name, index_name, seq_in_index, column_name, non_unique
               from information_schema.statistics where table_schema = database() order by 1, 2, 3`,
            )
            return [...(columns as object[]), ...(indexes as object[])]
              .map((row) => Object.values(row).join(' | '))
              .filter((line) => isUserOrVersionTable(line.split(' | ')[0] ?? ''))
          }),
        applyScript: async (sql) =>
          run(
            'mariadb',
            [
              '-h',
              parsed.hostname,
              '-P',
              parsed.port || '3306',
              '-u',
              decodeURIComponent(parsed.username),
              name,
            ],
            sql,
          ),
        drop: () =>
          withMysql(serverUrl, (c) => c.query(`drop database if exists \`${name}\``)).then(() => {}),
      }
    },
  }
}

async function withMysql<T>(url: string, work: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection(url)
  try {
    return await work(connection)
  } finally {
    await connection.end()
  }
}

/** Embedded PGlite and SQLite always; PostgreSQL and MariaDB when their URL variables are set. */
export const DATABASE_KINDS: readonly DatabaseKind[] = [
  pglite,
  sqlite,
  ...(POSTGRES_URL === undefined ? [] : [postgres(POSTGRES_URL)]),
  ...(MYSQL_URL === undefined ? [] : [mysqlKind(MYSQL_URL)]),
]
