import { introspect, kyselyCatalogReader, type SchemaModel } from '@migraph/schema'
import { historyTableOf } from '../runtime/history-table.js'
import type { Session } from '../runtime/session.js'

/**
 * The live database's schema, read on the command's session: the version table's schema (its
 * database on MySQL), without migraph's own version and history tables.
 *
 * @example
 * ```ts
 * const live = await withSession(project, { lock: false }, introspectSession)
 * ```
 */
export function introspectSession(session: Session): Promise<SchemaModel> {
  const version = session.versionTable
  return introspect(kyselyCatalogReader(session.connection.db), session.dialect.sqlFlavour, {
    schema: session.dialect.sqlFlavour === 'sqlite' ? undefined : version.schema,
    exclude: [version.table, historyTableOf(version).table],
  })
}
