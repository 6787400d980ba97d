import { compilerKysely } from '@migraph/operations'
import { type Compilable, MysqlAdapter, PostgresAdapter, SqliteAdapter, sql } from 'kysely'
import { primaryKeyName } from '../config/version-table-name.js'
import type { AnyKysely, SqlFlavour, VersionTableRef } from '../dialects/dialect.js'
import { VersionTableRowCountError } from '../dialects/errors.js'
import { adapterFlavour } from '../dialects/shared-connection.js'

/**
 * One change to the set of applied heads, as planned by the graph package (same shape as its
 * export): a new branch inserts, a step updates, a merge or a downgrade to base deletes.
 */
export type VersionChange =
  | { readonly kind: 'insert'; readonly version: string }
  | { readonly kind: 'update'; readonly from: string; readonly to: string }
  | { readonly kind: 'delete'; readonly version: string }

/** The version table's only column, as in Alembic. */
export const VERSION_COLUMN = 'version_num'
/** Its width, as in Alembic (`VARCHAR(32)`). */
export const VERSION_COLUMN_LENGTH = 32

/** Tells the SQL flavour from the Kysely instance's adapter (PGlite counts as PostgreSQL). */
export function flavourOf(db: AnyKysely): SqlFlavour {
  const adapter = db.getExecutor().adapter
  if (adapter instanceof PostgresAdapter) return 'postgres'
  if (adapter instanceof MysqlAdapter) return 'mysql'
  if (adapter instanceof SqliteAdapter) return 'sqlite'
  // A session borrowed from the application's Kysely, another copy of the package.
  const shared = adapterFlavour(adapter)
  if (shared !== undefined) return shared
  throw new TypeError(
    `Cannot tell the SQL flavour of a Kysely instance using ${adapter.constructor.name}; pass it`,
  )
}

/**
 * Whether the version table exists. Only reads the catalog; without a schema, PostgreSQL looks
 * along the search path, MySQL in the current database and SQLite in `main`.
 */
export async function versionTableExists(
  db: AnyKysely,
  ref: VersionTableRef,
  flavour?: SqlFlavour,
): Promise<boolean> {
  const query = existenceQuery(db, ref.schema, [ref.table], flavour ?? flavourOf(db))
  return (await query.execute()).length > 0
}

/**
 * Which of several tables of one schema exist, in one catalog query (the version table and its
 * history table are looked up together at the start of a run).
 */
export async function whichTablesExist(
  db: AnyKysely,
  refs: readonly VersionTableRef[],
  flavour?: SqlFlavour,
): Promise<boolean[]> {
  const schema = refs[0]?.schema
  if (refs.some((ref) => ref.schema !== schema)) {
    return Promise.all(refs.map((ref) => versionTableExists(db, ref, flavour)))
  }
  const names = refs.map((ref) => ref.table)
  const rows = await existenceQuery(db, schema, names, flavour ?? flavourOf(db)).execute()
  // MySQL may compare (and return) names without regard to case.
  const found = new Set(rows.map((row) => String(Object.values(row)[0]).toLowerCase()))
  return names.map((name) => found.has(name.toLowerCase()))
}

function existenceQuery(
  db: AnyKysely,
  schema: string | undefined,
  tables: readonly string[],
  flavour: SqlFlavour,
) {
  switch (flavour) {
    case 'postgres':
      return db
        .selectFrom('pg_catalog.pg_class as c')
        .innerJoin('pg_catalog.pg_namespace as n', 'n.oid', 'c.relnamespace')
        .select('c.relname')
        .where('c.relname', 'in', tables)
        .where('c.relkind', 'in', ['r', 'p', 'v', 'f', 'm'])
        .where((eb) =>
          schema ? eb('n.nspname', '=', schema) : eb.fn<boolean>('pg_table_is_visible', ['c.oid']),
        )
    case 'mysql':
      return db
        .selectFrom('information_schema.tables')
        .select('table_name')
        .where('table_schema', '=', schema ?? sql<string>`database()`)
        .where('table_name', 'in', tables)
    case 'sqlite':
      return withSchema(db, { table: '', schema })
        .selectFrom('sqlite_master')
        .select('name')
        .where('type', '=', 'table')
        .where('name', 'in', tables)
    default:
      return assertNever(flavour)
  }
}

