import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { Project } from '../context.js'
import { CommandError } from '../errors.js'
import { type ForeignMigration, IMPORT_TOOLS, type ImportTool } from '../import/import-tools.js'
import { formatCreateDate, renderFileName, slugify } from '../script/revision-file-name.js'
import { sqlCommentLines } from '../script/templates.js'

export interface ImportArgs {
  /** `kysely`, `pycopg`, `migretti`, `node-pg-migrate` or `septentrion`. */
  readonly tool: string
  /** The other tool's migrations folder. */
  readonly folder: string
  /** Read the tool's tracking table and stamp what it records as applied. */
  readonly stamp?: boolean | undefined
  /** The tracking table, when not the tool's default. */
  readonly table?: string | undefined
}

/** One imported migration: the revision written for it. */
export interface ImportedRevision {
  readonly revision: string
  readonly path: string
  /** The original file, relative to the folder imported. */
  readonly source: string
  /** Whether the tool's tracking table records it as applied (with `--stamp`). */
  readonly applied: boolean
}

export interface ImportResult {
  readonly tool: string
  readonly revisions: readonly ImportedRevision[]
  /** The revision `mig stamp` brings a database the tool migrated in line with: with `--stamp`, done. */
  readonly stampTarget: string | null
  readonly stamped: boolean
}

/**
 * `mig import <tool> <folder>`: another tool's migrations as a linear chain of revisions, in that
 * tool's order, each file's content kept (`.sql` revisions; for Kysely, modules that call the
 * original `up(db)`/`down(db)` with `op.db`). With `stamp`, the tool's tracking table says which
 * are applied, and exactly those are stamped; a table that disagrees with the folder is an error
 * naming the files, and then nothing is written.
 */
export async function importProject(project: Project, args: ImportArgs): Promise<ImportResult> {
  const tool = IMPORT_TOOLS.get(args.tool)
  if (tool === undefined) {
    throw new CommandError(
      `unknown tool '${args.tool}' for mig import; known tools: ${[...IMPORT_TOOLS.keys()].join(', ')}`,
    )
  }
  const folder = isAbsolute(args.folder) ? args.folder : resolve(project.environment.cwd, args.folder)
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new CommandError(`mig import ${tool.name}: folder not found: ${folder}`)
  }
  const migrations = tool.list(folder)
  if (migrations.length === 0) {
    throw new CommandError(`mig import ${tool.name}: ${folder} holds no ${tool.name} migrations`)
  }
  const tracking = args.table === undefined ? tool.tracking : { ...tool.tracking, table: args.table }
  const appliedCount =
    args.stamp === true ? await appliedPrefix(project, tool, folder, migrations, tracking) : 0

  // A project whose versions folder is not there yet starts from base: import creates it.
  const fresh = !project.config.versionLocations.some((location) => existsSync(location))
  const scripts = fresh ? undefined : await project.scripts()
  const heads = scripts?.map.heads ?? []
  if (heads.length > 1) {
    throw new CommandError(
      `the project has several heads (${heads.join(', ')}); merge them before importing, so the imported chain has one place to follow`,
    )
  }
  const location = project.config.versionLocations[0] as string
  const now = project.environment.now()
  let previous: string | null = heads[0] ?? null
  const written: { revision: string; path: string; text: string; migration: ForeignMigration }[] = []
  const taken = new Set<string>()
  for (const migration of migrations) {
    let revision = project.environment.generateRevisionId()
    while (scripts?.map.has(revision) === true || taken.has(revision))
      revision = project.environment.generateRevisionId()
    taken.add(revision)
    const name = `${renderFileName(project.config.fileTemplate, {
      rev: revision,
      slug: slugify(migration.name, project.config.truncateSlugLength),
      date: now,
    })}.${tool.format}`
    const path = join(location, name)
    if (existsSync(path)) throw new CommandError(`${path} already exists`)
    const header = { revision, revises: previous, message: migration.name, createDate: formatCreateDate(now) }
    const note = `Imported from ${tool.name}: ${migration.file}`
    const text =
      tool.format === 'sql'
        ? sqlRevisionText(header, note, migration)
        : kyselyRevisionText(header, note, migration)
    written.push({ revision, path, text, migration })
    previous = revision
  }
  mkdirSync(location, { recursive: true })
  for (const file of written) writeFileSync(file.path, file.text, { flag: 'wx' })

  const stampTarget = appliedCount === 0 ? null : (written[appliedCount - 1]?.revision ?? null)
  let stamped = false
  if (args.stamp === true && stampTarget !== null) {
    // A project that reads the folder anew, with the revisions just written.
    const reread = new Project(project.config, project.environment, project.options)
    const { stamp } = await import('./migrate.js')
    await stamp(reread, { revisions: [stampTarget] })
    stamped = true
  }
  return {
    tool: tool.name,
    revisions: written.map((file, at) => ({
      revision: file.revision,
      path: file.path,
      source: file.migration.file,
      applied: at < appliedCount,
    })),
    stampTarget: args.stamp === true ? stampTarget : (written.at(-1)?.revision ?? null),
    stamped,
  }
}

