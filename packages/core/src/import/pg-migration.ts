import type { Operations } from '@migraph/operations'
import { CompiledQuery } from 'kysely'

/** What migraph uses of a node-pg-migrate builder. */
interface PgMigrationBuilder {
  enableReverseMode(): unknown
  getSqlSteps(): string[]
}

/** node-pg-migrate's `MigrationBuilder` class, as the project installed it (any release). */
export type PgMigrationBuilderClass = new (
  db: never,
  typeShorthands: never,
  shouldDecamelize: never,
  logger: never,
) => PgMigrationBuilder

type Action = (pgm: unknown, done?: () => void) => unknown

const SILENT = { info() {}, warn() {}, error() {}, debug() {} }

/**
 * Runs a node-pg-migrate JavaScript/TypeScript migration from a migraph revision
 * (`mig import node-pg-migrate`): its `up(pgm)` (or `down`, or `up` reversed where it has no
 * `down`, as node-pg-migrate does) fills node-pg-migrate's own `MigrationBuilder`, whose SQL then
 * runs through `op.execute`, on migraph's connection and in the revision's transaction;
 * `pgm.db.query` runs on it at once. `exports.down = false` makes it irreversible.
 *
 * @example
 * ```ts
 * import { MigrationBuilder } from 'node-pg-migrate'
 * export async function upgrade(op: Operations) {
 *   await runPgMigration(op, MigrationBuilder, await import('../pgm/1700000000000_init.js'), 'up', 'pgm/1700000000000_init.js')
 * }
 * ```
 */
export async function runPgMigration(
  op: Operations,
  Builder: PgMigrationBuilderClass,
  module: Record<string, unknown>,
  direction: 'up' | 'down',
  file: string,
): Promise<void> {
  const exported = typeof module.up === 'function' ? module : (module.default as Record<string, unknown>)
  const up = exported?.up
  if (typeof up !== 'function')
    throw new Error(`${file} exports no up(pgm): it is not a node-pg-migrate migration`)
  const down = exported.down
  if (direction === 'down' && down === false)
    throw new Error(`${file} sets down to false: it cannot be undone`)
  const query = async (text: string) =>
    (await op.db.executeQuery(CompiledQuery.raw(text))) as { rows: unknown[] }
  const db = { query, select: async (text: string) => (await query(text)).rows }
  const pgm = new Builder(db as never, exported.shorthands as never, false as never, SILENT as never)
  const action = (direction === 'up' ? up : typeof down === 'function' ? down : up) as Action
  if (direction === 'down' && typeof down !== 'function') pgm.enableReverseMode()
  if (action.length === 2) await new Promise<void>((resolve) => action(pgm, resolve))
  else await action(pgm)
  for (const step of pgm.getSqlSteps()) await op.execute(step)
}
