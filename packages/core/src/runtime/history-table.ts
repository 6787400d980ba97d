import { hostname, userInfo } from 'node:os'
import type { AnyKysely, VersionTableRef } from '../dialects/dialect.js'
import { versionTableExists } from './version-table.js'

/** What happened to a revision, as the history table records it. */
export type HistoryStatus =
  /** upgrade() ran and committed. */
  | 'applied'
  /** downgrade() ran and committed. */
  | 'reverted'
  /** The version table was set without running the revision. */
  | 'stamped'
  /** The revision failed where DDL cannot roll back (MySQL/MariaDB): the database may hold part of it. */
  | 'failed'
  /** A failed revision a user declared done with `mig resolve --applied`. */
  | 'resolved-applied'
  /** A failed revision a user declared undone with `mig resolve --rolled-back`. */
  | 'resolved-rolled-back'

/** One row of the history table: every step migraph ran, in order. */
export interface HistoryEntry {
  readonly revision: string
  readonly direction: 'up' | 'down'
  readonly status: HistoryStatus
  /** SHA-256 of the revision file's normalised source when it ran; null for stamps. */
  readonly checksum: string | null
  readonly startedAt: string
  readonly finishedAt: string
  readonly durationMs: number
  /** `user@host` of whoever ran it. */
  readonly appliedBy: string
  /** For a failed revision: how many of its operations completed before the failure. */
  readonly opsCompleted: number | null
  readonly detail: string | null
}

/** The history table that sits beside a version table (`mig_version` → `mig_version_history`). */
export function historyTableOf(versionTable: VersionTableRef): VersionTableRef {
  return { table: `${versionTable.table}_history`, schema: versionTable.schema }
}

/** Who is running this: recorded with every step. */
export function currentActor(): string {
  let user = 'unknown'
  try {
    user = userInfo().username
  } catch {
    // no passwd entry (some containers): keep 'unknown'
  }
  return `${user}@${hostname()}`
}

function scoped(db: AnyKysely, ref: VersionTableRef): AnyKysely {
  return ref.schema ? db.withSchema(ref.schema) : db
}

/** Creates the history table if it is missing; only ever on the way to a write. */
export async function ensureHistoryTable(db: AnyKysely, ref: VersionTableRef): Promise<void> {
  if (await versionTableExists(db, ref)) return
  const schema = ref.schema ? db.schema.withSchema(ref.schema) : db.schema
  await schema
    .createTable(ref.table)
    .ifNotExists()
    .addColumn('revision', 'varchar(32)', (c) => c.notNull())
    .addColumn('direction', 'varchar(4)', (c) => c.notNull())
    .addColumn('status', 'varchar(24)', (c) => c.notNull())
    .addColumn('checksum', 'varchar(64)')
    .addColumn('started_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('finished_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('applied_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('ops_completed', 'integer')
    .addColumn('detail', 'text')
    .execute()
}

/** Appends one entry (one round trip). */
export async function recordHistory(db: AnyKysely, ref: VersionTableRef, entry: HistoryEntry): Promise<void> {
  await scoped(db, ref)
    .insertInto(ref.table)
    .values({
      revision: entry.revision,
      direction: entry.direction,
      status: entry.status,
      checksum: entry.checksum,
      started_at: entry.startedAt,
      finished_at: entry.finishedAt,
      duration_ms: Math.round(entry.durationMs),
      applied_by: entry.appliedBy,
      ops_completed: entry.opsCompleted,
      detail: entry.detail,
    })
    .execute()
}

/** Every entry in the order recorded; empty when the table does not exist (which it leaves so). */
export async function readHistory(db: AnyKysely, ref: VersionTableRef): Promise<HistoryEntry[]> {
  if (!(await versionTableExists(db, ref))) return []
  const rows = await scoped(db, ref).selectFrom(ref.table).selectAll().execute()
  // Rows carry their own start time; insertion order is the tie-breaker databases keep anyway.
  return rows
    .map((row: Record<string, unknown>, index: number) => ({ row, index }))
    .sort((a, b) => String(a.row.started_at).localeCompare(String(b.row.started_at)) || a.index - b.index)
    .map(({ row }) => ({
      revision: String(row.revision),
      direction: row.direction === 'down' ? 'down' : 'up',
      status: String(row.status) as HistoryStatus,
      checksum: row.checksum === null || row.checksum === undefined ? null : String(row.checksum),
      startedAt: String(row.started_at),
      finishedAt: String(row.finished_at),
      durationMs: Number(row.duration_ms),
      appliedBy: String(row.applied_by),
      opsCompleted:
        row.ops_completed === null || row.ops_completed === undefined ? null : Number(row.ops_completed),
      detail: row.detail === null || row.detail === undefined ? null : String(row.detail),
    }))
}

/** The failed revisions no `mig resolve` has settled yet: upgrades refuse to run past them. */
export function unresolvedFailures(history: readonly HistoryEntry[]): HistoryEntry[] {
  const last = new Map<string, HistoryEntry>()
  for (const entry of history) last.set(entry.revision, entry)
  return [...last.values()].filter((entry) => entry.status === 'failed')
}

/** The checksum each revision had when it was last applied (upgrade or resolve --applied). */
export function appliedChecksums(history: readonly HistoryEntry[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const entry of history) {
    const applied = entry.status === 'applied' || entry.status === 'resolved-applied'
    if (applied && entry.checksum !== null) out.set(entry.revision, entry.checksum)
    if (entry.status === 'reverted' || entry.status === 'resolved-rolled-back') out.delete(entry.revision)
  }
  return out
}
