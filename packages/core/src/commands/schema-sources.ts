import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { applyStep, MigraphError, planDowngrade, type RevisionMap } from '@migraph/graph'
import { emptySchema, type SchemaModel } from '@migraph/schema'
import type { Project } from '../context.js'
import { CommandError } from '../errors.js'
import { loadDeclaredSchema } from '../schema/declared-schema.js'
import { introspectSession } from '../schema/live-schema.js'

/** A schema read from one of the sources `mig diff --from/--to` name. */
export interface SchemaOfSource {
  /** The source as given (`declared`, `live`, `head`, `-1`, `db/schema.sql`). */
  readonly source: string
  /** What it is, for the header of `mig diff`: `head (b2c3d4e5f6a7, revisions replayed)`. */
  readonly label: string
  readonly model: SchemaModel
  /** The revisions the schema is at; undefined for the declared schema and a file. */
  readonly heads?: readonly string[] | undefined
}

/** The forms a schema source takes, for the error naming an unknown one. */
export const SCHEMA_SOURCE_FORMS =
  "'declared' (config schema), 'live' (the database), 'base', 'head', 'heads', a revision id or prefix, 'label@head', '-1' (relative to the heads), or the path of a .sql file"

const at = (heads: readonly string[]) => heads.join(', ') || 'base'

/**
 * Reads the schema `source` names (see {@link SCHEMA_SOURCE_FORMS}); `option` (`--from`, `--to`)
 * names it in errors. A revision target is the schema the revisions produce up to it, replayed
 * on a throwaway database; `live` is the project's database as it is, at whatever revisions.
 *
 * @example
 * ```ts
 * const { model, label } = await readSchemaSource(project, '-1', '--from')
 * ```
 */
export async function readSchemaSource(
  project: Project,
  source: string,
  option: string,
): Promise<SchemaOfSource> {
  return (await prepareSchemaSource(project, source, option))()
}

/**
 * Checks `source` without reading any schema (the config, the file, the graph, whether the
 * database exists) and returns what reads it: a command checks both its sources before it spends
 * time on either.
 */
export async function prepareSchemaSource(
  project: Project,
  source: string,
  option: string,
): Promise<() => Promise<SchemaOfSource>> {
  const flavour = project.dialect().sqlFlavour
  if (source === 'declared') {
    if (project.config.schema === undefined) {
      throw new CommandError(
        `${option} declared: no declared schema; set config key 'schema' in ${configName(project)} to a .sql file, a folder of .sql files or a .ts module`,
      )
    }
    const shown = relative(project.environment.cwd, project.config.schema) || project.config.schema
    return async () => ({
      source,
      label: `declared (${shown})`,
      model: await loadDeclaredSchema(project, flavour),
    })
  }
  if (source === 'live') {
    const target = project.target()
    if (project.dialect().databaseExists?.(target) === false) {
      throw new CommandError(
        `${option} live: the database ${target.display} does not exist yet (run 'mig upgrade')`,
      )
    }
    return () => readLive(project)
  }
  const file = resolve(project.environment.cwd, source)
  if (/[\\/]|\.sql$/i.test(source) || (source.includes('.') && existsSync(file))) {
    if (!existsSync(file)) throw new CommandError(`${option} ${source}: no such file`)
    const files = statSync(file).isDirectory()
      ? readdirSync(file)
          .filter((name) => name.endsWith('.sql'))
          .sort()
          .map((name) => join(file, name))
      : [file]
    return async () => ({
      source,
      label: `file ${source}`,
      model: await loadDeclaredSchema(project, flavour, files),
    })
  }
  const scripts = await project.scripts()
  let revisions: readonly string[]
  try {
    revisions =
      below(scripts.map, source) ?? scripts.map.resolve(source, scripts.map.heads).map((r) => r.revision)
  } catch (error) {
    const reason = error instanceof MigraphError ? error.message.split('\n')[0] : String(error)
    throw new CommandError(
      `${option} ${source}: not a schema source (${reason}); give ${SCHEMA_SOURCE_FORMS}`,
      {
        cause: error,
      },
    )
  }
  if (revisions.length === 0) {
    const label = source === 'base' ? 'base (no revisions)' : `${source} (base)`
    return async () => ({ source, label, model: emptySchema(flavour), heads: [] })
  }
  return async () => {
    const { schemaAtRevisions } = await import('./schema-files.js')
    const { model, heads } = await schemaAtRevisions(project, revisions)
    const label = source === at(heads) ? `revision ${source}` : `${source} (${at(heads)})`
    return { source, label: `${label}, revisions replayed`, model, heads }
  }
}

/** The project's database as it is. */
async function readLive(project: Project): Promise<SchemaOfSource> {
  const target = project.target()
  const { withSession } = await import('../runtime/session.js')
  return withSession(project, { lock: false }, async (session) => {
    const heads = await session.readHeads()
    return {
      source: 'live',
      label: `live (${target.display}, at ${at(heads)})`,
      model: await introspectSession(session),
      heads: [...heads],
    }
  })
}

/**
 * `-N` and `label@-N`: where `mig downgrade` would take a database at the heads, which may be
 * base. Undefined for every other form.
 */
function below(map: RevisionMap, source: string): readonly string[] | undefined {
  if (!/^([^@]+@)?-\d+$/.test(source)) return undefined
  let heads = map.heads
  for (const step of planDowngrade(map, heads, source)) heads = applyStep(map, heads, step).heads
  return heads
}

function configName(project: Project): string {
  const file = project.config.file
  return file === undefined ? 'the config' : relative(project.environment.cwd, file) || file
}
