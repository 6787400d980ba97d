import { checkVersionTableLength } from '../config/version-table-name.js'
import type { Project } from '../context.js'
import type {
  Connection,
  LockOptions,
  MigrationDialect,
  MigrationLock,
  ResolvedVersionTable,
  VersionTableRef,
} from '../dialects/dialect.js'
import { DatabaseNotFoundError, describeLockHolder } from '../dialects/index.js'
import { type HistoryEntry, historyTableOf, readHistory } from './history-table.js'
import { keepStateSnapshot, readStateSnapshot } from './state-snapshot.js'
import { readVersions } from './version-table.js'

/** An open connection to the project's database, optionally holding the migration lock. */
export interface Session {
  readonly connection: Connection
  readonly dialect: MigrationDialect
  /**
   * The version table, its schema made explicit: every bookkeeping query of the session (and
   * its history table, `historyTableOf`) names this one table, and the lock is derived from it.
   */
  readonly versionTable: ResolvedVersionTable
  /** The applied heads: the rows of the version table (none when it does not exist yet). */
  readHeads(): Promise<readonly string[]>
  /** Throws when the migration lock is known to be lost (a table lock's lease ran out). */
  checkLock?(): void
}

/**
 * Where the project's version table lives, as configured (the schema may still be the session's
 * default), checked against the target database's limit on names: a name it would cut short or
 * refuse fails here, before anything connects or runs.
 */
export function versionTableOf(project: Project): VersionTableRef {
  const ref = { table: project.config.versionTable, schema: project.config.versionTableSchema }
  const limit = project.dialect().identifierLimit
  if (limit !== null) checkVersionTableLength(ref, limit, { file: project.config.file })
  return ref
}

/**
 * Opens a session, takes the migration lock when asked, runs `work`, then releases and closes
 * in `finally`: a failure anywhere leaves no lock and no open connection behind. A session that
 * takes the lock is about to write: the target is announced first (see `Project.announceTarget`),
 * once what can be checked without the database has been.
 */
export async function withSession<T>(
  project: Project,
  options: { readonly lock: boolean },
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const target = options.lock ? project.announceTarget() : project.target()
  const dialect = project.dialect()
  const configured = versionTableOf(project)
  const waiting: Pick<LockOptions, 'timeoutMs' | 'onWait'> = {
    timeoutMs: project.lockTimeoutMs,
    onWait: (holder, waitedMs) => {
      const who = describeLockHolder(holder)
      project.environment.reporter.event?.('lock-wait', { holder: who, waitedMs })
      project.environment.reporter.info(
        `Waiting for the migration lock held by ${who} (${Math.round(waitedMs / 1000)} s so far, timeout ${Math.round(project.lockTimeoutMs / 1000)} s)`,
      )
    },
  }
  const connection =
    project.connectionSource !== undefined
      ? await project.connectionSource.open()
      : await dialect.connect(target, {
          connectTimeoutMs: project.connectTimeoutMs,
          applicationName: 'mig',
          // A database one process opens at a time (PGlite) is, in effect, the migration lock.
          waitForDatabase: waiting,
          notice: (message) => project.environment.reporter.info(message),
        })
  let lock: MigrationLock | undefined
  let versionTable: ResolvedVersionTable | undefined
  // A session that broke under `work` fails to release and close too; those errors must not
  // hide the one that says what happened.
  let failed = false
  try {
    const schema = project.fleetTarget?.schema
    if (schema !== undefined) await enterSchema(connection, schema, options.lock)
    versionTable = await dialect.resolveVersionTable(connection, configured)
    if (options.lock) {
      lock = await takeLock(project, connection, { ...waiting, versionTable })
      project.environment.reporter.event?.('lock-acquired', { database: target.display })
    }
    const resolved = versionTable
    return await work({
      connection,
      dialect,
      versionTable,
      readHeads: () => readVersions(connection.db, resolved),
      checkLock: () => lock?.check?.(),
    })
  } catch (error) {
    failed = true
    throw error
  } finally {
    // What an embedded database is left holding, for the next read-only command to use unopened.
    if (versionTable !== undefined) await keepStateSnapshot(project, connection, versionTable)
    await releaseAndClose(lock, connection, failed)
  }
}

