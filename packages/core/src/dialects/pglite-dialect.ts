import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
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
import { parseEmbeddedUrl } from './embedded-url.js'
import { ConnectionError } from './errors.js'
import { loadPglite } from './pglite-loader.js'
import { acquireLockFile, type ProcessLockFile } from './process-lock-file.js'
import { asSession, SessionConnection } from './session-connection.js'
import { POSTGRES_IDENTIFIER_LIMIT, resolvePostgresVersionTable } from './version-table-resolution.js'

/**
 * The lock file that makes a PGlite data directory single-process: `<dir>.lock`, beside the
 * directory's real path, so that a symlink to it names the same lock.
 */
export function pgliteLockFile(dataDir: string): string {
  return `${canonicalPath(dataDir)}.lock`
}

/** Whether `dataDir` holds a PostgreSQL data directory (what PGlite checks before `initdb`). */
function pgliteDataExists(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'))
}

/**
 * PostgreSQL's default `shared_buffers` (128 MB), which PGlite keeps, is zeroed at every start by
 * WebAssembly code that has not been optimised yet: measured, most of the second or two it took
 * to open an existing data directory. A migration's working set is small, and pages not in the
 * buffer pool are still in the operating system's cache, so a few megabytes serve as well.
 */
const START_PARAMS: readonly string[] = ['-c', 'shared_buffers=8MB']

/**
 * Embedded PostgreSQL (PGlite) in a data directory, or in memory. PGlite is one session in this
 * process, and a data directory must never be opened by two processes, so `connect` takes an
 * exclusive lock file beside it (released on close, taken over from a dead holder), waiting for
 * it as `options.waitForDatabase` says. With the whole database to ourselves, the migration lock
 * is then held trivially.
 */
export const pgliteDialect: MigrationDialect = Object.freeze({
  name: 'pglite',
  sqlFlavour: 'postgres',
  transactionalDDL: true,
  dataModifyingCte: true,
  chainsTransactions: false,
  multiSession: false,
  identifierLimit: POSTGRES_IDENTIFIER_LIMIT,
  driverPackage: null,

  parseUrl(url: string, baseDir: string): DatabaseTarget | null {
    return parseEmbeddedUrl(
      {
        dialect: 'pglite',
        scheme: 'pglite',
        memory: 'memory:',
        hint: "write 'pglite:<data directory>' (relative to the config file) or 'pglite:memory:'",
      },
      url,
      baseDir,
    )
  },

  async connect(target: DatabaseTarget, options: ConnectOptions): Promise<Connection> {
    const [{ PGlite }, { PGliteDialect }, { Kysely }] = await Promise.all([
      loadPglite(),
      import('kysely-pglite-dialect'),
      import('kysely'),
    ])
    const memory = target.location === MEMORY_LOCATION
    let lockFile: ProcessLockFile | undefined
    if (!memory) {
      mkdirSync(dirname(target.location), { recursive: true })
      lockFile = await acquireLockFile(
        pgliteLockFile(target.location),
        target.location,
        options.applicationName,
        options.waitForDatabase,
      )
    }
    if (!memory && !pgliteDataExists(target.location)) {
      options.notice?.(`Creating the embedded database in ${target.location} (first run only) …`)
    }
    let pglite: InstanceType<typeof PGlite>
    try {
      const startParams = [...PGlite.defaultStartParams, ...START_PARAMS]
      pglite = memory
        ? await PGlite.create({ startParams })
        : await PGlite.create({ dataDir: target.location, startParams })
    } catch (error) {
      lockFile?.release()
      const detail = error instanceof Error ? error.message : String(error)
      throw new ConnectionError('pglite', target.location, detail, { cause: error })
    }
    const db = new Kysely<AnyDatabase>({ dialect: new PGliteDialect(pglite) })
    return new SessionConnection(db, target, async () => {
      try {
        if (!pglite.closed) await pglite.close()
      } finally {
        lockFile?.release()
      }
    })
  },

  databaseExists(target: DatabaseTarget): boolean {
    return target.location === MEMORY_LOCATION || pgliteDataExists(target.location)
  },

  resolveVersionTable(connection: Connection, ref: VersionTableRef): Promise<ResolvedVersionTable> {
    return resolvePostgresVersionTable(connection.db, ref, connection.target.location)
  },

  async acquireLock(connection: Connection, _options: LockOptions): Promise<MigrationLock> {
    // The lock file taken at connect already keeps every other process out.
    return asSession(connection).track(async () => undefined)
  },
})
