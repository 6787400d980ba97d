import {
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely'
import type { SqlFlavour } from './column-types.js'
import type { AnySchema } from './ops.js'

/**
 * A Kysely that compiles queries for `flavour` and never connects: Kysely's DummyDriver with the
 * dialect's real adapter and query compiler. Used for offline SQL and for `op.builder`.
 *
 * @example
 * ```ts
 * const db = createCompilerKysely('mysql')
 * db.selectFrom('account').select('id').compile().sql // => select `id` from `account`
 * ```
 */
export function createCompilerKysely(flavour: SqlFlavour): Kysely<AnySchema> {
  switch (flavour) {
    case 'postgres':
      return new Kysely({
        dialect: {
          createAdapter: () => new PostgresAdapter(),
          createDriver: () => new DummyDriver(),
          createIntrospector: (db) => new PostgresIntrospector(db),
          createQueryCompiler: () => new PostgresQueryCompiler(),
        },
      })
    case 'mysql':
      return new Kysely({
        dialect: {
          createAdapter: () => new MysqlAdapter(),
          createDriver: () => new DummyDriver(),
          createIntrospector: (db) => new MysqlIntrospector(db),
          createQueryCompiler: () => new MysqlQueryCompiler(),
        },
      })
    case 'sqlite':
      return new Kysely({
        dialect: {
          createAdapter: () => new SqliteAdapter(),
          createDriver: () => new DummyDriver(),
          createIntrospector: (db) => new SqliteIntrospector(db),
          createQueryCompiler: () => new SqliteQueryCompiler(),
        },
      })
  }
}

const shared = new Map<SqlFlavour, Kysely<AnySchema>>()

/**
 * The compile-only Kysely of `flavour`, made once per process: it holds nothing a caller could
 * change (its driver never connects), so every sink, every revision's `op.builder` and the
 * offline SQL share it instead of building one each.
 *
 * @example
 * ```ts
 * compilerKysely('postgres') === compilerKysely('postgres') // => true
 * ```
 */
export function compilerKysely(flavour: SqlFlavour): Kysely<AnySchema> {
  let db = shared.get(flavour)
  if (db === undefined) {
    db = createCompilerKysely(flavour)
    shared.set(flavour, db)
  }
  return db
}
