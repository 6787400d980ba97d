import {
  diffSchemas,
  formatDifferences,
  type Renames,
  renderSteps,
  type SchemaDiff,
  type SchemaModel,
  usesSql,
} from '@migraph/schema'
import type { Project } from '../context.js'
import { CommandError } from '../errors.js'
import { withSession } from '../runtime/session.js'
import { loadDeclaredSchema } from '../schema/declared-schema.js'
import { introspectSession } from '../schema/live-schema.js'
import { type RevisionArgs, type RevisionResult, revision } from './revision.js'

/** The live database's schema, read only when it is at the graph's heads. */
async function liveAtHeads(project: Project): Promise<{ model: SchemaModel; heads: readonly string[] }> {
  const scripts = await project.scripts()
  return withSession(project, { lock: false }, async (session) => {
    const heads = await session.readHeads()
    const wanted = scripts.map.heads
    const same = heads.length === wanted.length && heads.every((h) => wanted.includes(h))
    if (!same) {
      throw new CommandError(
        `Target database is not up to date: it is at ${heads.join(', ') || 'base'}, the revisions' heads are ${wanted.join(', ') || 'base'} (run 'mig upgrade heads' first)`,
      )
    }
    return { model: await introspectSession(session), heads }
  })
}

/** Options of the commands that compare the declared schema with the database. */
export interface SchemaCompareArgs {
  /** Renames to apply instead of a drop and an add (see {@link parseRenames}). */
  readonly renames?: Renames | undefined
}

/** The differences between the live database (at its heads) and the declared schema. */
export interface SchemaCompareResult {
  readonly heads: readonly string[]
  readonly diff: SchemaDiff
  /** One line per difference and rename candidate (see `formatDifferences`). */
  readonly lines: readonly string[]
}

/**
 * Compares the live database, which must be at the graph's heads, with the declared schema
 * (config `schema`). Reads only; the shadow database is dropped before it returns.
 *
 * @example
 * ```ts
 * const { lines } = await compareSchema(project)
 * ```
 */
export async function compareSchema(
  project: Project,
  args: SchemaCompareArgs = {},
): Promise<SchemaCompareResult> {
  const { model: live, heads } = await liveAtHeads(project)
  const declared = await loadDeclaredSchema(project, project.dialect().sqlFlavour)
  const diff = diffSchemas(live, declared, { renames: args.renames })
  return { heads, diff, lines: formatDifferences(diff) }
}

/** The result of `mig revision --autogenerate`. */
export interface AutogenerateResult {
  /** The revision written; undefined when no op was needed ("No changes in schema detected."). */
  readonly written: RevisionResult | undefined
  readonly lines: readonly string[]
  readonly diff: SchemaDiff
}

/**
 * `mig revision --autogenerate -m MSG`: writes a revision whose `upgrade` turns the live
 * database (at the heads) into the declared schema and whose `downgrade` undoes it. Writes
 * nothing when there is nothing to do.
 *
 * @example
 * ```ts
 * const { written } = await autogenerateRevision(project, { message: 'add invoice' })
 * ```
 */
export async function autogenerateRevision(
  project: Project,
  args: RevisionArgs & SchemaCompareArgs,
): Promise<AutogenerateResult> {
  const { diff, lines } = await compareSchema(project, args)
  if (diff.upgrade.length === 0) return { written: undefined, lines, diff }
  const flavour = project.dialect().sqlFlavour
  const upgrades = renderSteps(diff.upgrade, flavour, '  ').trimStart()
  const irreversible = diff.irreversible.map(
    (d) => `  // not undone: ${formatDifferences({ differences: [d], renameCandidates: [] })[0]}`,
  )
  const downgrades = [...irreversible, renderSteps(diff.downgrade, flavour, '  ')].join('\n').trimStart()
  const imports = usesSql(upgrades) || usesSql(downgrades) ? '{ type Operations, sql }' : undefined
  // A generated revision is TypeScript, whatever the config's revisionFormat.
  const written = await revision(project, { ...args, format: 'ts', body: { upgrades, downgrades, imports } })
  return { written, lines, diff }
}

/**
 * Reads `--rename` values: `old:new` renames a table, `table.old:new` a column of `table` (the
 * table named as the declared schema names it).
 *
 * @example
 * ```ts
 * parseRenames(['account:customer', 'customer.name:full_name'])
 * // => { tables: { account: 'customer' }, columns: { 'customer.name': 'full_name' } }
 * ```
 */
export function parseRenames(values: readonly string[]): Renames {
  const tables: Record<string, string> = {}
  const columns: Record<string, string> = {}
  for (const value of values) {
    const match = /^([^:]+):([^:.]+)$/.exec(value)
    if (match === null) {
      throw new CommandError(`--rename ${value}: expected old:new for a table, or table.old:new for a column`)
    }
    const [, from = '', to = ''] = match
    if (from.includes('.')) columns[from] = to
    else tables[from] = to
  }
  return { tables, columns }
}
