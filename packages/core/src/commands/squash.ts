import { readFileSync } from 'node:fs'
import { squashRange } from '@migraph/graph'
import {
  createOperations,
  createRecordingSink,
  OfflineDatabaseAccessError,
  type Op,
  type SqlFlavour,
} from '@migraph/operations'
import { renderOp, SchemaError, usesSql } from '@migraph/schema'
import type { Project } from '../context.js'
import { CommandError } from '../errors.js'
import { checkRevisionId } from '../script/revision-file-name.js'
import type { RevisionScript, ScriptDirectory } from '../script/script-directory.js'
import { isSqlRevisionFile, parseSqlRevision } from '../script/sql-revision.js'
import { runPostWrite } from './post-write.js'
import { type RevisionResult, writeRevisionFile } from './revision.js'
import { lockVersionFolders } from './revision-lock.js'

export interface SquashArgs {
  /** `<from>:<to>`: the first and the last revision to replace. */
  readonly range: string
  readonly message?: string | undefined
  readonly revId?: string | undefined
}

export interface SquashResult extends RevisionResult {
  /** The revisions the new one replaces, oldest first. */
  readonly replaces: readonly string[]
}

/**
 * `mig squash <from>:<to> -m MSG`: writes one revision that does what the line of revisions from
 * `from` to `to` does, and records them in its `replaces`. The replaced files stay (a database
 * part-way through them goes on with them) until they are deleted; the revisions after `to` keep
 * naming it. Revision modules are run against a recording sink, never a database; a `.sql` line
 * gives a `.sql` revision.
 */
export async function squash(project: Project, args: SquashArgs): Promise<SquashResult> {
  const lock = await lockVersionFolders(project)
  try {
    const result = await writeSquash(project, args)
    await runPostWrite(project, result.path)
    return result
  } finally {
    lock.release()
  }
}

async function writeSquash(project: Project, args: SquashArgs): Promise<SquashResult> {
  const colon = args.range.indexOf(':')
  if (colon <= 0 || colon === args.range.length - 1) {
    throw new CommandError(`squash needs a range <from>:<to> of revisions, got '${args.range}'`)
  }
  const scripts = await project.scripts()
  const ids = squashRange(scripts.map, args.range.slice(0, colon), args.range.slice(colon + 1))
  const replaced = ids.map((id) => scripts.script(id))
  const nested = replaced.find((script) => script.replaces !== null)
  if (nested !== undefined) {
    throw new CommandError(
      `cannot squash ${args.range}: ${nested.revision} is itself a squash (of ${nested.replaces?.join(', ')}); squash its originals or a range after it`,
    )
  }
  const revId = args.revId ?? project.environment.generateRevisionId()
  const idProblem = checkRevisionId(revId)
  if (idProblem !== undefined) throw new CommandError(`--rev-id: ${idProblem}`)
  if (scripts.everyScript.some((script) => script.revision === revId)) {
    throw new CommandError(`revision id '${revId}' already exists`)
  }
  const first = scripts.map.get(ids[0] as string)
  const inside = new Set(ids)
  const branchLabels = [...new Set(replaced.flatMap((script) => script.branchLabels ?? []))]
  const dependsOn = [...new Set(replaced.flatMap((script) => script.dependsOn ?? []))].filter(
    (id) => !inside.has(id),
  )
  checkNewGraph(scripts, {
    revision: revId,
    downRevisions: first.downRevisions,
    branchLabels,
    dependsOn,
    ids,
  })
  const flavour = project.dialect().sqlFlavour
  const allSql = replaced.every((script) => isSqlRevisionFile(script.path))
  const content = allSql ? sqlContent(replaced) : await tsContent(scripts, ids, flavour)
  const path = await writeRevisionFile(project, scripts, {
    revision: revId,
    downRevisions: first.downRevisions,
    branchLabels,
    dependsOn,
    message: args.message,
    format: allSql ? 'sql' : 'ts',
    body: content.body,
    extra: { replaces: ids, ...content.extra },
  })
  return { revision: revId, downRevisions: first.downRevisions, path, replaces: ids }
}

/** The graph with the squash in place of what it replaces must be valid (labels, dependencies). */
function checkNewGraph(
  scripts: ScriptDirectory,
  squash: {
    readonly revision: string
    readonly downRevisions: readonly string[]
    readonly branchLabels: readonly string[]
    readonly dependsOn: readonly string[]
    readonly ids: readonly string[]
  },
): void {
  scripts.checkWith({
    revision: squash.revision,
    downRevision: squash.downRevisions.length === 0 ? null : squash.downRevisions,
    branchLabels: squash.branchLabels,
    dependsOn: squash.dependsOn,
    replaces: squash.ids,
    path: '(new squash)',
  })
}

