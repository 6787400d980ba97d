/**
 * create books table
 *
 * Revision ID: 2a7c9e1b3d40
 * Revises: 1f0d2c3b4a59
 * Create Date: 2026-11-22 05:31:00.000000
 */
import type { Operations } from 'migraph'

export const revision = '2a7c9e1b3d40'
export const downRevision: string | readonly string[] | null = '1f0d2c3b4a59'
export const branchLabels: readonly string[] | null = null
export const dependsOn: readonly string[] | null = null

export async function upgrade(op: Operations): Promise<void> {
  await op.createTable('books', (t) =>
    t
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('author_id', 'integer', (c) =>
        c.notNull().references('authors', 'id', { onDelete: 'cascade' }),
      )
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('price_cents', 'integer', (c) => c.notNull().defaultTo(0)),
  )
  await op.createIndex('books_author_id_idx', 'books', ['author_id'])
}

export async function downgrade(op: Operations): Promise<void> {
  await op.dropIndex('books_author_id_idx', { table: 'books' })
  await op.dropTable('books')
}
