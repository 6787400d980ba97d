/**
 * create authors table
 *
 * Revision ID: 1f0d2c3b4a59
 * Revises:
 * Create Date: 2026-11-22 05:30:00.000000
 */
import type { Operations } from 'migraph'

export const revision = '1f0d2c3b4a59'
export const downRevision: string | readonly string[] | null = null
export const branchLabels: readonly string[] | null = null
export const dependsOn: readonly string[] | null = null

export async function upgrade(op: Operations): Promise<void> {
  await op.createTable('authors', (t) =>
    t
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('name', 'varchar(200)', (c) => c.notNull())
      .addColumn('born', 'varchar(10)'),
  )
  await op.bulkInsert('authors', [
    { name: 'Ursula K. Le Guin', born: '1929-10-21' },
    { name: 'Italo Calvino', born: '1923-10-15' },
  ])
}

export async function downgrade(op: Operations): Promise<void> {
  await op.dropTable('authors')
}
