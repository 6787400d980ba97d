import { commentLines, sqlCommentLines, tsLiteral } from '../script/templates.js'
import type { AlembicRevision } from './alembic-versions.js'

/** The header of a revision `mig import` writes. */
export interface ImportedHeader {
  readonly revision: string
  readonly revises: string | readonly string[] | null
  readonly message: string
  readonly createDate: string
  /** Where it came from: `Imported from knex: 20240101120000_users.js`. */
  readonly note: string
}

const revisesLine = (revises: ImportedHeader['revises']) =>
  revises === null ? '' : typeof revises === 'string' ? revises : revises.join(', ')

/** A `.sql` revision: migraph's header above the file's text as written. */
export function sqlRevisionText(h: ImportedHeader, source: string): string {
  return `${sqlCommentLines(h.message)}
--
-- Revision ID: ${h.revision}
-- Revises: ${revisesLine(h.revises)}
-- Create Date: ${h.createDate}
-- ${h.note}

${source}`
}

function docComment(h: ImportedHeader): string {
  return `/**
${commentLines(h.message)}
 *
 * Revision ID: ${h.revision}
 * Revises: ${revisesLine(h.revises)}
 * Create Date: ${h.createDate}
 *
${commentLines(h.note)}
 */`
}

function headerExports(
  h: ImportedHeader,
  labels: readonly string[] | null = null,
  dependsOn: readonly string[] | null = null,
): string {
  return `export const revision = ${tsLiteral(h.revision)}
export const downRevision: string | readonly string[] | null = ${tsLiteral(h.revises)}
export const branchLabels: readonly string[] | null = ${tsLiteral(labels)}
export const dependsOn: readonly string[] | null = ${tsLiteral(dependsOn)}`
}

/** A module that keeps the Kysely migration as written and calls its `up`/`down` with `op.db`. */
export function kyselyRevisionText(h: ImportedHeader, file: string, source: string): string {
  const hasDown = /\bexport\s+(?:async\s+)?(?:function\s+down\b|(?:const|let|var)\s+down\b)/.test(source)
  const downgrade = hasDown
    ? 'await down(op.db)'
    : `throw new Error(${tsLiteral(`${file} exports no down(db): it cannot be undone`)})`
  return `${docComment(h)}
${source.trimEnd()}

${headerExports(h)}

export async function upgrade(op: import('migraph').Operations): Promise<void> {
  await up(op.db)
}

export async function downgrade(op: import('migraph').Operations): Promise<void> {
  ${downgrade}
}
`
}

/** How a module revision runs a Knex or node-pg-migrate migration it imports. */
const RUNNERS = {
  knex: {
    imports: "import knex from 'knex'\nimport { type Operations, runKnexMigration } from 'migraph'",
    call: 'runKnexMigration(op, knex, migration',
    // `config = { transaction: false }`, Knex's way to run a migration outside a transaction.
    outside: /\bconfig\s*=\s*\{[^}]*\btransaction\s*:\s*false\b/,
  },
  pgm: {
    imports:
      "import { MigrationBuilder } from 'node-pg-migrate'\nimport { type Operations, runPgMigration } from 'migraph'",
    call: 'runPgMigration(op, MigrationBuilder, migration',
    outside: /\bpgm\.noTransaction\(\)/,
  },
} as const

/**
 * A module that imports the Knex or node-pg-migrate migration where it is (`specifier`, relative
 * to the revision), and calls its `up`/`down` through migraph's connection and transaction. A
 * migration that opts out of transactions (Knex's `config`, `pgm.noTransaction()`) is kept out.
 */
export function moduleRevisionText(
  kind: keyof typeof RUNNERS,
  h: ImportedHeader,
  specifier: string,
  file: string,
  source: string,
): string {
  const runner = RUNNERS[kind]
  const call = (direction: 'up' | 'down') => `await ${runner.call}, '${direction}', ${tsLiteral(file)})`
  return `${docComment(h)}
${runner.imports}
import * as migration from ${tsLiteral(specifier)}

${headerExports(h)}${runner.outside.test(source) ? '\nexport const transactional = false' : ''}

export async function upgrade(op: Operations): Promise<void> {
  ${call('up')}
}

export async function downgrade(op: Operations): Promise<void> {
  ${call('down')}
}
`
}

/**
 * A module with an Alembic revision's ids and labels. A body that only runs literal SQL
 * (`op.execute("...")`) is kept as `op.execute` calls; any other throws until ported, its Python
 * shown above the throw.
 */
export function alembicRevisionText(h: ImportedHeader, alembic: AlembicRevision): string {
  const body = (name: 'upgrade' | 'downgrade', sql: readonly string[] | null, python: string) => {
    if (sql !== null) {
      const calls = sql.map((text) => `await op.execute(${tsLiteral(text)})`)
      return `export async function ${name}(op: Operations): Promise<void> {
  ${calls.length > 0 ? calls.join('\n  ') : '// nothing: the Alembic revision did nothing here'}
}`
    }
    const original = python
      .split('\n')
      .map((line) => `  //${line === '' ? '' : ` ${line}`}`)
      .join('\n')
    const message = `ported from Alembic: write this revision's ops (${h.revision} ${name}() in ${alembic.file})`
    return `export async function ${name}(_op: Operations): Promise<void> {
  // Alembic's ${name}(), to be written with op:
${original}
  throw new Error(${tsLiteral(message)})
}`
  }
  return `${docComment(h)}
import type { Operations } from 'migraph'

${headerExports(h, alembic.branchLabels, alembic.dependsOn)}

${body('upgrade', alembic.upgradeSql, alembic.upgradeBody)}

${body('downgrade', alembic.downgradeSql, alembic.downgradeBody)}
`
}
