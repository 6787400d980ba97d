import type { Operations, SqlFlavour } from '@migraph/operations'
import { CompiledQuery, type QueryResult } from 'kysely'

/** The `knex` package's default export, as the project installed it. */
// biome-ignore lint/suspicious/noExplicitAny: any release of knex's factory is accepted as it is
export type KnexFactory = (config: any) => unknown

/** Knex's client for each SQL flavour; with no connection configured, none loads its driver. */
const KNEX_CLIENTS: Readonly<Record<SqlFlavour, string>> = {
  postgres: 'pg',
  sqlite: 'better-sqlite3',
  mysql: 'mysql2',
}

/** What knex hands its client's `_query` and reads back in `processResponse`. */
interface KnexQuery {
  sql: string
  bindings?: readonly unknown[]
  method?: string
  response?: unknown
  context?: { lastID: number; changes: number }
}

interface KnexClient {
  _query(connection: unknown, query: KnexQuery): Promise<KnexQuery>
  acquireConnection(): Promise<unknown>
  releaseConnection(connection: unknown): Promise<void>
}

/**
 * Runs a Knex migration module's `up` or `down` from a migraph revision (`mig import knex`): it
 * gets a Knex instance whose every query goes through `op.db`, so on migraph's connection and
 * inside the revision's transaction, where `knex.transaction()` is a savepoint. Knex itself is the
 * project's own dependency, passed in.
 *
 * @example
 * ```ts
 * import knex from 'knex'
 * export async function upgrade(op: Operations) {
 *   await runKnexMigration(op, knex, await import('../db/20240101120000_users.js'), 'up', '20240101120000_users.js')
 * }
 * ```
 */
export async function runKnexMigration(
  op: Operations,
  knex: KnexFactory,
  module: Record<string, unknown>,
  direction: 'up' | 'down',
  file: string,
): Promise<void> {
  const exported = typeof module.up === 'function' ? module : (module.default as Record<string, unknown>)
  const run = exported?.[direction]
  if (typeof run !== 'function') {
    throw new Error(
      direction === 'down'
        ? `${file} exports no down(knex): it cannot be undone`
        : `${file} exports no up(knex): it is not a Knex migration`,
    )
  }
  await run(knexOn(op, knex))
}

/** A Knex instance of the revision's dialect whose queries run on `op.db`. */
export function knexOn(op: Operations, knex: KnexFactory): unknown {
  const flavour = op.dialect
  const probe = knex({ client: KNEX_CLIENTS[flavour], useNullAsDefault: flavour === 'sqlite' }) as {
    client: { constructor: new (c: object) => object }
  }
  const Base = probe.client.constructor as new (config: object) => KnexClient
  const db = op.db
  class MigraphClient extends Base {
    // Inside migraph's transaction, `knex.transaction()` (and Knex's own SQLite table rebuilds)
    // take a savepoint in it instead of beginning another.
    readonly transacting = db.isTransaction
    override async acquireConnection(): Promise<unknown> {
      return {}
    }
    override async releaseConnection(): Promise<void> {}
    override async _query(_connection: unknown, query: KnexQuery): Promise<KnexQuery> {
      const result = await db.executeQuery(CompiledQuery.raw(query.sql, [...(query.bindings ?? [])]))
      return Object.assign(query, nativeResponse(flavour, query, result))
    }
  }
  return knex({ client: MigraphClient, useNullAsDefault: flavour === 'sqlite' })
}

const READS = new Set(['select', 'first', 'pluck'])
const COUNTS = new Set(['update', 'del', 'counter'])

/** Kysely's result in the form each Knex client's `processResponse` reads from its driver. */
function nativeResponse(
  flavour: SqlFlavour,
  query: KnexQuery,
  result: QueryResult<unknown>,
): Pick<KnexQuery, 'response' | 'context'> {
  const method = query.method ?? 'raw'
  const changes = Number(result.numAffectedRows ?? 0)
  const lastID = Number(result.insertId ?? 0)
  if (flavour === 'sqlite') return { response: result.rows, context: { lastID, changes } }
  if (flavour === 'mysql') {
    const wrote =
      COUNTS.has(method) || method === 'insert' || (result.rows.length === 0 && !READS.has(method))
    return { response: [wrote ? { insertId: lastID, affectedRows: changes } : result.rows, []] }
  }
  const command = READS.has(method)
    ? 'SELECT'
    : method === 'del'
      ? 'DELETE'
      : COUNTS.has(method)
        ? 'UPDATE'
        : (/^\s*(\w+)/.exec(query.sql)?.[1] ?? '').toUpperCase()
  return { response: { rows: result.rows, rowCount: changes || result.rows.length, command } }
}
