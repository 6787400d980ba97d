import { hostname, userInfo } from 'node:os'
import { CompiledQuery, sql } from 'kysely'
import { historyTableName } from '../config/version-table-name.js'
import type { AnyKysely, VersionTableRef } from '../dialects/dialect.js'
import { VersionTableRowCountError } from '../dialects/errors.js'
import {
  applyVersionChanges,
  qualified,
  selectVersions,
  type VersionChange,
  versionChangeReturning,
  versionTableExists,
  whichTablesExist,
} from './version-table.js'

/** What happened to a revision, as the history table records it. */
export type HistoryStatus =
  /** upgrade() ran and committed. */
  | 'applied'
  /** downgrade() ran and committed. */
  | 'reverted'
  /** The version table was set without running the revision. */
  | 'stamped'
  /**
   * A step that cannot roll back is under way: written before it runs, committed on its own
   * (or, on MySQL/MariaDB, by the first statement that commits implicitly). Its end entry settles
   * it; one without an end means the run was interrupted and the database may hold part of it.
   */
  | 'started'
  /** The revision failed after part of it was committed: the database may hold part of it. */
  | 'failed'
  /** A failed revision a user declared done with `mig resolve --applied`. */
  | 'resolved-applied'
  /** A failed revision a user declared undone with `mig resolve --rolled-back`. */
  | 'resolved-rolled-back'
  /**
   * `mig stamp --purge` emptied the version table: what the entries before it say was applied no
   * longer describes it. Its revision is empty.
   */
  | 'purged'

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

/** What a run's integrity guard reads of each history entry: the rest stays in the table. */
export type HistoryFacts = Pick<
  HistoryEntry,
  'revision' | 'direction' | 'status' | 'checksum' | 'startedAt' | 'finishedAt' | 'opsCompleted'
>

/**
 * The history table that sits beside a version table, in the same schema (`mig_version` →
 * `mig_version_history`).
 */
