// The op calls whose exact SQL the shape tests pin down, one per op and notable option.
import type { Operations } from '@migraph/operations'
import { sql } from '@migraph/operations'

/** A small table the cases that restate tables (SQLite rebuilds, MySQL MODIFY) build on. */
async function base(op: Operations): Promise<void> {
  await op.createTable('t', (t) =>
    t
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('a', 'varchar(20)')
      .addColumn('b', 'integer'),
  )
}

export const CASES: Record<string, (op: Operations) => Promise<void>> = {
  'createTable with every column option': (op) =>
    op.createTable('account', (t) =>
      t
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('email', 'varchar(320)', (c) => c.notNull().unique())
        .addColumn('team_id', 'bigint', (c) =>
          c.references('team', 'id', { onDelete: 'cascade', onUpdate: 'restrict' }),
        )
        .addColumn('score', 'numeric(10, 2)', (c) => c.defaultTo(0).check(sql`score >= 0`))
        .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('uid', 'uuid'),
    ),
  'createTable with table constraints, ifNotExists and an index': (op) =>
    op.createTable(
      'member',
      (t) =>
        t
          .addColumn('team_id', 'integer', (c) => c.notNull())
          .addColumn('user_id', 'integer', (c) => c.notNull())
          .addColumn('role', 'text')
          .primaryKey(['team_id', 'user_id'], { name: 'member_pkey' })
          .unique(['user_id', 'role'])
          .foreignKey(['team_id'], 'team', ['id'], { name: 'member_team_fk', onDelete: 'set null' })
          .check(sql`role <> ''`, { name: 'member_role_check' })
          .index('member_role_idx', ['role']),
      { ifNotExists: true },
    ),
  'createTable with a column comment': (op) =>
    op.createTable('note', (t) => t.addColumn('body', 'text', (c) => c.comment("it's \\ here"))),
  'createTable in a schema': (op) =>
    op.createTable({ schema: 'billing', name: 'invoice' }, (t) =>
      t.addColumn('id', 'bigserial', (c) => c.primaryKey()),
    ),
  dropTable: (op) => op.dropTable('account'),
  'dropTable if exists': (op) => op.dropTable('account', { ifExists: true }),
  'dropTable cascade': (op) => op.dropTable('account', { cascade: true }),
  renameTable: (op) => op.renameTable('account', 'user_account'),
  addColumn: (op) => op.addColumn('account', 'nickname', 'varchar(40)', (c) => c.defaultTo('n/a')),
  'addColumn with a reference': (op) =>
    op.addColumn('account', 'org_id', 'integer', (c) => c.references('org', 'id', { onDelete: 'set null' })),
  dropColumn: (op) => op.dropColumn('account', 'nickname'),
  'alterColumn type with using': (op) =>
    op.alterColumn('account', 'score', { type: 'integer', using: sql`score::integer` }),
  'alterColumn type, nullable and default on a known table': async (op) => {
    await base(op)
    await op.alterColumn('t', 'a', { type: 'text', nullable: false, default: 'x' })
  },
  'alterColumn set default': (op) => op.alterColumn('account', 'score', { default: 1 }),
  'alterColumn drop default': (op) => op.alterColumn('account', 'score', { default: null }),
  'alterColumn rename': (op) => op.alterColumn('account', 'email', { rename: 'login' }),
  'alterColumn comment with existing definition': (op) =>
    op.alterColumn('account', 'email', {
      comment: 'login',
      existing: { type: 'varchar(320)', nullable: false },
    }),
  'alterColumn nullable on an unknown table': (op) => op.alterColumn('account', 'email', { nullable: true }),
  createIndex: (op) => op.createIndex('account_email_idx', 'account', ['email', 'team_id']),
  'createIndex unique partial with expression': (op) =>
    op.createIndex('account_lower_email_key', 'account', [sql`lower(email)`], {
      unique: true,
      where: sql`active`,
    }),
  'createIndex concurrently if not exists': (op) =>
    op.createIndex('account_team_idx', 'account', 'team_id', { concurrently: true, ifNotExists: true }),
  dropIndex: (op) => op.dropIndex('account_email_idx', { table: 'account' }),
  'dropIndex concurrently if exists in a schema': (op) =>
    op.dropIndex('invoice_idx', { schema: 'billing', concurrently: true, ifExists: true }),
  createPrimaryKey: async (op) => {
    await base(op)
    await op.createPrimaryKey('t_pkey', 't', ['id', 'a'])
  },
  createUniqueConstraint: async (op) => {
    await base(op)
    await op.createUniqueConstraint('t_a_key', 't', ['a'])
  },
  createForeignKey: async (op) => {
    await base(op)
    await op.createForeignKey('t_b_fk', 't', ['b'], 'other', ['id'], { onDelete: 'cascade' })
  },
  createCheckConstraint: async (op) => {
    await base(op)
    await op.createCheckConstraint('t_b_check', 't', sql`b > ${0}`)
  },
  'dropConstraint of a known kind': async (op) => {
    await op.createTable('t', (t) => t.addColumn('a', 'integer').unique(['a'], { name: 't_a_key' }))
    await op.dropConstraint('t_a_key', 't')
  },
  'dropConstraint with type': (op) => op.dropConstraint('t_b_fk', 't', { type: 'foreignKey' }),
  createSchema: (op) => op.createSchema('billing', { ifNotExists: true }),
  dropSchema: (op) => op.dropSchema('billing', { cascade: true }),
  createEnum: (op) => op.createEnum('mood', ['happy', "it's"]),
  addEnumValue: (op) => op.addEnumValue('mood', 'sad', { before: 'happy', ifNotExists: true }),
  dropEnum: (op) => op.dropEnum('mood', { ifExists: true }),
  createView: (op) =>
    op.createView(
      'active_account',
      op.builder.selectFrom('account').select(['id', 'email']).where('active', '=', true),
      {
        columns: ['id', 'email'],
      },
    ),
  'createView or replace': (op) => op.createView('v', 'select 1 as one', { orReplace: true }),
  dropView: (op) => op.dropView('active_account', { ifExists: true }),
  'execute text': (op) => op.execute('update account set active = true'),
  'execute a query': (op) =>
    op.execute(op.builder.updateTable('account').set({ email: "o'hara\\x" }).where('id', '=', 7)),
  bulkInsert: (op) =>
    op.bulkInsert('account', [
      { id: 1, email: "a'b", active: true },
      { id: 2, email: 'c\\d', active: false },
      { id: 3, email: null },
    ]),
  batchAlterTable: async (op) => {
    await base(op)
    await op.batchAlterTable('t', (batch) =>
      batch
        .alterColumn('a', { nullable: false })
        .dropColumn('b')
        .addColumn('c', 'text', (c) => c.defaultTo('z'))
        .createIndex('t_c_idx', 'c'),
    )
  },
  'batchAlterTable with copyFrom': (op) =>
    op.batchAlterTable('legacy', (batch) => batch.alterColumn('n', { type: 'bigint' }), {
      copyFrom: (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('n', 'integer'),
    }),
}
