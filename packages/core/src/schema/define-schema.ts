import { createOnlineSink, createOperations, type Operations } from '@migraph/operations'
import type { Kysely } from 'kysely'
import type { SqlFlavour } from '../dialects/dialect.js'
import { DeclaredSchemaError } from '../errors.js'

/** The mark {@link defineSchema} puts on its result; a string, so two copies of migraph agree. */
const KIND = 'migraph:declared-schema'

/** A schema declared in TypeScript: the ops that create it, run on a throwaway database. */
export interface DeclaredSchema {
  readonly kind: typeof KIND
  readonly build: (op: Operations) => Promise<void> | void
}

/**
 * Declares the schema `mig revision --autogenerate`, `mig diff` and `mig check --schema` compare
 * with, written with the very `op` API revisions use. The module the config's `schema` names
 * exports it as its default export.
 *
 * @example
 * ```ts
 * // schema.ts
 * import { defineSchema } from 'migraph'
 * export default defineSchema(async (op) => {
 *   await op.createTable('account', (t) =>
 *     t.addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('email', 'varchar(200)', (c) => c.notNull()),
 *   )
 *   await op.createIndex('account_email_idx', 'account', ['email'])
 * })
 * ```
 */
export function defineSchema(build: (op: Operations) => Promise<void> | void): DeclaredSchema {
  if (typeof build !== 'function') {
    throw new DeclaredSchemaError('defineSchema expects a function (op) => { ... } that creates the schema')
  }
  return Object.freeze({ kind: KIND, build })
}

/** The schema a module declares: its default export (or `schema`), made by {@link defineSchema}. */
export function declaredSchemaOf(module: Record<string, unknown>, shown: string): DeclaredSchema {
  for (const value of [module.default, module.schema]) {
    if ((value as { kind?: unknown } | null | undefined)?.kind === KIND) return value as DeclaredSchema
  }
  throw new DeclaredSchemaError(
    `${shown}: the declared schema module exports no schema; expected 'export default defineSchema(async (op) => { ... })' (defineSchema from 'migraph')`,
  )
}

/**
 * Runs a declared schema's ops on `db`, a throwaway database of the project's kind. A failing op
 * is reported with the file, the op and the database's error.
 */
export async function runDeclaredSchema(
  schema: DeclaredSchema,
  db: Kysely<never>,
  flavour: SqlFlavour,
  shown: string,
): Promise<void> {
  const { op, pendingCount, unobservedErrors } = createOperations(createOnlineSink(db as never, flavour), {
    revision: shown,
  })
  try {
    try {
      await schema.build(op)
    } finally {
      // An op called without `await` still runs before the schema is read.
      while (pendingCount() > 0) await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const [unobserved] = unobservedErrors()
    if (unobserved !== undefined) throw unobserved
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
    const { op, detail } = (error ?? {}) as { op?: unknown; detail?: unknown }
    const where = typeof op === 'string' ? `op.${op}` : 'the schema function'
    const said = typeof detail === 'string' ? (detail.split('\n')[0] ?? '') : reason
    throw new DeclaredSchemaError(`${shown}: the declared schema does not load: ${where} failed: ${said}`, {
      cause: error,
    })
  }
}
