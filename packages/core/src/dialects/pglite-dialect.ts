import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { nodeCrypto } from '../digest.js'
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
import { POSTGRES_LIMITS } from './statement-limits.js'
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
 * What changes whenever a PGlite data directory's contents may have changed, read without opening
 * it: the control file's bytes (every checkpoint, every clean shutdown rewrites it), and the
 * identity, size and times of it and of each write-ahead log file and folder entry (every commit
 * appends to the log before anything else changes; a process killed half-way has written it).
 * Inode and ctime catch a directory restored or copied over with its old modification times.
 * Undefined when another process may hold the directory (its lock file exists) or it cannot be
 * read.
 */
function dataDirFingerprint(dataDir: string, heldHere: boolean): string | undefined {
  try {
    if (!heldHere && existsSync(pgliteLockFile(dataDir))) return undefined
    const stamp = (path: string): string => {
      const stats = statSync(path, { bigint: true })
      return `${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`
    }
    const control = join(dataDir, 'global', 'pg_control')
    const wal = join(dataDir, 'pg_wal')
    const hash = nodeCrypto().createHash('sha256')
    hash.update(`${canonicalPath(dataDir)}\0${stamp(dataDir)}\0${stamp(control)}\0${stamp(wal)}\0`)
    hash.update(readFileSync(control))
    for (const name of readdirSync(wal).sort()) hash.update(`\0${name}:${stamp(join(wal, name))}`)
    return hash.digest('hex')
  } catch {
    return undefined
  }
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
  ...POSTGRES_LIMITS,
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
    const closedHooks: (() => void)[] = []
    const connection = new SessionConnection(db, target, async () => {
      try {
        // Kysely's destroy may have closed it already.
        if (!pglite.closed) await pglite.close()
        for (const hook of closedHooks.splice(0)) hook()
      } finally {
        lockFile?.release()
      }
    })
    if (lockFile === undefined) return connection
    return Object.assign(connection, { onClosedExclusively: (hook: () => void) => closedHooks.push(hook) })
  },

  stateFingerprint(target: DatabaseTarget, heldHere = false): string | undefined {
    if (target.location === MEMORY_LOCATION) return undefined
    return dataDirFingerprint(target.location, heldHere)
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
