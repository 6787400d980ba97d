import { UnsupportedSchemaFeatureError } from '../errors.js'
import type { SchemaDialect, SchemaModel } from '../model.js'
import type { CatalogReader, IntrospectOptions } from './catalog-reader.js'
import { introspectMysql } from './mysql-introspect.js'
import { introspectPostgres } from './postgres-introspect.js'
import { introspectSqlite } from './sqlite-introspect.js'

const INTROSPECTORS: Readonly<
  Record<
    SchemaDialect,
    ((reader: CatalogReader, options?: IntrospectOptions) => Promise<SchemaModel>) | undefined
  >
> = {
  postgres: introspectPostgres,
  sqlite: introspectSqlite,
  mysql: introspectMysql,
}

/**
 * Reads a database's catalog into a {@link SchemaModel}, through the dialect's own module.
 *
 * @example
 * ```ts
 * const model = await introspect(reader, 'sqlite', { exclude: ['mig_version'] })
 * ```
 */
export async function introspect(
  reader: CatalogReader,
  dialect: SchemaDialect,
  options: IntrospectOptions = {},
): Promise<SchemaModel> {
  const read = INTROSPECTORS[dialect]
  if (read === undefined) {
    throw new UnsupportedSchemaFeatureError(
      'schema introspection (not available for MySQL/MariaDB yet)',
      `the ${dialect} database`,
    )
  }
  return read(reader, options)
}
