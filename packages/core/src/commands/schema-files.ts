import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import { planUpgrade } from '@migraph/graph'
import type { SchemaModel } from '@migraph/schema'
import type { Project, Reporter } from '../context.js'
import { CommandError } from '../errors.js'
import { disposableDatabase } from '../schema/disposable-database.js'
import { introspectSession } from '../schema/live-schema.js'

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
      // A row at the last revision a squash replaces stands for the squash.
      const current = scripts.forVersions(await session.readHeads()).heads
      const same = current.length === heads.length && current.every((h) => heads.includes(h))
      if (!same) {
        throw new CommandError(
          `Target database is not up to date: it is at ${current.join(', ') || 'base'}, the revisions' heads are ${heads.join(', ') || 'base'} (run 'mig upgrade heads', or read the schema from the revisions)`,
        )
      }
      return { model: await introspectSession(session), heads: [...current] }
    })
  }
  return schemaAtRevisions(project, heads, 'heads')
}

/**
 * The schema the revisions produce up to `revisions` (ids; none for base), replayed from base on
 * a disposable database of the project's kind (see {@link schemaAtHeads}), dropped afterwards.
 * `target`, when given, is the identifier to plan the upgrade with instead of each id in turn.
 */
export async function schemaAtRevisions(
  project: Project,
  revisions: readonly string[],
  target?: string,
): Promise<SchemaAtHeads> {
  const scripts = await project.scripts()
  const [{ withSession }, { runSteps }] = await Promise.all([
    import('../runtime/session.js'),
    import('../runtime/runner.js'),
  ])
  const server =
    project.config.shadowUrl ?? (project.target().dialect === 'mysql' ? project.target().url : undefined)
  const disposable = await disposableDatabase(project, server, "config 'shadowUrl'")
  try {
    return await withSession(disposable.project, { lock: false }, async (session) => {
      let reached: readonly string[] = []
      for (const to of target === undefined ? revisions : [target]) {
        const steps = planUpgrade(scripts.map, reached, to)
        reached = await runSteps(session, scripts, reached, steps, {
          transactionPerMigration: true,
          reporter: QUIET,
        })
      }
      return { model: await introspectSession(session), heads: [...reached] }
    })
  } finally {
    await disposable.drop()
  }
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

export interface SetupArgs {
  /** The dump to load; default the config's `schemaDump`. */
  readonly file?: string | undefined
}

export interface SetupResult {
  readonly file: string
  /** The heads stamped. */
  readonly heads: readonly string[]
  /** Statements the dump held and ran. */
  readonly statements: number
}

/**
 * `mig setup [file]`: brings an empty database to the heads in one step, by loading a schema dump
 * (`mig schema dump`) and stamping the heads it names. Refused, before anything is written, for a
 * file that is not a dump, a dump of another kind of database, a dump whose heads are not the
 * graph's heads, and a database that holds any table, view, type or applied revision. Where DDL
 * is transactional the dump loads in one transaction, so a failing statement leaves nothing.
 */
export async function setup(project: Project, args: SetupArgs = {}): Promise<SetupResult> {
  const where = project.config.file ?? 'config'
  const file = args.file ?? project.config.schemaDump
  if (file === undefined) {
    throw new CommandError(
      `mig setup needs the schema dump to load: name the file, or set 'schemaDump' in ${where}`,
    )
  }
  const shown = relative(project.environment.cwd, file) || file
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new CommandError(
      `${shown}: cannot read the schema dump (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    )
  }
  const [{ readSchemaDumpHeader, splitStatements }, { CompiledQuery }, { planStamp }] = await Promise.all([
    import('@migraph/schema'),
    import('kysely'),
    import('@migraph/graph'),
  ])
  const header = readSchemaDumpHeader(text)
  if (header === undefined) {
    throw new CommandError(
      `${shown}: not a migraph schema dump (no '-- migraph schema dump' header); write one with 'mig schema dump'`,
    )
  }
  const flavour = project.dialect().sqlFlavour
  if (header.dialect !== flavour) {
    throw new CommandError(`${shown}: a ${header.dialect} schema dump cannot set up a ${flavour} database`)
  }
  const scripts = await project.scripts()
  const graphHeads = scripts.map.heads
  const sameHeads =
    header.heads.length === graphHeads.length && header.heads.every((h) => graphHeads.includes(h))
  if (!sameHeads) {
    throw new CommandError(
      `${shown}: the dump is of ${header.heads.join(', ') || 'base'}, but the revisions' heads are ${graphHeads.join(', ') || 'base'}; write it again with 'mig schema dump'`,
    )
  }
  const statements = splitStatements(text, flavour)
  const [{ withSession }, { runSteps }] = await Promise.all([
    import('../runtime/session.js'),
    import('../runtime/runner.js'),
  ])
  return withSession(project, { lock: true }, async (session) => {
    const applied = await session.readHeads()
    if (applied.length > 0) {
      throw new CommandError(
        `mig setup needs an empty database: this one is at ${applied.join(', ')} (use 'mig upgrade heads')`,
      )
    }
    const existing = await introspectSession(session)
    const objects = [
      ...existing.tables.map((t) => `table ${t.name}`),
      ...existing.views.map((v) => `view ${v.name}`),
      ...existing.enums.map((e) => `type ${e.name}`),
      ...existing.sequences.map((s) => `sequence ${s.name}`),
    ]
    if (objects.length > 0) {
      const listed =
        objects.slice(0, 5).join(', ') + (objects.length > 5 ? `, and ${objects.length - 5} more` : '')
      throw new CommandError(`mig setup needs an empty database: this one holds ${listed}`)
    }
    const load = async (db: typeof session.connection.db) => {
      for (const statement of statements) {
        try {
          await db.executeQuery(CompiledQuery.raw(statement.sql))
        } catch (error) {
          const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
          const left = session.dialect.transactionalDDL
            ? ''
            : ' (the statements before it stay applied: MySQL/MariaDB DDL does not roll back; set up a new database)'
          throw new CommandError(`${shown}:${statement.line}: ${reason}${left}`, { cause: error })
        }
      }
    }
    if (session.dialect.transactionalDDL) await session.connection.db.transaction().execute(load)
    else await load(session.connection.db)
    const steps = planStamp(scripts.map, [], [...header.heads])
    const heads = await runSteps(session, scripts, [], steps, {
      transactionPerMigration: true,
      reporter: project.environment.reporter,
    })
    return { file, heads, statements: statements.length }
  })
}
