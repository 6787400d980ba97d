import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Project } from '../context.js'
import type {
  Connection,
  DatabaseTarget,
  ResolvedVersionTable,
  VersionTableRef,
} from '../dialects/dialect.js'
import { fingerprint } from '../digest.js'
import { findCacheDir } from '../script/cache-dir.js'
import { readCacheFile, writeCacheFile } from '../script/cache-file.js'
import { type HistoryEntry, historyTableOf, readHistory } from './history-table.js'
import { readVersions } from './version-table.js'

/**
 * What the read-only commands (`current`, `check`, `history -i`, `show current`) read of a
 * database: its applied heads and its history.
 */
export interface RecordedState {
  readonly heads: readonly string[]
  readonly history: readonly HistoryEntry[]
}

/** Bumped whenever what a snapshot file holds changes shape. */
const FORMAT = 1
const PREFIX = 'embedded-state-'

interface SnapshotFile {
  readonly format: number
  /** Unused by readers; required by the cache file format. */
  readonly startedMs: number
  readonly dataDir: string
  readonly fingerprint: string
  readonly heads: readonly string[]
  readonly history: readonly HistoryEntry[]
}

/**
 * The state a database one process opens at a time (an embedded data directory) was left in
 * when it was last closed, if it provably has not changed since.
 *
 * Opening PGlite costs half a second however little is read. The process that closes it, still
 * holding the directory's lock, records the version table and the history in the cache with the
 * dialect's fingerprint of the directory (its control file's content, and the identity, size and
 * times of it and of every write-ahead log file). Any process that changes the database, even
 * one killed half-way, writes the log and so changes the fingerprint; a held lock means a
 * process may be changing it now. Either way the snapshot is not used and the database is opened.
 */
export function readStateSnapshot(project: Project): RecordedState | undefined {
  const located = snapshotLocation(project, project.target(), configuredRef(project))
  if (located === undefined) return undefined
  const current = project.dialect().stateFingerprint?.(located.target)
  if (current === undefined) return undefined
  const value = readCacheFile(located.file)?.value as Partial<SnapshotFile> | undefined
  if (
    value === undefined ||
    value.format !== FORMAT ||
    value.fingerprint !== current ||
    value.dataDir !== located.target.location ||
    !Array.isArray(value.heads) ||
    !Array.isArray(value.history)
  ) {
    return undefined
  }
  return { heads: value.heads, history: value.history }
}

/**
 * Arranges for the session's connection, when it has closed the database and still holds it
 * alone, to record the state it leaves for {@link readStateSnapshot}. The state is read now, at
 * the end of the session's work; if it cannot be read, any older snapshot is removed instead.
 * Does nothing for a database without a fingerprint (servers, SQLite, memory).
 */
export async function keepStateSnapshot(
  project: Project,
  connection: Connection,
  versionTable: ResolvedVersionTable,
): Promise<void> {
  const onClosed = connection.onClosedExclusively
  const dialect = project.dialect()
  if (onClosed === undefined || dialect.stateFingerprint === undefined) return
  const located = snapshotLocation(project, connection.target, configuredRef(project))
  if (located === undefined) return
  let state: RecordedState | undefined
  try {
    state = {
      heads: await readVersions(connection.db, versionTable),
      history: await readHistory(connection.db, historyTableOf(versionTable)),
    }
  } catch {
    state = undefined
  }
  onClosed.call(connection, () => {
    const print = state === undefined ? undefined : dialect.stateFingerprint?.(connection.target, true)
    if (state === undefined || print === undefined) {
      rmSync(located.file, { force: true })
      return
    }
    pruneSnapshots(located.dir)
    const file: SnapshotFile = {
      format: FORMAT,
      startedMs: Date.now(),
      dataDir: connection.target.location,
      fingerprint: print,
      heads: state.heads,
      history: state.history,
    }
    writeCacheFile(located.file, file)
  })
}

function configuredRef(project: Project): VersionTableRef {
  return { table: project.config.versionTable, schema: project.config.versionTableSchema }
}

/** The snapshot file of one data directory and version table, in the project's cache. */
function snapshotLocation(
  project: Project,
  target: DatabaseTarget,
  ref: VersionTableRef,
): { target: DatabaseTarget; dir: string; file: string } | undefined {
  if (project.dialect().stateFingerprint === undefined) return undefined
  const dir = findCacheDir(project.config.baseDir)
  const name = fingerprint(String(FORMAT), target.location, ref.schema ?? '', ref.table)
  return { target, dir, file: join(dir, `${PREFIX}${name}.json`) }
}

/** Removes the snapshots of data directories that no longer exist; never throws. */
function pruneSnapshots(dir: string): void {
  try {
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(PREFIX) || !name.endsWith('.json')) continue
      const file = join(dir, name)
      const value = readCacheFile(file)?.value as Partial<SnapshotFile> | undefined
      if (typeof value?.dataDir !== 'string' || !existsSync(value.dataDir)) rmSync(file, { force: true })
    }
  } catch {
    // Only a cache: an unreadable folder keeps its files.
  }
}
