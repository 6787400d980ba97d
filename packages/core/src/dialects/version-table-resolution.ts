import { historyTableName } from '../config/version-table-name.js'
import type {
  AnyKysely,
  Connection,
  MigrationDialect,
  ResolvedVersionTable,
  VersionTableRef,
} from './dialect.js'
import { DEFAULT_VERSION_TABLE, isResolved } from './dialect.js'
import { VersionTableSchemaError } from './errors.js'

/** PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN - 1) and drops the rest, silently. */
export const POSTGRES_IDENTIFIER_LIMIT = Object.freeze({
  length: 63,
  unit: 'bytes',
  database: 'PostgreSQL',
} as const)

/** MySQL and MariaDB refuse table and database names longer than 64 characters. */
export const MYSQL_IDENTIFIER_LIMIT = Object.freeze({
  length: 64,
  unit: 'characters',
  database: 'MySQL',
} as const)

/** How a database compares names: as written, or without regard to case. */
type NameCase = 'exact' | 'lower' | 'ascii-lower'

function resolved(table: string, schema: string, nameCase: NameCase): ResolvedVersionTable {
  const fold = (name: string) =>
    nameCase === 'exact'
      ? name
      : nameCase === 'lower'
        ? name.toLowerCase()
        : name.replace(/[A-Z]+/g, (upper) => upper.toLowerCase())
  return Object.freeze({ table, schema, lockText: `migraph:${fold(schema)}.${fold(table)}` })
}

/**
 * PostgreSQL (and PGlite): the schema of the version table (or, failing that, its history
 * table) where the search path finds it, else `current_schema()`, where unqualified DDL would
 * create it. Names are compared as written (migraph always quotes them).
 */
export async function resolvePostgresVersionTable(
  db: AnyKysely,
  ref: VersionTableRef,
  location: string,
): Promise<ResolvedVersionTable> {
  if (ref.schema !== undefined) return resolved(ref.table, ref.schema, 'exact')
  const { sql } = await import('kysely')
  const result = await sql<{ schema: string | null }>`
    select coalesce(
      (select n.nspname
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relname in (${ref.table}, ${historyTableName(ref.table)})
          and c.relkind in ('r', 'p', 'v', 'f', 'm') and pg_catalog.pg_table_is_visible(c.oid)
        order by c.relname = ${ref.table} desc
        limit 1),
      current_schema()) as schema`.execute(db)
  const schema = result.rows[0]?.schema
  if (schema === null || schema === undefined) {
    throw new VersionTableSchemaError(
      location,
      "the session's search_path names no schema that exists; set 'versionTableSchema' in the config",
    )
  }
  return resolved(ref.table, schema, 'exact')
}

/**
 * MySQL and MariaDB: the configured schema, else the connection's current database. Where the
 * server compares table and database names without regard to case (`lower_case_table_names`
 * 1 or 2), the lock's name is folded to lower case so that every spelling takes one lock.
 */
export async function resolveMysqlVersionTable(
  db: AnyKysely,
  ref: VersionTableRef,
  location: string,
): Promise<ResolvedVersionTable> {
  const { sql } = await import('kysely')
  const result = await sql<{
    db: string | null
    lctn: number | string | null
  }>`select database() as db, @@lower_case_table_names as lctn`.execute(db)
  const row = result.rows[0]
  const schema = ref.schema ?? row?.db ?? undefined
  if (schema === undefined || schema === null) {
    throw new VersionTableSchemaError(
      location,
      "the URL selects no database; name one (mysql://host/database) or set 'versionTableSchema' in the config",
    )
  }
  return resolved(ref.table, schema, Number(row?.lctn ?? 0) === 0 ? 'exact' : 'lower')
}

/** SQLite: the configured schema, else `main`; SQLite compares names without regard to ASCII case. */
export function resolveSqliteVersionTable(ref: VersionTableRef): ResolvedVersionTable {
  return resolved(ref.table, ref.schema ?? 'main', 'ascii-lower')
}

/** The version table a lock protects, resolved on the lock's own session unless it already is. */
export function lockedVersionTable(
  dialect: MigrationDialect,
  connection: Connection,
  ref: VersionTableRef | ResolvedVersionTable | undefined,
): Promise<ResolvedVersionTable> | ResolvedVersionTable {
  const table = ref ?? DEFAULT_VERSION_TABLE
  return isResolved(table) ? table : dialect.resolveVersionTable(connection, table)
}
