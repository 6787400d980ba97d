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
import { loadDeclaredSchema } from '../schema/declared-schema.js'
import { type RevisionArgs, type RevisionResult, revision } from './revision.js'

/**
 * The schema at the graph's heads to compare with the declared one: the live database's, which
 * must be at the heads (Alembic's way); with `shadow`, or when there is no database to read (an
 * embedded one not created yet, a server that cannot be reached), the schema the revisions
 * produce, replayed on a throwaway database. The fallback is said on stderr.
 */
async function schemaToCompare(
  project: Project,
  shadow: boolean,
): Promise<{ model: SchemaModel; heads: readonly string[] }> {
  const { schemaAtHeads } = await import('./schema-files.js')
  if (shadow) return schemaAtHeads(project, 'revisions')
  const target = project.target()
  if (project.dialect().databaseExists?.(target) === false) {
    project.environment.reporter.info(
      `${target.display} does not exist yet: comparing with the schema the revisions produce`,
    )
    return schemaAtHeads(project, 'revisions')
  }
  try {
    return await schemaAtHeads(project, 'database')
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'connection-failed') throw error
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
    project.environment.reporter.warn(
      `${reason}; comparing with the schema the revisions produce instead (--shadow does so on purpose)`,
    )
    return schemaAtHeads(project, 'revisions')
  }
}

/** Options of the commands that compare the declared schema with the database. */
export interface SchemaCompareArgs {
  /** Renames to apply instead of a drop and an add (see {@link parseRenames}). */
  readonly renames?: Renames | undefined
  /**
   * Compare with the schema the revisions produce at the heads, replayed on a throwaway
   * database, instead of the live database's.
   */
  readonly shadow?: boolean | undefined
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
  const { model: live, heads } = await schemaToCompare(project, args.shadow === true)
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

/** What `mig check --schema` compared, and the differences it found. */
export interface SchemaCheckResult {
  readonly heads: readonly string[]
  /** `declared` (config `schema`), or `revisions` (what the revisions produce at the heads). */
  readonly against: 'declared' | 'revisions'
  /** One line per difference (see `formatDifferences`); none when the schema is as expected. */
  readonly lines: readonly string[]
}

/**
 * `mig check --schema`: the live database, at the heads, compared with the declared schema when
 * the config has one; without one, with the schema its revisions produce (replayed on a throwaway
 * database), which catches a change made by hand. Reads only.
 */
export async function checkSchema(project: Project): Promise<SchemaCheckResult> {
  if (project.config.schema !== undefined) {
    const { diff, lines, heads } = await compareSchema(project)
    return { heads, against: 'declared', lines: diff.differences.length === 0 ? [] : lines }
  }
  const { schemaAtHeads } = await import('./schema-files.js')
  const live = await schemaAtHeads(project, 'database')
  const built = await schemaAtHeads(project, 'revisions')
  // From what the revisions build to what the database holds: `+` is there by hand.
  const diff = diffSchemas(built.model, live.model)
  return {
    heads: live.heads,
    against: 'revisions',
    lines: diff.differences.length === 0 ? [] : formatDifferences(diff),
  }
}
