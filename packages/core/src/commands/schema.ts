import {
  diffSchemas,
  formatDifferences,
  type RenameCandidate,
  type Renames,
  renderSteps,
  type SchemaDiff,
  type SchemaModel,
  usesSql,
} from '@migraph/schema'
import type { Project } from '../context.js'
import { CommandError, SchemaDriftError } from '../errors.js'
import { loadDeclaredSchema } from '../schema/declared-schema.js'
import { type RevisionArgs, type RevisionResult, revision } from './revision.js'
import type { SchemaOfSource } from './schema-sources.js'

/** A schema source without its model: what `mig diff --json` says was compared. */
export type SchemaSourceInfo = Omit<SchemaOfSource, 'model'>

/**
 * The schema at the graph's heads to compare with the declared one: the live database's, which
 * must be at the heads (Alembic's way); with `shadow`, or when there is no database to read (an
 * embedded one not created yet, a server that cannot be reached), the schema the revisions
 * produce, replayed on a throwaway database. The fallback is said on stderr.
 */
async function schemaToCompare(
  project: Project,
  shadow: boolean,
): Promise<{ model: SchemaModel; heads: readonly string[]; replayed: boolean }> {
  const { schemaAtHeads } = await import('./schema-files.js')
  const replay = async () => ({ ...(await schemaAtHeads(project, 'revisions')), replayed: true })
  if (shadow) return replay()
  const target = project.target()
  if (project.dialect().databaseExists?.(target) === false) {
    project.environment.reporter.info(
      `${target.display} does not exist yet: comparing with the schema the revisions produce`,
    )
    return replay()
  }
  try {
    return { ...(await schemaAtHeads(project, 'database')), replayed: false }
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'connection-failed') throw error
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
    project.environment.reporter.warn(
      `${reason}; comparing with the schema the revisions produce instead (--shadow does so on purpose)`,
    )
    return replay()
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
  /**
   * Asked, for each rename candidate, whether it is a rename (a terminal prompt); only when no
   * `renames` were given. Accepted candidates are applied as renames.
   */
  readonly askRename?: ((candidate: RenameCandidate) => Promise<boolean>) | undefined
}

/** Options of `mig diff`: the two schemas to compare, beside {@link SchemaCompareArgs}. */
export interface SchemaDiffArgs extends SchemaCompareArgs {
  /** A schema source (see `readSchemaSource`); default the database at its heads. */
  readonly from?: string | undefined
  /** A schema source; default `declared`. */
  readonly to?: string | undefined
}

/** The differences between two schemas, by default the live database's and the declared one. */
export interface SchemaCompareResult {
  readonly heads: readonly string[]
  /** What was compared: the source as given, its label for a header, its revisions. */
  readonly from: SchemaSourceInfo
  readonly to: SchemaSourceInfo
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
  args: SchemaDiffArgs = {},
): Promise<SchemaCompareResult> {
  const { prepareSchemaSource } = await import('./schema-sources.js')
  // Both sources are checked before either is read: a bad one is reported without waiting.
  const readFrom =
    args.from === undefined
      ? () => defaultFrom(project, args.shadow === true)
      : await prepareSchemaSource(project, args.from, '--from')
  const readTo = await prepareSchemaSource(project, args.to ?? 'declared', '--to')
  const [from, to] = await Promise.all([readFrom(), readTo()])
  const diff = await diffWithRenames(from.model, to.model, args)
  const info = ({ source, label, heads }: SchemaOfSource): SchemaSourceInfo => ({ source, label, heads })
  return {
    heads: from.heads ?? to.heads ?? [],
    from: info(from),
    to: info(to),
    diff,
    lines: formatDifferences(diff),
  }
}

/** Today's `from`: the database at its heads, or what the revisions produce (see schemaToCompare). */
async function defaultFrom(project: Project, shadow: boolean): Promise<SchemaOfSource> {
  const { model, heads, replayed } = await schemaToCompare(project, shadow)
  const label = replayed
    ? `heads (${heads.join(', ') || 'base'}, revisions replayed)`
    : `live (${project.target().display}, at ${heads.join(', ') || 'base'})`
  return { source: replayed ? 'heads' : 'live', label, model, heads }
}

/**
 * Diffs `from` and `to` with the renames given; without any, asks about each rename candidate
 * through `askRename` (when given), and diffs again with those accepted, until no new candidate
 * comes up (an accepted table rename can reveal column candidates).
 */
