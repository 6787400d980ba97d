import {
  type BatchOp,
  type ColumnDef,
  type ColumnType,
  compilerKysely,
  type DefaultValue,
  type ExistingColumn,
  type IndexPart,
  inlineParameters,
  type Op,
  type QualifiedName,
  type SqlExpression,
  type SqlFlavour,
  sql,
  type TableDefinition,
} from '@migraph/operations'
import type { DiffStep } from './differences.js'
import { SchemaError } from './errors.js'

// Ops written back as the `op.…` calls a person would write, for a generated revision's
// upgrade() and downgrade(). Raw SQL the catalogs printed goes into sql`…` templates.

const INDENT = '  '

/** A JavaScript string literal. */
function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`
}

function strList(values: readonly string[]): string {
  return `[${values.map(str).join(', ')}]`
}

/** A sql`…` template holding `text` verbatim. */
function template(text: string): string {
  return `sql\`${text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``
}

function expression(value: SqlExpression, flavour: SqlFlavour): string {
  return template(inlineParameters(sql`${value}`.compile(compilerKysely(flavour)), flavour))
}

function tableRef(name: QualifiedName): string {
  return name.schema === undefined
    ? str(name.name)
    : `{ schema: ${str(name.schema)}, name: ${str(name.name)} }`
}

function type(value: ColumnType, flavour: SqlFlavour): string {
  return typeof value === 'string' ? str(value) : expression(value, flavour)
}

function defaultValue(value: DefaultValue, flavour: SqlFlavour): string {
  switch (typeof value) {
    case 'string':
      return str(value)
    case 'number':
    case 'boolean':
      return String(value)
    case 'bigint':
      return `${value}n`
    default:
      return value instanceof Date ? `new Date(${str(value.toISOString())})` : expression(value, flavour)
  }
}

/** `{ a: 1, b: 'x' }` from the defined entries only; empty string when none are. */
function options(entries: Readonly<Record<string, string | undefined>>): string {
  const parts = Object.entries(entries).flatMap(([k, v]) => (v === undefined ? [] : [`${k}: ${v}`]))
  return parts.length === 0 ? '' : `{ ${parts.join(', ')} }`
}

function columnCallback(column: ColumnDef, flavour: SqlFlavour): string {
  const chain: string[] = []
  if (column.primaryKey === true) chain.push('.primaryKey()')
  if (column.nullable === false && column.primaryKey !== true) chain.push('.notNull()')
  if (column.nullable === true && column.primaryKey === true) chain.push('.nullable()')
  if (column.default !== undefined) chain.push(`.defaultTo(${defaultValue(column.default, flavour)})`)
  if (column.autoIncrement === true) chain.push('.autoIncrement()')
  if (column.unique === true) chain.push('.unique()')
  if (column.comment !== undefined) chain.push(`.comment(${str(column.comment)})`)
  return chain.length === 0 ? '' : `, (c) => c${chain.join('')}`
}

function parts(list: readonly IndexPart[], flavour: SqlFlavour): string {
  return `[${list.map((p) => ('column' in p ? str(p.column) : expression(p.expression, flavour))).join(', ')}]`
}

/** The chain of a TableBuilder (`createTable`, `copyFrom`). */
function tableChain(definition: Omit<TableDefinition, 'table'>, flavour: SqlFlavour, indent: string): string {
  const lines: string[] = []
  for (const c of definition.columns) {
    lines.push(`.addColumn(${str(c.name)}, ${type(c.type, flavour)}${columnCallback(c, flavour)})`)
  }
  for (const c of definition.constraints) {
    const name = c.name === undefined ? undefined : str(c.name)
    switch (c.type) {
      case 'primaryKey':
      case 'unique': {
        const opts = options({ name })
        lines.push(`.${c.type}(${strList(c.columns)}${opts === '' ? '' : `, ${opts}`})`)
        break
      }
      case 'foreignKey': {
        const opts = options({
          name,
          onDelete: c.references.onDelete === undefined ? undefined : str(c.references.onDelete),
          onUpdate: c.references.onUpdate === undefined ? undefined : str(c.references.onUpdate),
        })
        lines.push(
          `.foreignKey(${strList(c.columns)}, ${tableRef(c.references.table)}, ${strList(c.references.columns)}${opts === '' ? '' : `, ${opts}`})`,
        )
        break
      }
      case 'check': {
        const opts = options({ name })
        lines.push(`.check(${expression(c.expression, flavour)}${opts === '' ? '' : `, ${opts}`})`)
        break
      }
    }
  }
  for (const index of definition.indexes ?? []) {
    const opts = options({
      unique: index.unique ? 'true' : undefined,
      where: index.where === undefined ? undefined : expression(index.where, flavour),
    })
    lines.push(`.index(${str(index.name)}, ${parts(index.parts, flavour)}${opts === '' ? '' : `, ${opts}`})`)
  }
  return lines.map((l) => `\n${indent}${l}`).join('')
}

function alterChanges(
  op: { changes: import('@migraph/operations').ColumnChanges; existing?: ExistingColumn | undefined },
  flavour: SqlFlavour,
): string {
  const c = op.changes
  const existing =
    op.existing === undefined || flavour !== 'mysql'
      ? undefined
      : options({
          type: type(op.existing.type, flavour),
          nullable: String(op.existing.nullable),
          default: op.existing.default === undefined ? undefined : defaultValue(op.existing.default, flavour),
          comment: op.existing.comment === undefined ? undefined : str(op.existing.comment),
          autoIncrement: op.existing.autoIncrement === true ? 'true' : undefined,
        })
  return options({
    type: c.type === undefined ? undefined : type(c.type, flavour),
    using: c.using === undefined ? undefined : expression(c.using, flavour),
    nullable: c.nullable === undefined ? undefined : String(c.nullable),
    default:
      c.default === undefined ? undefined : c.default === null ? 'null' : defaultValue(c.default, flavour),
    rename: c.rename === undefined ? undefined : str(c.rename),
    comment: c.comment === undefined ? undefined : c.comment === null ? 'null' : str(c.comment),
    existing: existing === '' ? undefined : existing,
  })
}

function batchCall(op: BatchOp, flavour: SqlFlavour): string {
  switch (op.kind) {
    case 'addColumn':
      return `.addColumn(${str(op.column.name)}, ${type(op.column.type, flavour)}${columnCallback(op.column, flavour)})`
    case 'dropColumn':
      return `.dropColumn(${str(op.column)})`
    case 'alterColumn':
      return `.alterColumn(${str(op.column)}, ${alterChanges(op, flavour)})`
    case 'createPrimaryKey':
      return `.createPrimaryKey(${str(op.name)}, ${strList(op.columns)})`
    case 'createUniqueConstraint':
      return `.createUniqueConstraint(${str(op.name)}, ${strList(op.columns)})`
    case 'createForeignKey': {
      const opts = referenceOptions(op.references)
      return `.createForeignKey(${str(op.name)}, ${strList(op.columns)}, ${tableRef(op.references.table)}, ${strList(op.references.columns)}${opts})`
    }
    case 'createCheckConstraint':
      return `.createCheckConstraint(${str(op.name)}, ${expression(op.expression, flavour)})`
    case 'dropConstraint':
      return `.dropConstraint(${str(op.name)})`
    case 'createIndex':
      return `.createIndex(${str(op.name)}, ${parts(op.parts, flavour)}${indexOptions(op, flavour)})`
    case 'dropIndex':
      return `.dropIndex(${str(op.name)})`
  }
}

function referenceOptions(r: { onDelete?: string | undefined; onUpdate?: string | undefined }): string {
  const opts = options({
    onDelete: r.onDelete === undefined ? undefined : str(r.onDelete),
    onUpdate: r.onUpdate === undefined ? undefined : str(r.onUpdate),
  })
  return opts === '' ? '' : `, ${opts}`
}

function indexOptions(
  op: { unique: boolean; where?: SqlExpression | undefined },
  flavour: SqlFlavour,
): string {
  const opts = options({
    unique: op.unique ? 'true' : undefined,
    where: op.where === undefined ? undefined : expression(op.where, flavour),
  })
  return opts === '' ? '' : `, ${opts}`
}

/** One op as an `await op.…(…)` statement. */
export function renderOp(op: Op, flavour: SqlFlavour): string {
  switch (op.kind) {
    case 'createTable':
      return `await op.createTable(${tableRef(op.table)}, (t) =>\n${INDENT}t${tableChain(op, flavour, INDENT.repeat(2))},\n)`
    case 'dropTable':
      return `await op.dropTable(${tableRef(op.table)})`
    case 'renameTable':
      return `await op.renameTable(${tableRef(op.table)}, ${str(op.newName)})`
    case 'addColumn':
      return `await op.addColumn(${tableRef(op.table)}, ${str(op.column.name)}, ${type(op.column.type, flavour)}${columnCallback(op.column, flavour)})`
    case 'dropColumn':
      return `await op.dropColumn(${tableRef(op.table)}, ${str(op.column)})`
    case 'alterColumn':
      return `await op.alterColumn(${tableRef(op.table)}, ${str(op.column)}, ${alterChanges(op, flavour)})`
    case 'createIndex':
      return `await op.createIndex(${str(op.name)}, ${tableRef(op.table)}, ${parts(op.parts, flavour)}${indexOptions(op, flavour)})`
    case 'dropIndex': {
      const opts = options({
        table: op.table === undefined ? undefined : tableRef(op.table),
        ifExists: op.ifExists ? 'true' : undefined,
      })
      return `await op.dropIndex(${str(op.name)}${opts === '' ? '' : `, ${opts}`})`
    }
    case 'createPrimaryKey':
    case 'createUniqueConstraint':
      return `await op.${op.kind}(${str(op.name)}, ${tableRef(op.table)}, ${strList(op.columns)})`
    case 'createForeignKey':
      return `await op.createForeignKey(${str(op.name)}, ${tableRef(op.table)}, ${strList(op.columns)}, ${tableRef(op.references.table)}, ${strList(op.references.columns)}${referenceOptions(op.references)})`
    case 'createCheckConstraint':
      return `await op.createCheckConstraint(${str(op.name)}, ${tableRef(op.table)}, ${expression(op.expression, flavour)})`
    case 'dropConstraint': {
      const opts = options({ type: op.type === undefined ? undefined : str(op.type) })
      return `await op.dropConstraint(${str(op.name)}, ${tableRef(op.table)}${opts === '' ? '' : `, ${opts}`})`
    }
    case 'createEnum':
      return `await op.createEnum(${tableRef(op.name)}, ${strList(op.values)})`
    case 'addEnumValue': {
      const opts = options({
        before: op.before === undefined ? undefined : str(op.before),
        after: op.after === undefined ? undefined : str(op.after),
      })
      return `await op.addEnumValue(${tableRef(op.name)}, ${str(op.value)}${opts === '' ? '' : `, ${opts}`})`
    }
    case 'dropEnum':
      return `await op.dropEnum(${tableRef(op.name)})`
    case 'createView':
      return `await op.createView(${tableRef(op.name)}, ${template(op.query)})`
    case 'dropView':
      return `await op.dropView(${tableRef(op.name)})`
    case 'execute':
      return `await op.execute(${template(inlineParameters(op.query, flavour))})`
    case 'batchAlterTable': {
      const chain = op.ops.map((o) => `\n${INDENT.repeat(3)}${batchCall(o, flavour)}`).join('')
      const copyFrom =
        op.copyFrom === undefined
          ? undefined
          : `(t) =>\n${INDENT.repeat(2)}t${tableChain(op.copyFrom, flavour, INDENT.repeat(3))}`
      const opts = options({ recreate: op.recreate === 'auto' ? undefined : str(op.recreate), copyFrom })
      return `await op.batchAlterTable(\n${INDENT}${tableRef(op.table)},\n${INDENT}(batch) =>\n${INDENT.repeat(2)}batch${chain},${opts === '' ? '' : `\n${INDENT}${opts},`}\n)`
    }
    case 'createSchema':
    case 'dropSchema':
    case 'bulkInsert':
      throw new SchemaError('unsupported_render', `${op.kind} is never generated from a schema difference`)
  }
}

/**
 * The body of a revision function: one statement per op, a review comment above each
 * destructive one. Returns `pass` for an empty list so the function still reads as intended.
 *
 * @example
 * ```ts
 * renderSteps(diff.upgrade, 'postgres') // => "await op.dropColumn('account', 'age')"
 * ```
 */
export function renderSteps(steps: readonly DiffStep[], flavour: SqlFlavour, indent = ''): string {
  if (steps.length === 0) return `${indent}// nothing to do`
  return steps
    .map((step) => {
      const body = renderOp(step.op, flavour)
      const lines =
        step.destructive === undefined ? [] : [`// destructive: ${step.destructive}; review before running`]
      lines.push(...body.split('\n'))
      return lines.map((l) => `${indent}${l}`).join('\n')
    })
    .join('\n')
}

/** True when rendered code uses the `sql` tag, so the file must import it. */
export function usesSql(code: string): boolean {
  return /\bsql`/.test(code)
}
