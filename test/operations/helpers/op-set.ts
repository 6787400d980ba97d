// One revision's worth of ops that uses every op the dialect supports, with hostile names and
// literals, and the ops that undo it.
import type { Operations, SqlFlavour } from '@migraph/operations'
import { sql } from '@migraph/operations'

export const WEIRD_TABLE = 'we"ird; drop'
export const EMOJI_COLUMN = '🎉 col`umn'
/** MySQL/MariaDB store identifiers as 3-byte UTF-8: no emoji, but the rest of Unicode's first plane. */
export const BMP_COLUMN = 'ünï☃ col`umn'

export function unicodeColumn(flavour: SqlFlavour): string {
  return flavour === 'mysql' ? BMP_COLUMN : EMOJI_COLUMN
}
export const WEIRD_DEFAULT = "it's \\ fine"

export interface OpSetNames {
  /** A schema (PostgreSQL) or database (MySQL) the op set creates and drops. */
  readonly extraSchema: string
}

export async function forward(op: Operations, flavour: SqlFlavour, names: OpSetNames): Promise<void> {
  const pg = flavour === 'postgres'
  const mysql = flavour === 'mysql'
  const EMOJI_COLUMN = unicodeColumn(flavour)
  if (pg) {
    await op.createSchema(names.extraSchema)
    await op.createEnum('mood', ['happy', 'sad'])
    await op.addEnumValue('mood', "it's ok", { after: 'happy' })
  }
  if (mysql) await op.createSchema(names.extraSchema)
  await op.createTable('parent', (t) =>
    t
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('name', 'varchar(50)', (c) => {
        const base = c.notNull().unique()
        return flavour === 'sqlite' ? base : base.comment("the parent's \\ name")
      })
      .addColumn(EMOJI_COLUMN, 'text', (c) => c.defaultTo(WEIRD_DEFAULT))
      .addColumn('rank', 'integer', (c) => c.defaultTo(sql`1 + 1`)),
  )
  await op.createTable(WEIRD_TABLE, (t) =>
    t
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('parent_id', 'integer', (c) => c.references('parent', 'id', { onDelete: 'cascade' }))
      .addColumn('amount', 'integer')
      .addColumn('label', 'varchar(40)', (c) => c.defaultTo(WEIRD_DEFAULT))
      .check(sql`${sql.ref('id')} > 0`, { name: 'weird_id_positive' }),
  )
  await op.bulkInsert('parent', [
    { id: 1, name: "O'Brien \\ ; -- x", [EMOJI_COLUMN]: '✓ ünïcødé 🎉' },
    { id: 2, name: 'plain', [EMOJI_COLUMN]: null },
  ])
  await op.bulkInsert(WEIRD_TABLE, [
    { id: 1, parent_id: 1, amount: 5, label: 'a' },
    { id: 2, parent_id: 2, amount: null, label: "semi; colon 'quote'" },
  ])
  await op.execute(
    sql`update ${sql.id(WEIRD_TABLE)} set ${sql.ref('amount')} = ${0} where ${sql.ref('amount')} is null`,
  )
  await op.addColumn(WEIRD_TABLE, 'note', 'text', (c) => c.nullable())
  await op.addColumn(WEIRD_TABLE, EMOJI_COLUMN, 'varchar(10)', (c) =>
    c.notNull().defaultTo(WEIRD_DEFAULT.slice(0, 10)),
  )
  await op.alterColumn(WEIRD_TABLE, 'amount', {
    type: 'bigint',
    nullable: false,
    ...(pg ? { using: sql`amount::bigint` } : {}),
  })
  await op.alterColumn(WEIRD_TABLE, 'amount', { default: 7 })
  await op.alterColumn(WEIRD_TABLE, 'note', { rename: 'remark' })
  if (!mysql) await op.alterColumn(WEIRD_TABLE, 'label', { default: null })
  if (flavour !== 'sqlite') await op.alterColumn(WEIRD_TABLE, 'remark', { comment: 'a "quoted" comment' })
  await op.createIndex('weird_amount_idx', WEIRD_TABLE, ['amount', 'parent_id'])
  await op.createIndex('weird_label_key', WEIRD_TABLE, 'label', {
    unique: true,
    ...(mysql ? {} : { where: sql`label <> 'x'` }),
  })
  if (!mysql) await op.createIndex('weird_lower_idx', WEIRD_TABLE, [sql`lower(${sql.ref('remark')})`])
  await op.createTable('kv', (t) =>
    t
      .addColumn('k', 'varchar(20)', (c) => c.notNull())
      .addColumn('v', 'text')
      .addColumn('parent_id', 'integer'),
  )
  await op.bulkInsert('kv', [{ k: 'a', v: 'x', parent_id: 1 }])
  await op.createPrimaryKey('kv_pkey', 'kv', ['k'])
  await op.createUniqueConstraint('kv_v_key', 'kv', ['v', 'parent_id'])
  await op.createForeignKey('kv_parent_fk', 'kv', ['parent_id'], 'parent', ['id'], { onDelete: 'set null' })
  await op.createCheckConstraint('kv_k_check', 'kv', sql`${sql.ref('k')} <> ${"it's"}`)
  await op.dropConstraint('kv_v_key', 'kv', { type: 'unique' })
  if (!mysql) await op.dropIndex('weird_lower_idx', { ifExists: true })
  await op.dropColumn(WEIRD_TABLE, 'remark')
  await op.batchAlterTable('kv', (batch) =>
    batch.alterColumn('v', { nullable: false }).addColumn('extra', 'integer', (c) => c.defaultTo(3)),
  )
  await op.renameTable('kv', 'kv2')
  await op.dropIndex('weird_amount_idx', { table: WEIRD_TABLE })
  await op.createView(
    'parent_names',
    sql`select ${sql.ref('id')}, ${sql.ref('name')} from ${sql.id('parent')} where ${sql.ref('name')} <> ${"it's"}`,
  )
  if (pg) {
    await op.createTable({ schema: names.extraSchema, name: 'inner' }, (t) =>
      t.addColumn('id', 'bigserial', (c) => c.primaryKey()).addColumn('mood', sql`mood`),
    )
  }
  if (mysql) {
    await op.createTable({ schema: names.extraSchema, name: 'inner' }, (t) =>
      t.addColumn('id', 'bigserial', (c) => c.primaryKey()),
    )
  }
}

export async function reverse(op: Operations, flavour: SqlFlavour, names: OpSetNames): Promise<void> {
  if (flavour === 'postgres') {
    await op.dropTable({ schema: names.extraSchema, name: 'inner' })
    await op.dropSchema(names.extraSchema)
  }
  if (flavour === 'mysql') await op.dropSchema(names.extraSchema, { cascade: true })
  await op.dropView('parent_names')
  await op.dropTable('kv2')
  await op.dropTable(WEIRD_TABLE)
  await op.dropTable('parent', { ifExists: true })
  if (flavour === 'postgres') await op.dropEnum('mood')
}