async function diffWithRenames(
  from: SchemaModel,
  to: SchemaModel,
  args: SchemaCompareArgs,
): Promise<SchemaDiff> {
  let diff = diffSchemas(from, to, { renames: args.renames })
  const given =
    args.renames !== undefined &&
    (Object.keys(args.renames.tables ?? {}).length > 0 || Object.keys(args.renames.columns ?? {}).length > 0)
  if (args.askRename === undefined || given) return diff
  const asked = new Set<string>()
  const tables: Record<string, string> = {}
  const columns: Record<string, string> = {}
  for (;;) {
    const fresh = diff.renameCandidates.filter((c) => !asked.has(`${c.object} ${c.from} ${c.to}`))
    let accepted = false
    for (const candidate of fresh) {
      asked.add(`${candidate.object} ${candidate.from} ${candidate.to}`)
      // One new name per old one: a second candidate for a name already renamed is not asked.
      const taken = candidate.object === 'table' ? candidate.from in tables : candidate.from in columns
      if (taken || !(await args.askRename(candidate))) continue
      accepted = true
      if (candidate.object === 'table') tables[candidate.from] = candidate.to
      else columns[candidate.from] = candidate.to.slice(candidate.to.lastIndexOf('.') + 1)
    }
    if (!accepted) return diff
    diff = diffSchemas(from, to, { renames: { tables, columns } })
  }
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

/** One comparison `mig check --schema` made, and the differences it found. */
export interface SchemaComparison {
  /** `live-declared`, `revisions-declared` or `live-revisions`. */
  readonly name: 'live-declared' | 'revisions-declared' | 'live-revisions'
  /** What was compared, in words, for the heading above its differences. */
  readonly heading: string
  /** One line per difference (see `formatDifferences`); none when both schemas agree. */
  readonly lines: readonly string[]
}

/** What `mig check --schema` compared, and the differences it found. */
export interface SchemaCheckResult {
  readonly heads: readonly string[]
  /** `declared` (config `schema`), or `revisions` (what the revisions produce at the heads). */
  readonly against: 'declared' | 'revisions'
  /** Every comparison made, failed or not. */
  readonly comparisons: readonly SchemaComparison[]
  /** The differences of the failed comparisons, each line prefixed by its comparison's heading. */
  readonly lines: readonly string[]
}

/**
 * `mig check --schema`: the live database, at the heads, compared with the schema its revisions
 * produce (replayed on a throwaway database), which catches a change made by hand; with a
 * declared schema (config `schema`), also the database and the revisions' schema each compared
 * with the declared one. Reads only.
 */
export async function checkSchema(project: Project): Promise<SchemaCheckResult> {
  const { schemaAtHeads } = await import('./schema-files.js')
  const flavour = project.dialect().sqlFlavour
  const declaring = project.config.schema !== undefined
  const [live, built, declared] = await Promise.all([
    schemaAtHeads(project, 'database'),
    schemaAtHeads(project, 'revisions'),
    declaring ? loadDeclaredSchema(project, flavour) : undefined,
  ])
  const compare = (name: SchemaComparison['name'], heading: string, from: SchemaModel, to: SchemaModel) => {
    const diff = diffSchemas(from, to)
    return { name, heading, lines: diff.differences.length === 0 ? [] : formatDifferences(diff) }
  }
  const comparisons: SchemaComparison[] = []
  if (declared !== undefined) {
    comparisons.push(compare('live-declared', 'The database vs the declared schema', live.model, declared))
    comparisons.push(
      compare(
        'revisions-declared',
        'The revisions at the heads vs the declared schema',
        built.model,
        declared,
      ),
    )
  }
  // From what the revisions build to what the database holds: `+` is there by hand.
  comparisons.push(
    compare('live-revisions', 'The database vs what its revisions produce', built.model, live.model),
  )
  return {
    heads: live.heads,
    against: declaring ? 'declared' : 'revisions',
    comparisons,
    lines: comparisons.flatMap((c) => c.lines.map((line) => (declaring ? `${c.heading}: ${line}` : line))),
  }
}

/**
 * The failure of a `mig check --schema` result, naming each comparison that failed; undefined
 * when every comparison agreed.
 */
export function schemaCheckFailure(result: SchemaCheckResult): SchemaDriftError | undefined {
  const failed = result.comparisons.filter((c) => c.lines.length > 0)
  if (failed.length === 0) return undefined
  if (result.against === 'revisions') return new SchemaDriftError(result.lines, 'what its revisions produce')
  const summary = failed.map((c) => `${FAILURE[c.name]} in ${c.lines.length} place(s)`).join('; ')
  return new SchemaDriftError(result.lines, 'the declared schema', `${summary}: ${result.lines.join('; ')}`)
}

const FAILURE: Readonly<Record<SchemaComparison['name'], string>> = {
  'live-declared': 'the database schema differs from the declared schema',
  'revisions-declared': 'the schema the revisions produce at the heads differs from the declared schema',
  'live-revisions': 'the database schema differs from what its revisions produce',
}
