import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import type BetterSqlite3 from 'better-sqlite3'
import { canonicalPath } from './canonical-path.js'
import type {
  AnyDatabase,
  Connection,
  ConnectOptions,
  DatabaseTarget,
  LockOptions,
  MigrationDialect,
  MigrationLock,
  ResolvedVersionTable,
  VersionTableRef,
} from './dialect.js'
import { MEMORY_LOCATION } from './dialect.js'
import { importDriver, interopDefault } from './driver-loader.js'
import { parseEmbeddedUrl } from './embedded-url.js'
import { ConnectionError } from './errors.js'
import { lockFileStem, pollForLock } from './lock-polling.js'
import { lockFileHolder } from './process-lock-file.js'
import { asSession, SessionConnection } from './session-connection.js'
import { lockedVersionTable, resolveSqliteVersionTable } from './version-table-resolution.js'

type DatabaseConstructor = typeof BetterSqlite3

/** How long a statement waits for another process's write to finish before failing busy. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000
/** Each lock attempt waits this long in SQLite's busy handler (it blocks the event loop). */
const LOCK_ATTEMPT_BUSY_MS = 50

/**
 * The lock database beside a SQLite file: `<real path of the file>.<schema>.<table>.lock`, so
 * that a symlink to the file, or another spelling of its path, names the same lock. It is never
 * deleted: a waiter may have it open, and a new file would be a different lock.
 */
export function sqliteLockFile(file: string, versionTable: ResolvedVersionTable): string {
  return `${canonicalPath(file)}.${lockFileStem(versionTable)}.lock`
}

/**
 * SQLite through `better-sqlite3` (busy timeout, foreign keys on).
 *
 * The migration lock is a write transaction (`BEGIN IMMEDIATE`, retried with a short busy
 * timeout) held for the whole run on a separate, always empty lock database beside the file
 * ({@link sqliteLockFile}). Keeping it off the main database lets each revision commit in its
 * own transaction there, and the lock is SQLite's own file lock, so the operating system drops
 * it when the holder dies, even by kill -9. Two processes never both hold it, so as long as
 * every writer goes through migraph, each revision is applied once. Holder details are written
 * to `<lock file>.json` for waiters to report. `sqlite::memory:` is private to its connection
 * and needs no lock.
 */
export const sqliteDialect: MigrationDialect = Object.freeze({
  name: 'sqlite',
  sqlFlavour: 'sqlite',
  transactionalDDL: true,
  dataModifyingCte: false,
  chainsTransactions: false,
  multiSession: false,
  identifierLimit: null,
  driverPackage: 'better-sqlite3',

  parseUrl(url: string, baseDir: string): DatabaseTarget | null {
    return parseEmbeddedUrl(
      {
        dialect: 'sqlite',
        scheme: 'sqlite',
        memory: ':memory:',
        hint: "write 'sqlite:<file>' (relative to the config file) or 'sqlite::memory:'",
      },
      url,
      baseDir,
    )
  },

  async connect(target: DatabaseTarget, _options: ConnectOptions): Promise<Connection> {
    const Database = await loadDriver()
    let database: BetterSqlite3.Database
    try {
      database = new Database(target.location, { timeout: SQLITE_BUSY_TIMEOUT_MS })
      database.pragma('foreign_keys = ON')
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error)
      throw new ConnectionError('sqlite', target.location, detail, { cause: error })
    }
    const { Kysely, SqliteDialect } = await import('kysely')
    // Kysely's SQLite driver already runs everything on this one connection, one at a time.
    const db = new Kysely<AnyDatabase>({ dialect: new SqliteDialect({ database }) })
    return new SessionConnection(db, target, () => {
      if (database.open) database.close()
    })
  },

  databaseExists(target: DatabaseTarget): boolean {
    return target.location === MEMORY_LOCATION || existsSync(target.location)
  },

  async resolveVersionTable(_connection: Connection, ref: VersionTableRef): Promise<ResolvedVersionTable> {
    return resolveSqliteVersionTable(ref)
  },

  async acquireLock(connection: Connection, options: LockOptions): Promise<MigrationLock> {
    const session = asSession(connection)
    if (session.target.location === MEMORY_LOCATION) return session.track(async () => undefined)
    const Database = await loadDriver()
    const versionTable = await lockedVersionTable(sqliteDialect, connection, options.versionTable)
    const lockPath = sqliteLockFile(session.target.location, versionTable)
    const holderPath = `${lockPath}.json`
    const lockDb = new Database(lockPath, { timeout: LOCK_ATTEMPT_BUSY_MS })
    try {
      // Nothing is ever written, so no journal file need appear beside the lock.
      lockDb.pragma('journal_mode = MEMORY')
      await pollForLock(
        {
          location: session.target.location,
          lockName: `'${lockPath}'`,
          tryAcquire: async () => tryBeginImmediate(lockDb),
          describeHolder: async () => lockFileHolder(holderPath),
        },
        options,
      )
    } catch (error) {
      lockDb.close()
      throw error
    }
    const mark = JSON.stringify({ pid: process.pid, hostname: hostname(), since: new Date().toISOString() })
    writeFileSync(holderPath, `${mark}\n`)
    return session.track(async () => {
      // Remove our holder note before giving up the lock, so it never describes the next holder.
      rmSync(holderPath, { force: true })
      lockDb.exec('ROLLBACK')
      lockDb.close()
    })
  },
})

function tryBeginImmediate(lockDb: BetterSqlite3.Database): boolean {
  try {
    lockDb.exec('BEGIN IMMEDIATE')
    return true
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return false
    throw error
  }
}

async function loadDriver(): Promise<DatabaseConstructor> {
  return interopDefault(
    await importDriver<DatabaseConstructor | { default: DatabaseConstructor }>('better-sqlite3', 'SQLite'),
  )
}
