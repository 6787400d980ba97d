import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { planUpgrade } from '@migraph/graph'
import type { SchemaModel } from '@migraph/schema'
import type { Project, Reporter } from '../context.js'
import { CommandError } from '../errors.js'
import { disposableDatabase } from '../schema/disposable-database.js'

/** Where the schema a command describes is read from. */
export type SchemaSource =
  /** Every revision replayed from base on a disposable database (the default). */
  | 'revisions'
  /** The project's database, which must be at the graph's heads. */
  | 'database'

export interface SchemaAtHeads {
  readonly model: SchemaModel
  /** The heads the schema corresponds to. */
  readonly heads: readonly string[]
}

const QUIET: Reporter = { info: () => undefined, warn: () => undefined }

/**
 * The schema the revisions produce at the graph's heads. From `'revisions'`: each revision run
 * from base on a disposable database of the project's kind (an in-memory PGlite or SQLite; for
 * MySQL/MariaDB a database created on the config's `shadowUrl` server, else the configured one,
 * and dropped), so the result depends on the revision files only. From `'database'`: the
 * project's database, refused unless it is at the heads.
 */
export async function schemaAtHeads(
  project: Project,
  source: SchemaSource = 'revisions',
): Promise<SchemaAtHeads> {
  const scripts = await project.scripts()
  const heads = scripts.map.heads
  const { withSession } = await import('../runtime/session.js')
  if (source === 'database') {
    return withSession(project, { lock: false }, async (session) => {
      const current = await session.readHeads()
      const same = current.length === heads.length && current.every((h) => heads.includes(h))
      if (!same) {
        throw new CommandError(
          `Target database is not up to date: it is at ${current.join(', ') || 'base'}, the revisions' heads are ${heads.join(', ') || 'base'} (run 'mig upgrade heads', or read the schema from the revisions)`,
        )
      }
      return { model: await introspectSession(session), heads: [...current] }
    })
  }
  const { runSteps } = await import('../runtime/runner.js')
  const server =
    project.config.shadowUrl ?? (project.target().dialect === 'mysql' ? project.target().url : undefined)
  const disposable = await disposableDatabase(project, server, "config 'shadowUrl'")
  try {
    return await withSession(disposable.project, { lock: false }, async (session) => {
      const steps = planUpgrade(scripts.map, [], 'heads')
      const reached = await runSteps(session, scripts, [], steps, {
        transactionPerMigration: true,
        reporter: QUIET,
      })
      return { model: await introspectSession(session), heads: [...reached] }
    })
  } finally {
    await disposable.drop()
  }
}

async function introspectSession(session: import('../runtime/session.js').Session): Promise<SchemaModel> {
  const [{ introspect, kyselyCatalogReader }, { historyTableOf }] = await Promise.all([
    import('@migraph/schema'),
    import('../runtime/history-table.js'),
  ])
  const version = session.versionTable
  return introspect(kyselyCatalogReader(session.connection.db), session.dialect.sqlFlavour, {
    schema: session.dialect.sqlFlavour === 'sqlite' ? undefined : version.schema,
    exclude: [version.table, historyTableOf(version).table],
  })
}

export interface SchemaFileArgs {
  readonly source?: SchemaSource | undefined
}

/** `mig schema dump`: the schema at the heads as the SQL that creates it, headed by the heads. */
export async function dumpSchema(
  project: Project,
  args: SchemaFileArgs = {},
): Promise<{ text: string; heads: readonly string[] }> {
  const { renderSchemaSql } = await import('@migraph/schema')
  const { model, heads } = await schemaAtHeads(project, args.source)
  return { text: await renderSchemaSql(model, { heads }), heads }
}

/** `mig schema types`: the schema at the heads as a Kysely `Database` interface. */
export async function schemaTypes(
  project: Project,
  args: SchemaFileArgs = {},
): Promise<{ text: string; heads: readonly string[] }> {
  const { renderKyselyTypes } = await import('@migraph/schema')
  const { model, heads } = await schemaAtHeads(project, args.source)
  const at = heads.length === 0 ? 'base' : heads.join(', ')
  return { text: renderKyselyTypes(model, { source: `Schema at ${at}.` }), heads }
}

/**
 * Rewrites the config's `typesOut` from the database an `upgrade` or `downgrade` just moved, on
 * that run's session: the file always describes the database as it now is. Written only when its
 * text changes; a failure is a warning, since the revisions stay applied.
 */
export async function refreshTypesOut(
  project: Project,
  session: import('../runtime/session.js').Session,
  heads: readonly string[],
): Promise<void> {
  const file = project.config.typesOut
  if (file === undefined) return
  try {
    const { renderKyselyTypes } = await import('@migraph/schema')
    const at = heads.length === 0 ? 'base' : heads.join(', ')
    const text = renderKyselyTypes(await introspectSession(session), { source: `Schema at ${at}.` })
    let old: string | undefined
    try {
      old = readFileSync(file, 'utf8')
    } catch {
      old = undefined
    }
    if (old === text) return
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text)
  } catch (error) {
    project.environment.reporter.warn(
      `typesOut: ${file} was not rewritten: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
}