/**
 * Creates the version table if it is missing; returns whether it did. Call it only on the way
 * to a first write: read-only commands must leave the database untouched.
 */
export async function ensureVersionTable(
  db: AnyKysely,
  ref: VersionTableRef,
  flavour?: SqlFlavour,
): Promise<boolean> {
  if (await versionTableExists(db, ref, flavour)) return false
  // IF NOT EXISTS too, in case a run outside migraph's lock created it since we looked.
  await createTableQuery(db, ref).ifNotExists().execute()
  return true
}

/** The applied heads, in table order; `[]` when the table does not exist (which it leaves so). */
export async function readVersions(
  db: AnyKysely,
  ref: VersionTableRef,
  flavour?: SqlFlavour,
): Promise<string[]> {
  if (!(await versionTableExists(db, ref, flavour))) return []
  return selectVersions(db, ref)
}

/** The rows of a version table known to exist. */
export async function selectVersions(db: AnyKysely, ref: VersionTableRef): Promise<string[]> {
  const rows = await withSchema(db, ref).selectFrom(ref.table).select(VERSION_COLUMN).execute()
  return rows.map((row) => String(row[VERSION_COLUMN]))
}

/**
 * Applies a step's version-table changes in order. An UPDATE or DELETE that matches other than
 * exactly one row means the table does not hold what the plan assumed (a concurrent run, a
 * manual edit), so it fails with {@link VersionTableRowCountError}, as Alembic does.
 */
export async function applyVersionChanges(
  db: AnyKysely,
  ref: VersionTableRef,
  changes: readonly VersionChange[],
): Promise<void> {
  for (const change of changes) {
    switch (change.kind) {
      case 'insert':
        await changeQuery(db, ref, change, (v) => v).execute()
        break
      case 'update': {
        const result = await changeQuery(db, ref, change, (v) => v).executeTakeFirst()
        const found = Number((result as { numUpdatedRows?: bigint }).numUpdatedRows ?? 0n)
        if (found !== 1)
          throw new VersionTableRowCountError(qualified(ref), 'update', change.from, found, change.to)
        break
      }
      case 'delete': {
        const result = await changeQuery(db, ref, change, (v) => v).executeTakeFirst()
        const found = Number((result as { numDeletedRows?: bigint }).numDeletedRows ?? 0n)
        if (found !== 1) throw new VersionTableRowCountError(qualified(ref), 'delete', change.version, found)
        break
      }
      default:
        assertNever(change)
    }
  }
}

/**
 * Removes every row (`stamp --purge`); returns how many there were. Leaves a missing table
 * missing.
 */
