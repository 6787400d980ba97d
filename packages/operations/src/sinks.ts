import type { CompiledQuery, Kysely } from 'kysely'
import { type Catalog, OfflineCatalog } from './catalog.js'
import type { SqlFlavour } from './column-types.js'
import { compileOp } from './compile/common.js'
import type { CompileContext } from './compile/dialect.js'
import { dialectFor } from './compile/dialects.js'
import { compilerKysely } from './compiler-kysely.js'
import { StatementExecutionError } from './errors.js'
import { inlineParameters } from './literals.js'
import type { AnySchema, Op } from './ops.js'

/**
 * Where compiled ops go: executed on a connection (online) or written as SQL text (offline).
 *
 * @example
 * ```ts
 * const sink = createOfflineSink('postgres', { write: (s) => process.stdout.write(`${s}\n`) })
 * const { op } = createOperations(sink, { revision: '1975ea83b712' })
 * await op.dropTable('account')   // writes: drop table "account";
 * ```
 */
export interface OpSink {
  readonly flavour: SqlFlavour
  /** Kysely for op.db and for running statements online; null when offline (op.db then throws OfflineDatabaseAccessError). */
  readonly db: Kysely<AnySchema> | null
  run(op: Op): Promise<void>
}

/**
 * Online: compiles each op for `flavour` and executes it on `db` (a Kysely bound to a
 * transaction or connection). Ops that must restate a table read it from the live database.
 *
 * @example
 * ```ts
 * await db.transaction().execute(async (trx) => {
 *   const { op } = createOperations(createOnlineSink(trx, 'postgres'), { revision })
 *   await upgrade(op)
 * })
 * ```
 */
export function createOnlineSink(db: Kysely<AnySchema>, flavour: SqlFlavour): OpSink {
  const dialect = dialectFor(flavour)
  const catalog: Catalog = {
    online: true,
    describeTable: async (table) => dialect.introspectTable?.(db, table),
  }
  const ctx: CompileContext = { kysely: compilerKysely(flavour), catalog, dialect }
  return {
    flavour,
    db,
    async run(op) {
      const plan = await compileOp(op, ctx)
      const execute = async (query: CompiledQuery) => {
        try {
          await db.executeQuery(query)
        } catch (cause) {
          throw new StatementExecutionError(query.sql, { op: op.kind, cause })
        }
      }
      if (dialect.runPlan !== undefined) return dialect.runPlan(plan, db, execute)
      for (const statement of plan.statements) await execute(statement)
    },
  }
}

/**
 * Offline (`--sql`): compiles each op and writes runnable SQL, one statement per `write` call,
 * parameters inlined as escaped literals, each ending with `;`. Tables created earlier in the
 * same run are remembered, so SQLite batch mode and MySQL MODIFY can restate them.
 *
 * @example
 * ```ts
 * const lines: string[] = []
 * const sink = createOfflineSink('sqlite', { write: (s) => lines.push(s) })
 * ```
 */
export function createOfflineSink(flavour: SqlFlavour, out: { write(statement: string): void }): OpSink {
  const dialect = dialectFor(flavour)
  const catalog = new OfflineCatalog()
  const ctx: CompileContext = { kysely: compilerKysely(flavour), catalog, dialect }
  return {
    flavour,
    db: null,
    async run(op) {
      const plan = await compileOp(op, ctx)
      for (const statement of plan.statements) out.write(terminate(inlineParameters(statement, flavour)))
      catalog.apply(op)
    },
  }
}

/**
 * Records each op as the frozen data it is, running nothing: what `mig squash` reads a revision's
 * functions as. There is no database: `op.db` throws {@link OfflineDatabaseAccessError}.
 *
 * @example
 * ```ts
 * const ops: Op[] = []
 * const { op } = createOperations(createRecordingSink('postgres', ops), { revision })
 * await upgrade(op) // ops now holds each call, in order
 * ```
 */
export function createRecordingSink(flavour: SqlFlavour, ops: Op[]): OpSink {
  return {
    flavour,
    db: null,
    async run(op) {
      ops.push(op)
    },
  }
}

/** One `;` at the end, on its own line if the statement ends in a line comment. */
function terminate(statement: string): string {
  const text = statement.trimEnd()
  if (text.endsWith(';')) return text
  const lastLine = text.slice(text.lastIndexOf('\n') + 1)
  return lastLine.includes('--') ? `${text}\n;` : `${text};`
}
