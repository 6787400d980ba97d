import type { SqlFlavour } from '../column-types.js'
import type { SqlDialect } from './dialect.js'
import { mysqlDialect } from './mysql-compiler.js'
import { postgresDialect } from './postgres-compiler.js'
import { sqliteDialect } from './sqlite-compiler.js'

const DIALECTS: { readonly [F in SqlFlavour]: SqlDialect } = {
  postgres: postgresDialect,
  mysql: mysqlDialect,
  sqlite: sqliteDialect,
}

/** The dialect object of a flavour. */
export function dialectFor(flavour: SqlFlavour): SqlDialect {
  const dialect = DIALECTS[flavour]
  if (dialect === undefined) throw new TypeError(`unknown SQL flavour '${String(flavour)}'`)
  return dialect
}