export async function purgeVersions(
  db: AnyKysely,
  ref: VersionTableRef,
  flavour?: SqlFlavour,
): Promise<number> {
  if (!(await versionTableExists(db, ref, flavour))) return 0
  const result = await withSchema(db, ref).deleteFrom(ref.table).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** What {@link compileVersionStatements} should render, in this order. */
export interface VersionStatementsRequest {
  /** `CREATE TABLE` (offline runs starting from base). */
  readonly create?: boolean | undefined
  /** Delete every row (`stamp --purge`). */
  readonly purge?: boolean | undefined
  /** A step's row changes. */
  readonly changes?: readonly VersionChange[] | undefined
  /** `DROP TABLE` (offline runs ending at base). */
  readonly drop?: boolean | undefined
}

/**
 * The offline (`--sql`) text of version-table statements for a flavour, built with Kysely's
 * query builders and compiled by the flavour's real compiler, with versions inlined as escaped
 * string literals. One string per statement, without the trailing semicolon.
 *
 * @example compileVersionStatements('postgres', { table: 'mig_version' }, { changes: [{ kind: 'insert', version: 'ae10' }] })
 * // ['insert into "mig_version" ("version_num") values (\'ae10\')']
 */
export function compileVersionStatements(
  flavour: SqlFlavour,
  ref: VersionTableRef,
  request: VersionStatementsRequest,
): string[] {
  const db = compilerKysely(flavour)
  const scoped = withSchema(db, ref)
  const queries: Compilable[] = []
  if (request.create) queries.push(createTableQuery(db, ref))
  if (request.purge) queries.push(scoped.deleteFrom(ref.table))
  for (const change of request.changes ?? []) queries.push(changeQuery(db, ref, change, (v) => sql.lit(v)))
  if (request.drop)
    queries.push((ref.schema ? db.schema.withSchema(ref.schema) : db.schema).dropTable(ref.table))
  return queries.map(compileOffline)
}

function createTableQuery(db: AnyKysely, ref: VersionTableRef) {
  const schema = ref.schema ? db.schema.withSchema(ref.schema) : db.schema
  return schema
    .createTable(ref.table)
    .addColumn(VERSION_COLUMN, `varchar(${VERSION_COLUMN_LENGTH})`, (col) => col.notNull())
    .addPrimaryKeyConstraint(primaryKeyName(ref.table), [VERSION_COLUMN])
}

/**
 * One version-table change, returning the rows it touched; for composing it into a larger
 * statement where `RETURNING` is supported (see `StepRecorder`). `value` turns each version into
 * what is bound (by default the version itself).
 */
export function versionChangeReturning(
  db: AnyKysely,
  ref: VersionTableRef,
  change: VersionChange,
  value: (v: string) => unknown = (v) => v,
) {
  const scoped = withSchema(db, ref)
  switch (change.kind) {
    case 'insert':
      return scoped
        .insertInto(ref.table)
        .values({ [VERSION_COLUMN]: value(change.version) })
        .returning(VERSION_COLUMN)
    case 'update':
      return scoped
        .updateTable(ref.table)
        .set({ [VERSION_COLUMN]: value(change.to) })
        .where(VERSION_COLUMN, '=', value(change.from))
        .returning(VERSION_COLUMN)
    case 'delete':
      return scoped
        .deleteFrom(ref.table)
        .where(VERSION_COLUMN, '=', value(change.version))
        .returning(VERSION_COLUMN)
    default:
      return assertNever(change)
  }
}

function changeQuery(
  db: AnyKysely,
  ref: VersionTableRef,
  change: VersionChange,
  value: (v: string) => unknown,
) {
  const scoped = withSchema(db, ref)
  switch (change.kind) {
    case 'insert':
      return scoped.insertInto(ref.table).values({ [VERSION_COLUMN]: value(change.version) })
    case 'update':
      return scoped
        .updateTable(ref.table)
        .set({ [VERSION_COLUMN]: value(change.to) })
        .where(VERSION_COLUMN, '=', value(change.from))
    case 'delete':
      return scoped.deleteFrom(ref.table).where(VERSION_COLUMN, '=', value(change.version))
    default:
      return assertNever(change)
  }
}

function withSchema(db: AnyKysely, ref: VersionTableRef): AnyKysely {
  return ref.schema ? db.withSchema(ref.schema) : db
}

function compileOffline(query: Compilable): string {
  const compiled = query.compile()
  if (compiled.parameters.length > 0) {
    throw new Error(`Offline SQL still has ${compiled.parameters.length} bound parameter(s): ${compiled.sql}`)
  }
  return compiled.sql
}

/** The table's name as error messages show it. */
export function qualified(ref: VersionTableRef): string {
  return ref.schema ? `${ref.schema}.${ref.table}` : ref.table
}

function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`)
}
