import { hostname } from 'node:os'
import type {
  AnyKysely,
  Connection,
  LockHolder,
  LockOptions,
  MigrationLock,
  ResolvedVersionTable,
  SqlFlavour,
  VersionTableRef,
} from '../dialects/dialect.js'
import { LockError } from '../dialects/errors.js'
import { pollForLock } from '../dialects/lock-polling.js'
import { once } from '../dialects/session-queue.js'
import { nodeCrypto } from '../digest.js'
import { versionTableExists } from './version-table.js'

/** The one row of the lock table, by its key. */
const LOCK_ROW = 'migraph'

/** What `lock: 'table'` needs beside the waiting options. */
export interface TableLockOptions extends Pick<LockOptions, 'timeoutMs' | 'onWait'> {
  /** The version table the lock protects; the lock table sits beside it, `<table>_lock`. */
  readonly versionTable: ResolvedVersionTable
  /** How long a holder that stops renewing keeps the lock. */
  readonly leaseMs: number
  readonly flavour: SqlFlavour
  /** `host:port`, for messages. */
  readonly location: string
  /**
   * Opens the lock's own session. The lease is renewed on it while the run's session is inside
   * a revision's transaction, where a renewal would wait for (or commit with) the revision.
   */
  open(): Promise<Connection>
}

/** The lock table of a version table: `<schema>.<table>_lock`. */
export function lockTableOf(versionTable: ResolvedVersionTable): VersionTableRef & { schema: string } {
  return { schema: versionTable.schema, table: `${versionTable.table}_lock` }
}

/**
 * The database's clock in epoch milliseconds: every lease is measured on the one clock all
 * holders share, never on the clocks of the hosts that run migraph.
 */
async function nowMs(flavour: SqlFlavour) {
  const { sql } = await import('kysely')
  switch (flavour) {
    case 'postgres':
      return sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
    case 'mysql':
      return sql<number>`cast(unix_timestamp(now(3)) * 1000 as signed)`
    case 'sqlite':
      return sql<number>`cast((julianday('now') - 2440587.5) * 86400000 as integer)`
  }
}

/**
 * `lock: 'table'`: a row in `<version table>_lock` with an owner and a lease, for engines whose
 * advisory locks do nothing. Taken with a conditional write (insert the row, or take it over only
 * where its lease has expired), renewed every third of the lease on a session of its own, and
 * deleted on release by its owner only. A holder killed with `kill -9` keeps the lock until its
 * lease expires; then the next run takes it over. A renewal that finds the row taken (this
 * process stalled past its lease) makes `release` fail with a LockError saying runs may have
 * overlapped.
 */
export async function acquireTableLock(options: TableLockOptions): Promise<MigrationLock> {
  const connection = await options.open()
  try {
    return await holdTableLock(connection, options)
  } catch (error) {
    await connection.close().catch(() => undefined)
    throw error
  }
}