/**
 * Points the session at a fleet target's schema: revisions find and create their tables there.
 * A session that writes creates the schema first (a new tenant); one that reads finds an empty
 * version table where the schema does not exist yet.
 */
async function enterSchema(connection: Connection, schema: string, writes: boolean): Promise<void> {
  const { sql } = await import('kysely')
  if (writes) await connection.db.schema.createSchema(schema).ifNotExists().execute()
  await sql`select set_config('search_path', ${sql.id(schema).compile(connection.db).sql}, false)`.execute(
    connection.db,
  )
}

/**
 * The migration lock the config asks for: the dialect's own, or (`lock: 'table'`) a leased row
 * renewed on a session of its own. An embedded database has no second session to renew from,
 * and needs none: its own lock already keeps every other process out.
 */
async function takeLock(
  project: Project,
  connection: Connection,
  options: Pick<LockOptions, 'timeoutMs' | 'onWait'> & { versionTable: ResolvedVersionTable },
): Promise<MigrationLock> {
  const dialect = project.dialect()
  const strategy = project.config.lock
  if (strategy.kind !== 'table' || !dialect.multiSession) return dialect.acquireLock(connection, options)
  const { acquireTableLock } = await import('./table-lock.js')
  const source = project.connectionSource
  return acquireTableLock({
    ...options,
    leaseMs: strategy.leaseMs,
    flavour: dialect.sqlFlavour,
    location: connection.target.location,
    open: () =>
      source !== undefined
        ? source.open()
        : dialect.connect(connection.target, {
            connectTimeoutMs: project.connectTimeoutMs,
            applicationName: 'mig lock',
          }),
  })
}

/** Releases the lock, then closes; once the work failed, their errors must not replace its own. */
async function releaseAndClose(
  lock: MigrationLock | undefined,
  connection: Connection,
  failed: boolean,
): Promise<void> {
  try {
    await lock?.release()
  } catch (error) {
    if (!failed) throw error
  } finally {
    await connection.close().catch((error: unknown) => {
      if (!failed) throw error
    })
  }
}

/**
 * Whether a read-only command can open the database without creating it. The embedded default
 * not existing yet is normal (nothing applied); any other embedded database that does not exist
 * is a wrong path, reported as an error rather than read as empty.
 */
function databaseToRead(project: Project): boolean {
  const target = project.target()
  if (project.dialect().databaseExists?.(target) !== false) return true
  if (target.isDefault === true) return false
  throw new DatabaseNotFoundError(target.display, target.location)
}

/** The applied heads, for read-only commands; creates nothing, not even the database. */
export async function readCurrentHeads(project: Project): Promise<readonly string[]> {
  // Bad names fail even where there is no database yet to read.
  versionTableOf(project)
  if (!databaseToRead(project)) return []
  const snapshot = readStateSnapshot(project)
  if (snapshot !== undefined) return snapshot.heads
  return withSession(project, { lock: false }, (session) => session.readHeads())
}

/** The applied heads and the history, for `mig check`; reads only, creates nothing. */
export async function readState(
  project: Project,
): Promise<{ heads: readonly string[]; history: readonly HistoryEntry[] }> {
  // Bad names fail even where there is no database yet to read.
  versionTableOf(project)
  if (!databaseToRead(project)) return { heads: [], history: [] }
  const snapshot = readStateSnapshot(project)
  if (snapshot !== undefined) return snapshot
  return withSession(project, { lock: false }, async (session) => ({
    heads: await session.readHeads(),
    history: await readHistory(session.connection.db, historyTableOf(session.versionTable)),
  }))
}
