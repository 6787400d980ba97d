import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Project } from '../context.js'
import { CommandError } from '../errors.js'
import type { TrackingTable } from '../import/import-tools.js'
import { renderFileName, slugify } from '../script/revision-file-name.js'
import type { ScriptDirectory } from '../script/script-directory.js'

/** A revision file `mig import` is about to write. */
export interface PendingFile {
  readonly revision: string
  readonly path: string
  readonly text: string
}

/** The project's revisions, or undefined for a project whose versions folder is not there yet. */
export async function existingScripts(project: Project): Promise<ScriptDirectory | undefined> {
  const fresh = !project.config.versionLocations.some((location) => existsSync(location))
  return fresh ? undefined : await project.scripts()
}

/** Where a revision for `id` goes, named by the project's file template; an existing file is an error. */
export function revisionPath(project: Project, id: string, message: string, extension: string): string {
  const name = `${renderFileName(project.config.fileTemplate, {
    rev: id,
    slug: slugify(message, project.config.truncateSlugLength),
    date: project.environment.now(),
  })}.${extension}`
  const path = join(project.config.versionLocations[0] as string, name)
  if (existsSync(path)) throw new CommandError(`${path} already exists`)
  return path
}

/** Writes every file at once, once all were made: a refusal before this writes nothing. */
export function writeAll(project: Project, files: readonly PendingFile[]): void {
  mkdirSync(project.config.versionLocations[0] as string, { recursive: true })
  for (const file of files) writeFileSync(file.path, file.text, { flag: 'wx' })
}

/** The values of the tool's tracking column, one per row; a missing table is an error naming it. */
export async function trackingRows(
  project: Project,
  tool: string,
  tracking: TrackingTable,
): Promise<string[]> {
  const { withSession } = await import('../runtime/session.js')
  const { whichTablesExist } = await import('../runtime/version-table.js')
  return withSession(project, { lock: false }, async (session) => {
    const db = session.connection.db
    const [exists] = await whichTablesExist(db, [{ table: tracking.table, schema: undefined }])
    if (exists !== true) {
      throw new CommandError(
        `mig import ${tool} --stamp: the database has no table ${tracking.table}, where ${tool} records what it applied (give --table if it has another name)`,
      )
    }
    const rows = await db.selectFrom(tracking.table).select(tracking.column).execute()
    return rows.map((row) => String((row as Record<string, unknown>)[tracking.column]))
  })
}

/** Stamps `revisions` with a project that reads the versions folder anew, the new files in it. */
export async function stampImported(project: Project, revisions: readonly string[]): Promise<void> {
  const reread = new Project(project.config, project.environment, project.options)
  const { stamp } = await import('./migrate.js')
  await stamp(reread, { revisions: [...revisions] })
}
