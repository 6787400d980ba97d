/**
 * authors born as date
 *
 * Revision ID: 3c5e8a0f6b21
 * Revises: 2a7c9e1b3d40
 * Create Date: 2026-11-22 05:32:00.000000
 */
import type { Operations } from 'migraph'

export const revision = '3c5e8a0f6b21'
export const downRevision: string | readonly string[] | null = '2a7c9e1b3d40'
export const branchLabels: readonly string[] | null = null
export const dependsOn: readonly string[] | null = null

// The column held ISO dates as text; PostgreSQL converts them in place with USING.
export async function upgrade(op: Operations): Promise<void> {
  await op.alterColumn('authors', 'born', { type: 'date', using: 'born::date' })
  await op.alterColumn('authors', 'born', { rename: 'birth_date' })
}

export async function downgrade(op: Operations): Promise<void> {
  await op.alterColumn('authors', 'birth_date', { rename: 'born' })
  await op.alterColumn('authors', 'born', { type: 'varchar(10)', using: 'born::text' })
}
