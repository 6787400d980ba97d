import type { BatchOp, Op, QualifiedName } from './ops.js'
import {
  applyBatchOp,
  normalizeTable,
  renameTableState,
  sameTable,
  type TableState,
  tableKey,
} from './table-model.js'

/**
 * What the compiler may ask about tables as they are now. Online it reads the live database;
 * offline it only knows tables this run created (or that an op described), and says so.
 */
export interface Catalog {
  /** True when answers come from the live database. */
  readonly online: boolean
  /** The table's current definition, or undefined when it is not known. */
  describeTable(table: QualifiedName): Promise<TableState | undefined>
}

// Raw SQL may change any table in ways we cannot follow, so offline knowledge ends there.
const SCHEMA_CHANGING_SQL = /^\s*(alter|drop|create|rename)\b/i

/**
 * Follows the tables created during one offline run, so SQLite batch mode and MySQL MODIFY can
 * restate them without a connection.
 */
export class OfflineCatalog implements Catalog {
  readonly online = false
  #tables = new Map<string, TableState>()

  async describeTable(table: QualifiedName): Promise<TableState | undefined> {
    return this.#tables.get(tableKey(table))
  }

  /** Records the effect of an op that ran (was written out) successfully. */
  apply(op: Op): void {
    switch (op.kind) {
      case 'createTable':
        this.#tables.set(tableKey(op.table), normalizeTable(op))
        return
      case 'dropTable':
        this.#tables.delete(tableKey(op.table))
        return
      case 'renameTable': {
        const state = this.#tables.get(tableKey(op.table))
        this.#tables.delete(tableKey(op.table))
        if (state !== undefined) {
          const renamed = renameTableState(state, op.newName)
          this.#tables.set(tableKey(renamed.table), renamed)
        }
        this.#retarget(op.table, { ...op.table, name: op.newName })
        return
      }
      case 'addColumn':
      case 'dropColumn':
      case 'alterColumn':
      case 'createPrimaryKey':
      case 'createUniqueConstraint':
      case 'createForeignKey':
      case 'createCheckConstraint':
      case 'dropConstraint':
      case 'createIndex': {
        const { table, ...batchOp } = op
        this.#update(table, [batchOp as BatchOp])
        return
      }
      case 'dropIndex':
        for (const [key, state] of this.#tables) {
          if (state.indexes.some((i) => i.name === op.name)) {
            this.#tables.set(key, { ...state, indexes: state.indexes.filter((i) => i.name !== op.name) })
          }
        }
        return
      case 'batchAlterTable':
        this.#update(op.table, op.ops, op.copyFrom === undefined ? undefined : normalizeTable(op.copyFrom))
        return
      case 'execute':
        if (SCHEMA_CHANGING_SQL.test(op.query.sql)) this.#tables.clear()
        return
      case 'dropSchema':
        for (const [key, state] of this.#tables) {
          if (state.table.schema === op.name) this.#tables.delete(key)
        }
        return
      case 'createSchema':
      case 'createEnum':
      case 'addEnumValue':
      case 'dropEnum':
      case 'createView':
      case 'dropView':
      case 'bulkInsert':
        return
    }
  }

  #update(table: QualifiedName, ops: readonly BatchOp[], start?: TableState): void {
    const key = tableKey(table)
    let state = this.#tables.get(key) ?? start
    if (state === undefined) return
    try {
      for (const op of ops) state = applyBatchOp(state, op)
      this.#tables.set(key, state)
    } catch {
      // The op names something we did not see created; stop claiming to know this table.
      this.#tables.delete(key)
    }
  }

  #retarget(from: QualifiedName, to: QualifiedName): void {
    for (const [key, state] of this.#tables) {
      const constraints = state.constraints.map((c) =>
        c.type === 'foreignKey' && sameTable(c.references.table, from)
          ? { ...c, references: { ...c.references, table: to } }
          : c,
      )
      this.#tables.set(key, { ...state, constraints })
    }
  }
}
