import type { RevisionLimits } from '../config/revision-limits.js'
import type { AnyKysely, MigrationDialect } from './dialect.js'

/** Undoes a session-wide setting once its revision has run. */
export type RestoreLimits = () => Promise<void>

/** Whether `error` or any error in its `cause` chain satisfies `test`. */
function inCauses(error: unknown, test: (e: Record<string, unknown>) => boolean): boolean {
  const seen = new Set<unknown>()
  for (
    let e = error;
    e !== null && typeof e === 'object' && !seen.has(e);
    e = (e as { cause?: unknown }).cause
  ) {
    seen.add(e)
    if (test(e as Record<string, unknown>)) return true
  }
  return false
}

/**
 * PostgreSQL and PGlite: `lock_timeout` and `statement_timeout` through `set_config`, local to
 * the transaction inside one (it ends with it, commit or rollback), else for the session and
 * reset after the revision. A limit left null takes the session's own value (`reset_val`), so a
 * revision never inherits the limit of the one before it in the same transaction.
 */
export async function applyPostgresLimits(
  executor: AnyKysely,
  limits: RevisionLimits,
  inTransaction: boolean,
): Promise<RestoreLimits | undefined> {
  // Loaded here: importing a dialect must not load Kysely (a graph-only command needs neither).
  const { sql } = await import('kysely')
  const value = (ms: number | null) => (ms === null ? null : String(ms))
  const set = (lock: string | null, statement: string | null, local: boolean) =>
    sql`select set_config('lock_timeout', coalesce(${lock}::text, (select reset_val from pg_settings where name = 'lock_timeout')), ${local}), set_config('statement_timeout', coalesce(${statement}::text, (select reset_val from pg_settings where name = 'statement_timeout')), ${local})`.execute(
      executor,
    )
  await set(value(limits.lockTimeoutMs), value(limits.statementTimeoutMs), inTransaction)
  if (inTransaction) return undefined
  return async () => {
    await set(null, null, false)
  }
}

/** PostgreSQL's `lock_not_available` (55P03): `lock_timeout` expired, or `NOWAIT` found a lock. */
export function isPostgresLockTimeout(error: unknown): boolean {
  return inCauses(error, (e) => e.code === '55P03')
}

/** Whether the server is MariaDB (its statement limit differs from MySQL's), asked once per session. */
const mariadbSessions = new WeakMap<object, boolean>()

/**
 * MySQL and MariaDB: `lock_wait_timeout` (metadata locks, which DDL waits for) and
 * `innodb_lock_wait_timeout` (row locks), whole seconds rounded up; the statement limit is
 * MariaDB's `max_statement_time` (seconds) or MySQL's `max_execution_time` (milliseconds, which
 * MySQL applies to SELECT only). Session settings: put back to the server's defaults after the
 * revision.
 */
export async function applyMysqlLimits(
  executor: AnyKysely,
  limits: RevisionLimits,
  session: object,
): Promise<RestoreLimits | undefined> {
  const { sql } = await import('kysely')
  let mariadb = mariadbSessions.get(session)
  if (mariadb === undefined) {
    const { rows } = await sql<{ version: string }>`select version() as version`.execute(executor)
    mariadb = /mariadb/i.test(rows[0]?.version ?? '')
    mariadbSessions.set(session, mariadb)
  }
  const seconds = (ms: number | null) =>
    ms === null ? sql`default` : sql.lit(Math.max(1, Math.ceil(ms / 1000)))
  const statement =
    limits.statementTimeoutMs === null
      ? sql`default`
      : mariadb
        ? sql.lit(limits.statementTimeoutMs / 1000)
        : sql.lit(limits.statementTimeoutMs)
  const statementVariable = sql.raw(mariadb ? 'max_statement_time' : 'max_execution_time')
  const lock = seconds(limits.lockTimeoutMs)
  await sql`set session lock_wait_timeout = ${lock}, innodb_lock_wait_timeout = ${lock}, ${statementVariable} = ${statement}`.execute(
    executor,
  )
  return async () => {
    await sql`set session lock_wait_timeout = default, innodb_lock_wait_timeout = default, ${statementVariable} = default`.execute(
      executor,
    )
  }
}

/** MySQL's and MariaDB's `ER_LOCK_WAIT_TIMEOUT` (1205), for row and metadata locks alike. */
export function isMysqlLockTimeout(error: unknown): boolean {
  return inCauses(error, (e) => e.errno === 1205 || e.code === 'ER_LOCK_WAIT_TIMEOUT')
}

/** The limits of PostgreSQL and PGlite, as their dialect objects carry them. */
export const POSTGRES_LIMITS: Required<Pick<MigrationDialect, 'applyLimits' | 'isLockTimeout'>> = {
  applyLimits: (executor, limits, { inTransaction }) => applyPostgresLimits(executor, limits, inTransaction),
  isLockTimeout: isPostgresLockTimeout,
}

/** The limits of MySQL and MariaDB, as their dialect object carries them. */
export const MYSQL_LIMITS: Required<Pick<MigrationDialect, 'applyLimits' | 'isLockTimeout'>> = {
  applyLimits: (executor, limits, { connection }) => applyMysqlLimits(executor, limits, connection),
  isLockTimeout: isMysqlLockTimeout,
}