async function holdTableLock(connection: Connection, options: TableLockOptions): Promise<MigrationLock> {
  const db = connection.db
  const table = lockTableOf(options.versionTable)
  const lockName = `table lock ${table.schema}.${table.table}`
  await createLockTable(db, table, options.flavour)
  const now = await nowMs(options.flavour)
  const { sql } = await import('kysely')
  const lease = options.leaseMs
  const owner = nodeCrypto().randomUUID()
  const rows = () => db.withSchema(table.schema).selectFrom(table.table)
  await pollForLock(
    {
      location: options.location,
      lockName,
      tryAcquire: async () => {
        try {
          const taken = await db
            .withSchema(table.schema)
            .updateTable(table.table)
            .set({
              owner,
              host: hostname().slice(0, 255),
              pid: process.pid,
              acquired_at: now,
              expires_at: sql`${now} + ${lease}`,
            })
            .where('name', '=', LOCK_ROW)
            .where('expires_at', '<', now)
            .executeTakeFirst()
          if (Number(taken.numUpdatedRows) === 1) return true
        } catch (error) {
          if (isConflict(error)) return false
          throw error
        }
        try {
          await db
            .withSchema(table.schema)
            .insertInto(table.table)
            .values({
              name: LOCK_ROW,
              owner,
              host: hostname().slice(0, 255),
              pid: process.pid,
              acquired_at: now,
              expires_at: sql`${now} + ${lease}`,
            })
            .execute()
          return true
        } catch (error) {
          // Someone holds the row (the insert broke its key); anything else is a real failure.
          if (isConflict(error) || (await rows().select('owner').executeTakeFirst()) !== undefined)
            return false
          throw error
        }
      },
      describeHolder: () => tableLockHolder(db, table, now),
    },
    options,
  )
  let lost: string | undefined
  let renewedAt = Date.now()
  const renew = async () => {
    try {
      const renewed = await db
        .withSchema(table.schema)
        .updateTable(table.table)
        .set({ expires_at: sql`${now} + ${lease}` })
        .where('name', '=', LOCK_ROW)
        .where('owner', '=', owner)
        .executeTakeFirst()
      if (Number(renewed.numUpdatedRows) === 1) renewedAt = Date.now()
      else lost ??= 'another run took it over after its lease expired'
    } catch {
      // A renewal that fails is tried again; one lease without any is a lost lock.
      if (Date.now() - renewedAt > lease) lost ??= `it could not be renewed for ${lease} ms`
    }
  }
  let renewing = Promise.resolve()
  const timer = setInterval(
    () => {
      renewing = renewing.then(renew)
    },
    Math.max(250, Math.floor(lease / 3)),
  )
  // A process that has nothing else left to do must not be kept alive by its renewals.
  timer.unref()
  const lostError = () =>
    new LockError(
      lockName,
      `The migration ${lockName} on ${options.location} was lost while this run held it (${lost}; lease ${lease} ms); another run may have overlapped with this one`,
    )
  return {
    check: () => {
      // Checked by the clock too: a process that stalled past its lease learns it here, before
      // its next renewal has had the chance to find the row taken.
      if (lost === undefined && Date.now() - renewedAt > lease) lost = `no renewal for ${lease} ms`
      if (lost !== undefined) throw lostError()
    },
    release: once(async () => {
      clearInterval(timer)
      try {
        await renewing
        const released = await db
          .withSchema(table.schema)
          .deleteFrom(table.table)
          .where('name', '=', LOCK_ROW)
          .where('owner', '=', owner)
          .executeTakeFirst()
        if (lost === undefined && Number(released.numDeletedRows) !== 1) {
          lost = 'another run took it over after its lease expired'
        }
        if (lost !== undefined) throw lostError()
      } finally {
        await connection.close()
      }
    }),
  }
}

/**
 * Creates the lock table when missing. Two runs creating it at once can collide even with
 * `if not exists` (PostgreSQL's catalog), so a failure is accepted when the table now exists.
 */
async function createLockTable(
  db: AnyKysely,
  table: VersionTableRef & { schema: string },
  flavour: SqlFlavour,
) {
  try {
    await db.schema
      .withSchema(table.schema)
      .createTable(table.table)
      .ifNotExists()
      .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('owner', 'varchar(64)', (c) => c.notNull())
      .addColumn('host', 'varchar(255)')
      .addColumn('pid', 'integer')
      .addColumn('acquired_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute()
  } catch (error) {
    if (!(await versionTableExists(db, table, flavour))) throw error
  }
}

/** Who holds the row, and for how much longer. */
async function tableLockHolder(
  db: AnyKysely,
  table: VersionTableRef & { schema: string },
  now: Awaited<ReturnType<typeof nowMs>>,
): Promise<LockHolder | null> {
  const { sql } = await import('kysely')
  const row = await db
    .withSchema(table.schema)
    .selectFrom(table.table)
    .select(['owner', 'host', 'pid', 'acquired_at', sql<number>`expires_at - ${now}`.as('remaining')])
    .where('name', '=', LOCK_ROW)
    .executeTakeFirst()
  if (row === undefined) return null
  const remaining = Number(row.remaining)
  return {
    pid: row.pid ?? undefined,
    host: row.host ?? undefined,
    since: new Date(Number(row.acquired_at)),
    state:
      remaining > 0
        ? `lease expires in ${Math.ceil(remaining / 1000)} s unless renewed`
        : 'lease expired, about to be taken over',
  }
}

/** A write that lost a race for the row: a duplicate key, or a serialization failure to retry. */
function isConflict(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? '')
  return [
    '23505',
    '40001',
    '40P01',
    'ER_DUP_ENTRY',
    'ER_LOCK_DEADLOCK',
    'SQLITE_CONSTRAINT_PRIMARYKEY',
  ].includes(code)
}
