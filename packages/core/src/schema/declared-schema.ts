import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative } from 'node:path'
import {
  emptySchema,
  introspect,
  kyselyCatalogReader,
  type SchemaModel,
  splitStatements,
} from '@migraph/schema'
import { CompiledQuery } from 'kysely'
import type { Project } from '../context.js'
import type { Connection, SqlFlavour } from '../dialects/dialect.js'
import { describeTarget, dialectFor, resolveTarget } from '../dialects/index.js'
import { ConfigError, DeclaredSchemaError } from '../errors.js'
import { type DeclaredSchema, declaredSchemaOf, runDeclaredSchema } from './define-schema.js'

// The declared schema is DDL (or a module of ops), loaded into a disposable database of the same kind as the
// project's (embedded PGlite for PostgreSQL, in-memory SQLite for SQLite) and read back through
// the same introspection as the live database, so both sides are spelled by the same engine.
// MySQL/MariaDB have no embedded form: a temporary database on a server serves instead.

/** In-memory shadows; MySQL/MariaDB get a temporary database on a server instead. */
const SHADOW_URL: Readonly<Record<SqlFlavour, string | undefined>> = {
  postgres: 'pglite:memory:',
  sqlite: 'sqlite::memory:',
  mysql: undefined,
}

/** Extensions of a declared schema written in TypeScript or JavaScript (see `defineSchema`). */
const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'])

/** Whether `path` names a declared schema module rather than SQL. */
export function isSchemaModule(path: string): boolean {
  return MODULE_EXTENSIONS.has(extname(path))
}

/**
 * The files of the config's `schema`: a `.sql` file or a module (`.ts`, `.mts`, `.js`, `.mjs`)
 * itself, or a folder's `.sql` files in name order.
 */
export function declaredSchemaFiles(project: Project): string[] {
  const path = project.config.schema
  const where = project.config.file ?? 'config'
  if (path === undefined) {
    throw new ConfigError(
      `${where}: no declared schema; set config key 'schema' to a .sql file, a folder of .sql files, or a .ts module exporting defineSchema(...)`,
      project.config.file,
    )
  }
  let stats: ReturnType<typeof statSync>
  try {
    stats = statSync(path)
  } catch {
    throw new ConfigError(`${where}: config key 'schema': ${path} does not exist`, project.config.file)
  }
  if (!stats.isDirectory()) return [path]
  return readdirSync(path)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => join(path, name))
}

/**
 * Loads the declared schema into a shadow database, reads it back, and drops the shadow. `files`
 * defaults to the config's `schema` (see {@link declaredSchemaFiles}); a module among them is
 * imported with the loader revisions use and its ops run on the shadow.
 *
 * @example
 * ```ts
 * const declared = await loadDeclaredSchema(project, 'postgres')
 * ```
 */
export async function loadDeclaredSchema(
  project: Project,
  flavour: SqlFlavour,
  files: readonly string[] = declaredSchemaFiles(project),
): Promise<SchemaModel> {
  const shownOf = (file: string) => relative(project.environment.cwd, file) || file
  // Modules are imported before any database is made: a broken one costs nothing.
  const modules = new Map<string, DeclaredSchema>()
  for (const file of files.filter(isSchemaModule)) {
    let module: Record<string, unknown>
    try {
      module = await project.environment.importModule(file)
    } catch (error) {
      const reason = error instanceof Error ? error.message.trim() : String(error)
      throw new DeclaredSchemaError(`${shownOf(file)}: cannot load the declared schema module: ${reason}`, {
        cause: error,
      })
    }
    modules.set(file, declaredSchemaOf(module, shownOf(file)))
  }
  const url = SHADOW_URL[flavour]
  const shadow = url === undefined ? await createServerShadow(project) : undefined
  const target = resolveTarget(url ?? shadow?.url, project.config.baseDir)
  let connection: Connection
  try {
    connection = await dialectFor(target).connect(target, { connectTimeoutMs: project.connectTimeoutMs })
  } catch (error) {
    await shadow?.drop()
    throw error
  }
  try {
    for (const file of files) {
      const shown = shownOf(file)
      const module = modules.get(file)
      if (module !== undefined) {
        await runDeclaredSchema(module, connection.db as never, flavour, shown)
        continue
      }
      for (const statement of splitStatements(readFileSync(file, 'utf8'), flavour)) {
        try {
          await connection.db.executeQuery(CompiledQuery.raw(statement.sql))
        } catch (error) {
          const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
          throw new DeclaredSchemaError(
            `${shown}:${statement.line}: the declared schema does not load: ${reason}`,
            {
              cause: error,
            },
          )
        }
      }
    }
    if (files.length === 0) return emptySchema(flavour)
    return await introspect(kyselyCatalogReader(connection.db), flavour)
  } finally {
    await connection.close()
    await shadow?.drop()
  }
}

/**
 * MySQL/MariaDB: a temporary database on the live server (or on config `shadowUrl`'s), dropped
 * afterwards whatever happens.
 */
async function createServerShadow(project: Project): Promise<{ url: string; drop(): Promise<void> }> {
  const base = resolveTarget(project.config.shadowUrl ?? project.target().url, project.config.baseDir)
  const name = `mig_shadow_${randomBytes(6).toString('hex')}`
  const where = `${name} on ${describeTarget(base)}`
  const admin = await dialectFor(base).connect(base, { connectTimeoutMs: project.connectTimeoutMs })
  try {
    await admin.db.executeQuery(CompiledQuery.raw(`create database \`${name}\``))
  } catch (error) {
    await admin.close()
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new DeclaredSchemaError(
      `cannot create the shadow database ${where} to load the declared schema: ${reason}; set config 'shadowUrl' to a server where migraph may create databases`,
      { cause: error },
    )
  }
  const url = new URL(base.url)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      try {
        await admin.db.executeQuery(CompiledQuery.raw(`drop database if exists \`${name}\``))
      } finally {
        await admin.close()
      }
    },
  }
}
