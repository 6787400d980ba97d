import { existsSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { Project } from '../context.js'
import { CommandError } from '../errors.js'
import {
  type ForeignMigration,
  IMPORT_TOOLS,
  type ImportTool,
  type TrackingTable,
} from '../import/import-tools.js'
import {
  type ImportedHeader,
  kyselyRevisionText,
  moduleRevisionText,
  sqlRevisionText,
} from '../import/revision-texts.js'
import { formatCreateDate } from '../script/revision-file-name.js'
import { importAlembic } from './import-alembic.js'
import {
  existingScripts,
  type PendingFile,
  revisionPath,
  stampImported,
  trackingRows,
  writeAll,
} from './import-shared.js'

export interface ImportArgs {
  /** `kysely`, `knex`, `pycopg`, `migretti`, `node-pg-migrate`, `septentrion` or `alembic`. */
  readonly tool: string
  /** The other tool's migrations folder (Alembic's `versions/`). */
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
  /**
   * The revisions `mig stamp` brings a database the tool migrated in line with: with `--stamp`,
   * those it recorded, done; without, the last of a chain. Empty when there is none.
   */
  readonly stampTargets: readonly string[]
  /** The first of {@link stampTargets}, or null. */
  readonly stampTarget: string | null
  readonly stamped: boolean
  /** The revisions keep the tool's own ids (Alembic): its version table names them as they are. */
  readonly sameIds: boolean
}

/** The tools `mig import` knows, in the order its error lists them. */
const KNOWN_TOOLS: readonly string[] = [...IMPORT_TOOLS.keys(), 'alembic']

/**
 * `mig import <tool> <folder>`: another tool's migrations as a linear chain of revisions, in that
 * tool's order, each file's content kept (`.sql` revisions; for Kysely and Knex, modules that
 * call the original `up`/`down`), or, for Alembic, its graph with the same ids. With `stamp`, the
 * tool's tracking table says which are applied, and exactly those are stamped; a table that
 * disagrees with the folder is an error naming the files, and then nothing is written.
 */
export async function importProject(project: Project, args: ImportArgs): Promise<ImportResult> {
  if (!KNOWN_TOOLS.includes(args.tool)) {
    throw new CommandError(
      `unknown tool '${args.tool}' for mig import; known tools: ${KNOWN_TOOLS.join(', ')}`,
    )
  }
  const folder = isAbsolute(args.folder) ? args.folder : resolve(project.environment.cwd, args.folder)
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new CommandError(`mig import ${args.tool}: folder not found: ${folder}`)
  }
  if (args.tool === 'alembic') return importAlembic(project, folder, args)
  const tool = IMPORT_TOOLS.get(args.tool) as ImportTool
  const migrations = tool.list(folder)
  if (migrations.length === 0) {
    throw new CommandError(`mig import ${tool.name}: ${folder} holds no ${tool.name} migrations`)
  }
  const tracking = args.table === undefined ? tool.tracking : { ...tool.tracking, table: args.table }
  const appliedCount =
    args.stamp === true ? await appliedPrefix(project, tool, folder, migrations, tracking) : 0

  const scripts = await existingScripts(project)
  const heads = scripts?.map.heads ?? []
  if (heads.length > 1) {
    throw new CommandError(
      `the project has several heads (${heads.join(', ')}); merge them before importing, so the imported chain has one place to follow`,
    )
  }
  const createDate = formatCreateDate(project.environment.now())
  let previous: string | null = heads[0] ?? null
  const written: (PendingFile & { migration: ForeignMigration })[] = []
  const taken = new Set<string>()
  for (const migration of migrations) {
    let revision = project.environment.generateRevisionId()
    while (scripts?.map.has(revision) === true || taken.has(revision))
      revision = project.environment.generateRevisionId()
    taken.add(revision)
    const path = revisionPath(
      project,
      revision,
      migration.name,
      (migration.format ?? tool.format) === 'sql' ? 'sql' : 'ts',
    )
    const header: ImportedHeader = {
      revision,
      revises: previous,
      message: migration.name,
      createDate,
      note: `Imported from ${tool.name}: ${migration.file}`,
    }
    const original = join(folder, migration.file)
    const format = migration.format ?? tool.format
    const text =
      format === 'sql'
        ? sqlRevisionText(header, migration.source)
        : format === 'kysely'
          ? kyselyRevisionText(header, migration.file, migration.source)
          : moduleRevisionText(
              format,
              header,
              importSpecifier(dirname(path), original),
              relative(project.environment.cwd, original) || original,
              migration.source,
            )
    written.push({ revision, path, text, migration })
    previous = revision
  }
  writeAll(project, written)

  const stampTarget = appliedCount === 0 ? null : (written[appliedCount - 1]?.revision ?? null)
  if (args.stamp === true && stampTarget !== null) await stampImported(project, [stampTarget])
  const target = args.stamp === true ? stampTarget : (written.at(-1)?.revision ?? null)
  return {
    tool: tool.name,
    revisions: written.map((file, at) => ({
      revision: file.revision,
      path: file.path,
      source: file.migration.file,
      applied: at < appliedCount,
    })),
    stampTargets: target === null ? [] : [target],
    stampTarget: target,
    stamped: args.stamp === true && stampTarget !== null,
    sameIds: false,
  }
}

/** How a revision in `from` imports `file`: relative, `./`-led, by its own name (migraph loads `.ts`). */
function importSpecifier(from: string, file: string): string {
  const path = relative(from, file).split(sep).join('/')
  return path.startsWith('.') ? path : `./${path}`
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
  tracking: TrackingTable,
): Promise<number> {
  const recorded = await trackingRows(project, tool.name, tracking)
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
