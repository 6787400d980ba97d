import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Project } from '../context.js'
import { CommandError } from '../errors.js'
import { type AlembicRevision, readAlembicVersions } from '../import/alembic-versions.js'
import { alembicRevisionText } from '../import/revision-texts.js'
import { formatCreateDate } from '../script/revision-file-name.js'
import type { ImportArgs, ImportResult } from './import-project.js'
import {
  existingScripts,
  type PendingFile,
  revisionPath,
  stampImported,
  trackingRows,
  writeAll,
} from './import-shared.js'

/** Where Alembic records its heads: one row per head. */
const ALEMBIC_VERSION = { table: 'alembic_version', column: 'version_num' } as const

/**
 * `mig import alembic <versions folder>`: Alembic's graph as it is, each revision with its own id,
 * parents, branch labels and dependencies, as a `.ts` revision. Python cannot run here: a body
 * that only executes literal SQL keeps it, any other throws until ported. With `stamp`, the heads
 * `alembic_version` holds are stamped, exactly those.
 */
export async function importAlembic(
  project: Project,
  folder: string,
  args: ImportArgs,
): Promise<ImportResult> {
  // Alembic's script folder (env.py beside versions/) stands for its versions folder.
  const versions =
    existsSync(join(folder, 'env.py')) && existsSync(join(folder, 'versions'))
      ? join(folder, 'versions')
      : folder
  const shown = relative(project.environment.cwd, versions) || versions
  const revisions = readAlembicVersions(versions)
  if (revisions.length === 0) {
    throw new CommandError(
      `mig import alembic: ${folder} holds no alembic migrations (Alembic revision .py files)`,
    )
  }
  const byId = new Map<string, string>()
  for (const r of revisions) {
    const other = byId.get(r.revision)
    if (other !== undefined) {
      throw new CommandError(
        `mig import alembic: ${other} and ${r.file} both declare revision '${r.revision}'`,
      )
    }
    byId.set(r.revision, r.file)
  }
  for (const r of revisions) {
    const parents =
      r.downRevision === null ? [] : typeof r.downRevision === 'string' ? [r.downRevision] : r.downRevision
    const missing = [...parents, ...(r.dependsOn ?? [])].find((id) => !byId.has(id))
    if (missing !== undefined) {
      throw new CommandError(
        `mig import alembic: ${r.file} revises or depends on '${missing}', which ${shown} lacks`,
      )
    }
  }
  const scripts = await existingScripts(project)
  if (scripts !== undefined && scripts.map.heads.length > 0) {
    throw new CommandError(
      "mig import alembic: the project already has revisions; Alembic's graph keeps its own ids and roots, so it is imported into a project without any",
    )
  }

  let stampTargets: string[] = []
  if (args.stamp === true) {
    const tracking = { ...ALEMBIC_VERSION, table: args.table ?? ALEMBIC_VERSION.table }
    stampTargets = await trackingRows(project, 'alembic', tracking)
    const unknown = stampTargets.filter((id) => !byId.has(id))
    if (unknown.length > 0) {
      throw new CommandError(
        `mig import alembic: ${tracking.table} records ${unknown.map((id) => `'${id}'`).join(', ')}, but ${shown} has no such revision; nothing was written`,
      )
    }
  }

  const createDate = formatCreateDate(project.environment.now())
  const files: PendingFile[] = revisions.map((r) => {
    const path = revisionPath(project, r.revision, r.message, 'ts')
    const header = {
      revision: r.revision,
      revises: r.downRevision,
      message: r.message,
      createDate: r.createDate ?? createDate,
      note: `Imported from Alembic: ${r.file}`,
    }
    return { revision: r.revision, path, text: alembicRevisionText(header, r) }
  })
  writeAll(project, files)
  if (stampTargets.length > 0) await stampImported(project, stampTargets)
  const applied = ancestry(revisions, stampTargets)
  return {
    tool: 'alembic',
    revisions: files.map((file, at) => ({
      revision: file.revision,
      path: file.path,
      source: revisions[at]?.file ?? '',
      applied: applied.has(file.revision),
    })),
    stampTargets,
    stampTarget: stampTargets[0] ?? null,
    stamped: stampTargets.length > 0,
    sameIds: true,
  }
}

/** The heads and every revision below them, through parents and dependencies: what is applied. */
function ancestry(revisions: readonly AlembicRevision[], heads: readonly string[]): Set<string> {
  const byId = new Map(revisions.map((r) => [r.revision, r]))
  const seen = new Set<string>()
  const stack = [...heads]
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    const r = byId.get(id)
    if (r === undefined || seen.has(id)) continue
    seen.add(id)
    stack.push(...parentsOf(r), ...(r.dependsOn ?? []))
  }
  return seen
}

const parentsOf = (r: AlembicRevision): readonly string[] =>
  r.downRevision === null ? [] : typeof r.downRevision === 'string' ? [r.downRevision] : r.downRevision
