import type { Project } from '../context.js'
import type { Connection, MigrationDialect, MigrationLock, VersionTableRef } from '../dialects/dialect.js'
import { describeLockHolder } from '../dialects/index.js'
import { type HistoryEntry, historyTableOf, readHistory } from './history-table.js'
import { readVersions } from './version-table.js'

/** An open connection to the project's database, optionally holding the migration lock. */
export interface Session {
  readonly connection: Connection
  readonly dialect: MigrationDialect
  readonly versionTable: VersionTableRef
  /** The applied heads: the rows of the version table (none when it does not exist yet). */
  readHeads(): Promise<readonly string[]>
}

/** Where the project's version table lives. */
export function versionTableOf(project: Project): VersionTableRef {
  return { table: project.config.versionTable, schema: project.config.versionTableSchema }
}

/**
 * Opens a session, takes the migration lock when asked, runs `work`, then releases and closes
 * in `finally`: a failure anywhere leaves no lock and no open connection behind.
 */
export async function withSession<T>(
  project: Project,
  options: { readonly lock: boolean },
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const target = project.target()
  const dialect = project.dialect()
  const connection = await dialect.connect(target, {
    connectTimeoutMs: project.connectTimeoutMs,
    applicationName: 'mig',
    notice: (message) => project.environment.reporter.info(message),
  })
  let lock: MigrationLock | undefined
  // A session that broke under `work` fails to release and close too; those errors must not
  // hide the one that says what happened.
  let failed = false
  try {
    if (options.lock) {
      lock = await dialect.acquireLock(connection, {
        timeoutMs: project.lockTimeoutMs,
        versionTable: versionTableOf(project),
        onWait: (holder, waitedMs) => {
          const who = describeLockHolder(holder)
          project.environment.reporter.info(
            `Waiting for the migration lock held by ${who} (${Math.round(waitedMs / 1000)} s so far, timeout ${Math.round(project.lockTimeoutMs / 1000)} s)`,
          )
        },
      })
    }
    const versionTable = versionTableOf(project)
    return await work({
      connection,
      dialect,
      versionTable,
      readHeads: () => readVersions(connection.db, versionTable),
    })
  } catch (error) {
    failed = true
    throw error
  } finally {
    await releaseAndClose(lock, connection, failed)
  }
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
 * The applied heads, for read-only commands: an embedded database that does not exist yet is
 * reported as empty instead of being created by looking at it.
 */
export async function readCurrentHeads(project: Project): Promise<readonly string[]> {
  const dialect = project.dialect()
  if (dialect.databaseExists?.(project.target()) === false) return []
  return withSession(project, { lock: false }, (session) => session.readHeads())
}

/** The applied heads and the history, for `mig check`; reads only, creates nothing. */
export async function readState(
  project: Project,
): Promise<{ heads: readonly string[]; history: readonly HistoryEntry[] }> {
  const dialect = project.dialect()
  if (dialect.databaseExists?.(project.target()) === false) return { heads: [], history: [] }
  return withSession(project, { lock: false }, async (session) => ({
    heads: await session.readHeads(),
    history: await readHistory(session.connection.db, historyTableOf(session.versionTable)),
  }))
}