export function historyTableOf(versionTable: VersionTableRef): VersionTableRef {
  return { table: historyTableName(versionTable.table), schema: versionTable.schema }
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

/** The history table's columns, their types, and whether they may be null. */
const HISTORY_COLUMNS = {
  revision: ['varchar(32)', false],
  direction: ['varchar(4)', false],
  status: ['varchar(24)', false],
  checksum: ['varchar(64)', true],
  started_at: ['varchar(32)', false],
  finished_at: ['varchar(32)', false],
  duration_ms: ['integer', false],
  applied_by: ['varchar(255)', false],
  ops_completed: ['integer', true],
  detail: ['text', true],
} as const satisfies Record<string, readonly [string, boolean]>

type HistoryColumn = keyof typeof HISTORY_COLUMNS

/** Creates the history table if it is missing; only ever on the way to a write. */
export async function ensureHistoryTable(db: AnyKysely, ref: VersionTableRef): Promise<void> {
  if (await versionTableExists(db, ref)) return
  const schema = ref.schema ? db.schema.withSchema(ref.schema) : db.schema
  let create = schema.createTable(ref.table).ifNotExists()
  for (const [name, [type, nullable]] of Object.entries(HISTORY_COLUMNS)) {
    create = create.addColumn(name, sql.raw(type), (c) => (nullable ? c : c.notNull()))
  }
  await create.execute()
}

/** Appends one entry (one round trip). */
export async function recordHistory(db: AnyKysely, ref: VersionTableRef, entry: HistoryEntry): Promise<void> {
  await scoped(db, ref).insertInto(ref.table).values(historyRow(entry)).execute()
}

/** The `started` entry of one step: the revision and the start time it shares with its end. */
export type StartedStep = Pick<HistoryEntry, 'revision' | 'startedAt'>

/** Whether a step's `started` entry is in the table (committed, when read on another session). */
export async function startedEntryExists(
  db: AnyKysely,
  ref: VersionTableRef,
  step: StartedStep,
): Promise<boolean> {
  const row = await scoped(db, ref)
    .selectFrom(ref.table)
    .select('revision')
    .where('revision', '=', step.revision)
    .where('started_at', '=', step.startedAt)
    .where('status', '=', 'started')
    .executeTakeFirst()
  return row !== undefined
}

/** Deletes a step's `started` entry: the step failed before anything of it reached the database. */
export async function deleteStartedEntry(
  db: AnyKysely,
  ref: VersionTableRef,
  step: StartedStep,
): Promise<void> {
  await scoped(db, ref)
    .deleteFrom(ref.table)
    .where('revision', '=', step.revision)
    .where('started_at', '=', step.startedAt)
    .where('status', '=', 'started')
    .execute()
}

/** Where a value goes in a statement compiled once; Kysely passes it through as a parameter. */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * Records the steps of one run: applies each step's version-table changes and appends its
 * history entry, with the same checks as {@link applyVersionChanges} (an UPDATE or DELETE must
 * match exactly one row). With `dataModifyingCte` and a single change (every step but merges
 * and their downgrades), both go in one statement, which inserts the entry once per row the
 * change matched:
 *
 * ```sql
 * with "changed" as (update "mig_version" set ... where ... returning "version_num")
 * insert into "mig_version_history" (...) select cast($3 as varchar(32)), ... from "changed"
 * ```
 *
 * That statement is built and compiled by Kysely once per kind of change, with slots where the
 * values go, then sent with each step's values: building and compiling it took longer than
 * sending it.
 */
export class StepRecorder {
  readonly #tables: { readonly version: VersionTableRef; readonly history: VersionTableRef }
  readonly #dataModifyingCte: boolean
  readonly #prepare: ((sql: string) => void) | undefined
  readonly #statements = new Map<VersionChange['kind'], CompiledQuery>()

  /** `prepare` is told each statement's text as it is compiled (see `Connection.prepare`). */
  constructor(
    tables: { readonly version: VersionTableRef; readonly history: VersionTableRef },
    options: { readonly dataModifyingCte: boolean; readonly prepare?: (sql: string) => void },
  ) {
    this.#tables = tables
    this.#dataModifyingCte = options.dataModifyingCte
    this.#prepare = options.prepare
  }

  /** Records one step on `db` (the step's transaction, if it has one). */
  async record(db: AnyKysely, changes: readonly VersionChange[], entry: HistoryEntry): Promise<void> {
    const [change] = changes
    if (!this.#dataModifyingCte || change === undefined || changes.length > 1) {
      await applyVersionChanges(db, this.#tables.version, changes)
      await recordHistory(db, this.#tables.history, entry)
      return
    }
    const values: Record<string, unknown> = { ...change, ...historyRow(entry) }
    const statement = this.#statement(db, change.kind)
    const parameters = statement.parameters.map((p) => (p instanceof Slot ? values[p.name] : p))
    const result = await db.executeQuery(CompiledQuery.raw(statement.sql, parameters))
    const found = Number(result.numAffectedRows ?? 0n)
    // An INSERT that returns at all inserted its row.
    if (found === 1 || change.kind === 'insert') return
    const ref = qualified(this.#tables.version)
    throw change.kind === 'update'
      ? new VersionTableRowCountError(ref, 'update', change.from, found, change.to)
      : new VersionTableRowCountError(ref, 'delete', change.version, found)
  }

  #statement(db: AnyKysely, kind: VersionChange['kind']): CompiledQuery {
    const cached = this.#statements.get(kind)
    if (cached !== undefined) return cached
    const { version, history } = this.#tables
    // One schema for both (see historyTableOf), so one `withSchema` scopes every table named here.
    const scope = scoped(db, version)
    // The change's fields name their own slots: `from`, `to`, `version`.
    const change: VersionChange =
      kind === 'update' ? { kind, from: 'from', to: 'to' } : { kind, version: 'version' }
    const columns = Object.keys(HISTORY_COLUMNS) as HistoryColumn[]
    const statement = scope
      .with('changed', () => versionChangeReturning(scope, version, change, (field) => new Slot(field)))
      .insertInto(history.table)
      .columns(columns)
      // From the expression builder: a query built from `scope` would be given the schema on its
      // own, before the plugin could tell that "changed" names the CTE, not a table.
      .expression((eb) =>
        eb
          .selectFrom('changed')
          // Typed as the columns are: a bare parameter in a SELECT list has no type to go by.
          .select(
            columns.map((column) =>
              sql`cast(${new Slot(column)} as ${sql.raw(HISTORY_COLUMNS[column][0])})`.as(column),
            ),
          ),
      )
      .compile()
    this.#prepare?.(statement.sql)
    this.#statements.set(kind, statement)
    return statement
  }
}

function historyRow(entry: HistoryEntry): Record<HistoryColumn, string | number | null> {
  return {
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
  }
}

/** Every entry in the order recorded; empty when the table does not exist (which it leaves so). */
export async function readHistory(db: AnyKysely, ref: VersionTableRef): Promise<HistoryEntry[]> {
  if (!(await versionTableExists(db, ref))) return []
  return selectHistory(db, ref)
}

/**
 * What a run starts from: the applied heads, the history, and whether both tables exist, with
 * one catalog query for the two tables.
 */
export async function readRunState(
  db: AnyKysely,
  versionTable: VersionTableRef,
): Promise<{ heads: string[]; history: HistoryFacts[]; tablesExist: boolean }> {
  const historyTable = historyTableOf(versionTable)
  const [versionExists, historyExists] = await whichTablesExist(db, [versionTable, historyTable])
  return {
    heads: versionExists ? await selectVersions(db, versionTable) : [],
    history: historyExists ? await selectHistoryFacts(db, historyTable) : [],
    tablesExist: versionExists === true && historyExists === true,
  }
}

/**
 * The table's rows in the order recorded. Rows carry their own start time; insertion order is the
 * tie-breaker databases keep anyway. ISO timestamps sort by code point; `localeCompare` would
 * first build a collator (~8 ms).
 */
function inRecordedOrder(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows
    .map((row, index) => ({ row, index, startedAt: String(row.started_at) }))
    .sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.index - b.index))
    .map(({ row }) => row)
}

const nullableNumber = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value)