interface Header {
  readonly revision: string
  readonly revises: string | null
  readonly message: string
  readonly createDate: string
}

function sqlRevisionText(h: Header, note: string, migration: ForeignMigration): string {
  return `${sqlCommentLines(h.message)}
--
-- Revision ID: ${h.revision}
-- Revises: ${h.revises ?? ''}
-- Create Date: ${h.createDate}
-- ${note}

${migration.source}`
}

/** A module that keeps the Kysely migration as written and calls its `up`/`down` with `op.db`. */
function kyselyRevisionText(h: Header, note: string, migration: ForeignMigration): string {
  const hasDown = /\bexport\s+(?:async\s+)?(?:function\s+down\b|(?:const|let|var)\s+down\b)/.test(
    migration.source,
  )
  const downgrade = hasDown
    ? 'await down(op.db)'
    : `throw new Error('${migration.file} exports no down(db): it cannot be undone')`
  const comment = (text: string) => text.replaceAll('*/', '*\\/')
  return `/**
 * ${comment(h.message)}
 *
 * Revision ID: ${h.revision}
 * Revises: ${h.revises ?? ''}
 * Create Date: ${h.createDate}
 *
 * ${comment(note)}
 */
${migration.source.trimEnd()}

export const revision = '${h.revision}'
export const downRevision: string | readonly string[] | null = ${h.revises === null ? 'null' : `'${h.revises}'`}
export const branchLabels: readonly string[] | null = null
export const dependsOn: readonly string[] | null = null

export async function upgrade(op: import('migraph').Operations): Promise<void> {
  await up(op.db)
}

export async function downgrade(op: import('migraph').Operations): Promise<void> {
  ${downgrade}
}
`
}

/**
 * How many of the folder's migrations the tool's tracking table records, which must be the first
 * ones, in order: a recorded migration the folder lacks, or a gap, is an error naming the files.
 */
async function appliedPrefix(
  project: Project,
  tool: ImportTool,
  folder: string,
  migrations: readonly ForeignMigration[],
  tracking: { readonly table: string; readonly column: string },
): Promise<number> {
  const { withSession } = await import('../runtime/session.js')
  const { whichTablesExist } = await import('../runtime/version-table.js')
  const recorded = await withSession(project, { lock: false }, async (session) => {
    const db = session.connection.db
    const [exists] = await whichTablesExist(db, [{ table: tracking.table, schema: undefined }])
    if (exists !== true) {
      throw new CommandError(
        `mig import ${tool.name} --stamp: the database has no table ${tracking.table}, where ${tool.name} records what it applied (give --table if it has another name)`,
      )
    }
    const rows = await db.selectFrom(tracking.table).select(tracking.column).execute()
    return rows.map((row) => String((row as Record<string, unknown>)[tracking.column]))
  })
  const keys = new Set(migrations.map((m) => m.key))
  const unknown = recorded.filter((key) => !keys.has(key))
  if (unknown.length > 0) {
    throw new CommandError(
      `mig import ${tool.name}: ${tracking.table} records ${unknown.map((k) => `'${k}'`).join(', ')} as applied, but ${relative(project.environment.cwd, folder) || folder} has no such migration; nothing was written`,
    )
  }
  const applied = new Set(recorded)
  const count = migrations.filter((m) => applied.has(m.key)).length
  const gaps = migrations.slice(0, count).filter((m) => !applied.has(m.key))
  if (gaps.length > 0) {
    throw new CommandError(
      `mig import ${tool.name}: ${tracking.table} records later migrations as applied but not ${gaps.map((m) => m.file).join(', ')}; a chain can only stamp a prefix; nothing was written`,
    )
  }
  return count
}
