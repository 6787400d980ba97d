// Databases the operations suites run against: PGlite and SQLite always, PostgreSQL and MariaDB
// when MIG_TEST_POSTGRES_URL / MIG_TEST_MYSQL_URL are set. Each target hands out isolated
// namespaces (a schema on PGlite/PostgreSQL, a database on MariaDB, a file on SQLite) and can run
// offline SQL text through the database's own client.

import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { AnySchema, SqlFlavour } from '@migraph/operations'
import Database from 'better-sqlite3'
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { createPool } from 'mysql2'
import pg from 'pg'

/** One isolated place to migrate. */
export interface Namespace {
  readonly db: Kysely<AnySchema>
  /** Runs offline SQL text with the database's own client, in this namespace. */
  runScript(script: string): Promise<void>
  /** Name to scrub from catalog text so two namespaces compare equal. */
  readonly label: string
  /**
   * The namespace's schema as the database's own dump tool prints it (`pg_dump --schema-only`,
   * `mysqldump --no-data`), with the namespace's name taken out; absent where there is no such
   * tool for the target.
   */
  dump?(): string
  /** Makes this namespace the current one for `db` (PGlite shares one session). */
  activate(): Promise<unknown>
  close(): Promise<void>
}

export interface Target {
  readonly name: string
  readonly flavour: SqlFlavour
  namespace(): Promise<Namespace>
  close(): Promise<void>
}

const unique = () => `mig_ops_${randomBytes(4).toString('hex')}`

export function pgliteTarget(): Target {
  const pglite = new PGlite()
  return {
    name: 'pglite',
    flavour: 'postgres',
    async namespace() {
      const schema = unique()
      await pglite.exec(`create schema ${schema}`)
      // PGlite is a single session: every namespace sets its search_path before use.
      const db = new Kysely<AnySchema>({ dialect: new PGliteDialect(pglite) })
      const use = () => pglite.exec(`set search_path to ${schema}`)
      await use()
      return {
        db,
        label: schema,
        activate: use,
        async runScript(script) {
          await use()
          await pglite.exec(script)
        },
        async close() {
          await pglite.exec(`drop schema ${schema} cascade`)
        },
      }
    },
    close: () => pglite.close(),
  }
}

export function postgresTarget(url: string): Target {
  const database = unique()
  const admin = new pg.Client({ connectionString: url })
  let created = false
  const dbUrl = () => {
    const u = new URL(url)
    u.pathname = `/${database}`
    return u.toString()
  }
  return {
    name: 'postgres',
    flavour: 'postgres',
    async namespace() {
      if (!created) {
        await admin.connect()
        await admin.query(`create database ${database}`)
        created = true
      }
      const schema = unique()
      const pool = new pg.Pool({ connectionString: dbUrl(), max: 1, options: `-c search_path=${schema}` })
      const db = new Kysely<AnySchema>({ dialect: new PostgresDialect({ pool }) })
      await sql`create schema ${sql.id(schema)}`.execute(db)
      return {
        db,
        label: schema,
        activate: async () => undefined,
        dump: () =>
          execFileSync('pg_dump', ['--schema-only', '--no-owner', '-n', schema, '-d', dbUrl()], {
            encoding: 'utf8',
          }).replaceAll(`${schema}.`, ''),
        async runScript(script) {
          execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl()], {
            input: script,
            env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` },
            stdio: ['pipe', 'pipe', 'pipe'],
          })
        },
        async close() {
          await db.destroy()
        },
      }
    },
    async close() {
      if (created) await admin.query(`drop database ${database} with (force)`)
      await admin.end()
    },
  }
}

export function mysqlTarget(url: string): Target {
  const admin = createPool({ uri: url, connectionLimit: 1 })
  const databases: string[] = []
  return {
    name: 'mariadb',
    flavour: 'mysql',
    async namespace() {
      const database = unique()
      await admin.promise().query(`create database ${database} character set utf8mb4`)
      databases.push(database)
      const u = new URL(url)
      u.pathname = `/${database}`
      const pool = createPool({ uri: u.toString(), connectionLimit: 1, charset: 'utf8mb4' })
      const db = new Kysely<AnySchema>({ dialect: new MysqlDialect({ pool }) })
      return {
        db,
        label: database,
        activate: async () => undefined,
        dump: () => {
          const args = [
            '--no-data',
            '--skip-comments',
            '--skip-dump-date',
            `-h${u.hostname}`,
            `-P${u.port || '3306'}`,
            `-u${u.username}`,
          ]
          if (u.password !== '') args.push(`-p${decodeURIComponent(u.password)}`)
          return execFileSync('mysqldump', [...args, database], { encoding: 'utf8' }).replaceAll(
            `\`${database}\`.`,
            '',
          )
        },
        async runScript(script) {
          const args = [
            '--default-character-set=utf8mb4',
            `-h${u.hostname}`,
            `-P${u.port || '3306'}`,
            `-u${u.username}`,
          ]
          if (u.password !== '') args.push(`-p${decodeURIComponent(u.password)}`)
          execFileSync('mariadb', [...args, database], { input: script, stdio: ['pipe', 'pipe', 'pipe'] })
        },
        async close() {
          await db.destroy()
        },
      }
    },
    async close() {
      for (const database of databases) {
        // The op set's extra schema too, in case a failed run left it behind.
        await admin.promise().query(`drop database if exists ${database}_s`)
        await admin.promise().query(`drop database if exists ${database}`)
      }
      await new Promise((resolve) => admin.end(resolve))
    },
  }
}

export function sqliteTarget(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'mig-ops-'))
  let count = 0
  return {
    name: 'sqlite',
    flavour: 'sqlite',
    async namespace() {
      const file = join(dir, `db${count++}.sqlite`)
      const database = new Database(file)
      const db = new Kysely<AnySchema>({ dialect: new SqliteDialect({ database }) })
      return {
        db,
        label: file,
        activate: async () => undefined,
        async runScript(script) {
          const path = `${file}.sql`
          writeFileSync(path, script)
          // The sqlite3 shell: stop at the first error, like psql's ON_ERROR_STOP.
          execFileSync('sqlite3', ['-bail', file, `.read ${path}`], { stdio: ['pipe', 'pipe', 'pipe'] })
        },
        async close() {
          await db.destroy()
        },
      }
    },
    async close() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Every target available in this environment. */
export function availableTargets(): Target[] {
  const targets = [pgliteTarget(), sqliteTarget()]
  const pgUrl = process.env.MIG_TEST_POSTGRES_URL
  const myUrl = process.env.MIG_TEST_MYSQL_URL
  if (pgUrl !== undefined && pgUrl !== '') targets.push(postgresTarget(pgUrl))
  if (myUrl !== undefined && myUrl !== '') targets.push(mysqlTarget(myUrl))
  return targets
}
