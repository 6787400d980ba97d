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
