// The diff on literal models: what it reports, the order of its ops, renames only on request,
// destructive changes flagged. No database.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  type ColumnModel,
  diffSchemas,
  emptySchema,
  formatDifferences,
  normalizeSql,
  normalizeType,
  renderSteps,
  SchemaDialectMismatchError,
  type SchemaModel,
  type TableModel,
} from '@migraph/schema'

const col = (name: string, type = 'integer', extra: Partial<ColumnModel> = {}): ColumnModel => ({
  name,
  type,
  nullable: true,
  ...extra,
})

const table = (name: string, columns: ColumnModel[], extra: Partial<TableModel> = {}): TableModel => ({
  name,
  columns,
  primaryKey: { name: `${name}_pkey`, columns: [columns[0]?.name ?? 'id'] },
  uniques: [],
  foreignKeys: [],
  checks: [],
  indexes: [],
  ...extra,
})

const model = (tables: TableModel[], extra: Partial<SchemaModel> = {}): SchemaModel => ({
  ...emptySchema('postgres'),
  tables,
  ...extra,
})

const kinds = (steps: readonly { op: { kind: string } }[]) => steps.map((s) => s.op.kind)

describe('diffSchemas', () => {
  test('equal models give no differences and no ops', () => {
    const m = model([table('account', [col('id', 'integer', { nullable: false }), col('email', 'text')])])
    const diff = diffSchemas(m, m)
    assert.deepEqual(diff.differences, [])
    assert.deepEqual(diff.upgrade, [])
    assert.deepEqual(diff.downgrade, [])
  })

  test('a new table referencing another new table: both tables first, then the foreign key', () => {
    const parent = table('parent', [col('id')])
    const child = table('child', [col('id'), col('parent_id')], {
      foreignKeys: [
        {
          name: 'child_parent_id_fkey',
          columns: ['parent_id'],
          references: { table: 'parent', columns: ['id'] },
          onDelete: 'cascade',
          onUpdate: 'no action',
        },
      ],
    })
    const diff = diffSchemas(model([]), model([child, parent]))
    assert.deepEqual(kinds(diff.upgrade), ['createTable', 'createTable', 'createForeignKey'])
    // Down: the foreign key goes before either table.
    assert.deepEqual(kinds(diff.downgrade), ['dropConstraint', 'dropTable', 'dropTable'])
    assert.ok(diff.downgrade.slice(1).every((s) => s.destructive?.includes('drops table')))
  })

  test('a dropped column beside an added one of the same type is a rename candidate, never a rename', () => {
    const before = model([table('account', [col('id'), col('name', 'text')])])
    const after = model([table('account', [col('id'), col('full_name', 'text')])])
    const diff = diffSchemas(before, after)
    assert.deepEqual(kinds(diff.upgrade), ['addColumn', 'dropColumn'])
    assert.deepEqual(diff.renameCandidates, [
      { object: 'column', from: 'account.name', to: 'account.full_name' },
    ])
    assert.match(diff.upgrade[1]?.destructive ?? '', /drops column account.name/)
    assert.ok(
      formatDifferences(diff).some((l) => l.endsWith('pass --rename account.name:full_name to rename it')),
    )
  })

  test('renames turn the drop and add into a rename, both ways', () => {
    const before = model([table('account', [col('id'), col('name', 'text')])])
    const after = model([table('customer', [col('id'), col('full_name', 'text')])], {})
    const diff = diffSchemas(before, after, {
      renames: { tables: { account: 'customer' }, columns: { 'customer.name': 'full_name' } },
    })
    // The key named after the table (account_pkey) follows it: an ALTER … RENAME CONSTRAINT.
    assert.deepEqual(kinds(diff.upgrade), ['renameTable', 'execute', 'alterColumn'])
    assert.deepEqual(kinds(diff.downgrade), ['renameTable', 'execute', 'alterColumn'])
    assert.equal(diff.upgrade.filter((s) => s.destructive !== undefined).length, 0)
    const down = renderSteps(diff.downgrade, 'postgres')
    assert.match(down, /renameTable\('customer', 'account'\)/)
    assert.match(down, /alterColumn\('account', 'full_name', \{ rename: 'name' \}\)/)
  })

  test('a narrowing type change is flagged, a widening one is not', () => {
    const at = (type: string) => model([table('t', [col('id'), col('v', type)])])
    const widen = diffSchemas(at('character varying(20)'), at('character varying(40)'))
    assert.equal(widen.upgrade[0]?.destructive, undefined)
    assert.match(widen.downgrade[0]?.destructive ?? '', /may not hold every value/)
    assert.match(
      formatDifferences(widen)[0] ?? '',
      /^~ column t.v: type character varying\(20\) -> character varying\(40\)/,
    )
  })

  test('removing an enum value is reported as not generated, and as irreversible going back', () => {
    const e = (values: string[]) => model([], { enums: [{ name: 'mood', values }] })
    const removing = diffSchemas(e(['a', 'b']), e(['a']))
    assert.deepEqual(removing.upgrade, [])
    assert.match(formatDifferences(removing)[0] ?? '', /not generated/)
    const adding = diffSchemas(e(['a', 'c']), e(['a', 'b', 'c']))
    assert.deepEqual(kinds(adding.upgrade), ['addEnumValue'])
    assert.equal(adding.irreversible.length, 1)
  })

  test('models of two dialects are not compared', () => {
    assert.throws(
      () => diffSchemas(emptySchema('postgres'), emptySchema('sqlite')),
      SchemaDialectMismatchError,
    )
  })

  test('a generated revision body marks destructive steps for review', () => {
    const diff = diffSchemas(model([table('t', [col('id')])]), model([]))
    assert.equal(
      renderSteps(diff.upgrade, 'postgres'),
      "// destructive: drops table t and its rows; review before running\nawait op.dropTable('t')",
    )
  })
})

describe('normalisation', () => {
  test('SQL text compares equal whatever its spacing, case and redundant quotes', () => {
    assert.equal(normalizeSql('( "price"  >  0 )', 'sqlite'), 'price > 0')
    assert.equal(normalizeSql('PRICE>0', 'sqlite'), 'price > 0')
    assert.equal(normalizeSql("name = 'It''s'", 'postgres'), "name = 'It''s'")
    assert.equal(normalizeSql('"Mixed Case" is not null', 'postgres'), '"Mixed Case" is not null')
  })

  test('MySQL display widths are not part of a type', () => {
    assert.equal(normalizeType('INT(11) UNSIGNED', 'mysql'), 'int unsigned')
    assert.equal(normalizeType('tinyint(1)', 'mysql'), 'tinyint(1)')
    assert.equal(normalizeType('VARCHAR(20)', 'sqlite'), 'varchar(20)')
  })
})