/**
 * The {@link HistoryFacts} of every entry, in the order recorded: a run reads the whole table
 * before it starts, and the columns it does not need (who, how long, the error text) are most
 * of what a row costs to receive.
 */
async function selectHistoryFacts(db: AnyKysely, ref: VersionTableRef): Promise<HistoryFacts[]> {
  const rows = await scoped(db, ref)
    .selectFrom(ref.table)
    .select(['revision', 'direction', 'status', 'checksum', 'started_at', 'finished_at', 'ops_completed'])
    .execute()
  return inRecordedOrder(rows).map((row) => ({
    revision: String(row.revision),
    direction: row.direction === 'down' ? 'down' : 'up',
    status: String(row.status) as HistoryStatus,
    checksum: row.checksum === null || row.checksum === undefined ? null : String(row.checksum),
    startedAt: String(row.started_at),
    finishedAt: String(row.finished_at),
    opsCompleted: nullableNumber(row.ops_completed),
  }))
}

async function selectHistory(db: AnyKysely, ref: VersionTableRef): Promise<HistoryEntry[]> {
  const rows = await scoped(db, ref).selectFrom(ref.table).selectAll().execute()
  return inRecordedOrder(rows).map((row) => ({
    revision: String(row.revision),
    direction: row.direction === 'down' ? 'down' : 'up',
    status: String(row.status) as HistoryStatus,
    checksum: row.checksum === null || row.checksum === undefined ? null : String(row.checksum),
    startedAt: String(row.started_at),
    finishedAt: String(row.finished_at),
    durationMs: Number(row.duration_ms),
    appliedBy: String(row.applied_by),
    opsCompleted: nullableNumber(row.ops_completed),
    detail: row.detail === null || row.detail === undefined ? null : String(row.detail),
  }))
}
