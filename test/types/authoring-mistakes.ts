// Authoring mistakes in a revision are TypeScript errors. `npm run typecheck` compiles this file:
// each `@ts-expect-error` fails the build if the line below it ever stops being an error.
import type { Operations } from 'migraph'

export async function upgrade(op: Operations): Promise<void> {
  // A correct revision, for contrast.
  await op.createTable('account', (t) =>
    t.addColumn('id', 'serial', (c) => c.primaryKey()).addColumn('email', 'varchar(200)', (c) => c.notNull()),
  )
  await op.alterColumn('account', 'email', { type: 'text', nullable: true })

  // @ts-expect-error an unknown column type name
  await op.addColumn('account', 'age', 'integr')

  // @ts-expect-error a misspelled alterColumn option
  await op.alterColumn('account', 'email', { nulable: true })

  // @ts-expect-error the column callback must return the builder
  await op.addColumn('account', 'name', 'text', (c) => {
    c.notNull()
  })

  // @ts-expect-error createIndex needs the table and columns
  await op.createIndex('account_email_idx')

  // @ts-expect-error a row of bulkInsert is an object, not a list
  await op.bulkInsert('account', [['a@example.com']])
}