interface Content {
  readonly body: { readonly upgrades: string; readonly downgrades: string; readonly imports?: string }
  readonly extra: Readonly<Record<string, unknown>>
}

/** `.sql` revisions only: their up sections in order, their down sections in reverse. */
function sqlContent(replaced: readonly RevisionScript[]): Content {
  const parsed = replaced.map((script) => ({
    script,
    sql: parseSqlRevision(script.path, readFileSync(script.path, 'utf8')),
  }))
  const section = (id: string, text: string) => `-- from ${id}\n${text.trim()}`
  const upgrades = parsed.map(({ script, sql }) => section(script.revision, sql.up.text)).join('\n\n')
  const irreversible = parsed.some(({ sql }) => sql.down === undefined)
  const downgrades = irreversible
    ? ''
    : [...parsed]
        .reverse()
        .map(({ script, sql }) => section(script.revision, sql.down?.text ?? ''))
        .join('\n\n')
  const noTransaction = parsed.some(({ sql }) => sql.noTransaction)
  return { body: { upgrades, downgrades }, extra: { irreversible, noTransaction } }
}

/**
 * Each revision's `upgrade` (in order) and `downgrade` (in reverse) run against a recording
 * sink, and the ops written back as `op.…` calls. A `.sql` revision's statements become
 * `op.execute` calls of the dialect's split.
 */
async function tsContent(
  scripts: ScriptDirectory,
  ids: readonly string[],
  flavour: SqlFlavour,
): Promise<Content> {
  const modules = await scripts.loadModules(ids)
  const up: string[] = []
  const down: string[] = []
  let irreversible: string | undefined
  for (const id of ids) {
    const module = modules.get(id)
    if (module === undefined) continue
    let ops: readonly Op[]
    try {
      ops = await record(id, 'upgrade', module.upgrade, flavour)
    } catch (error) {
      if (error instanceof CommandError) throw error
      const reason = error instanceof Error ? error.message : String(error)
      throw new CommandError(`revision ${id} upgrade() failed while squash recorded its ops: ${reason}`, {
        cause: error,
      })
    }
    up.push(render(id, ops, flavour))
  }
  for (const id of [...ids].reverse()) {
    const module = modules.get(id)
    if (module === undefined || irreversible !== undefined) continue
    try {
      down.push(render(id, await record(id, 'downgrade', module.downgrade, flavour), flavour))
    } catch (error) {
      if (error instanceof CommandError) throw error
      irreversible = `revision ${id} cannot be downgraded: ${error instanceof Error ? error.message : String(error)}`
    }
  }
  const transactional = ids.every((id) => scripts.script(id).transactional)
  const upgrades = up.join('\n\n  ')
  const downgrades =
    irreversible === undefined ? down.join('\n\n  ') : `throw new Error(${JSON.stringify(irreversible)})`
  const imports = usesSql(upgrades) || usesSql(downgrades) ? '{ type Operations, sql }' : undefined
  return {
    body: { upgrades, downgrades, ...(imports === undefined ? {} : { imports }) },
    extra: { transactional },
  }
}

/** The ops one function of a revision makes; `op.db` cannot be recorded, and says so. */
async function record(
  id: string,
  name: 'upgrade' | 'downgrade',
  fn: (op: never) => Promise<void> | void,
  flavour: SqlFlavour,
): Promise<readonly Op[]> {
  const ops: Op[] = []
  const { op } = createOperations(createRecordingSink(flavour, ops), { revision: id })
  try {
    await fn(op as never)
  } catch (error) {
    if (
      error instanceof OfflineDatabaseAccessError ||
      (error as { cause?: unknown })?.cause instanceof OfflineDatabaseAccessError
    ) {
      throw new CommandError(
        `revision ${id} uses op.db in its ${name}(); squash cannot inline it; squash a range without it, or write the squashed revision by hand`,
      )
    }
    throw error
  }
  return ops
}

/** A revision's ops as statements, under a comment naming it. */
function render(id: string, ops: readonly Op[], flavour: SqlFlavour): string {
  const lines = [ops.length === 0 ? `// from ${id}: nothing` : `// from ${id}`]
  for (const op of ops) {
    try {
      lines.push(renderOp(op, flavour))
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error
      throw new CommandError(
        `revision ${id} uses op.${op.kind}(), which squash cannot write back as code; squash a range without it, or write the squashed revision by hand`,
      )
    }
  }
  return lines.join('\n').replaceAll('\n', '\n  ')
}
