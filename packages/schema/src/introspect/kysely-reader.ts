import { CompiledQuery, type Kysely } from 'kysely'
import type { CatalogReader } from './catalog-reader.js'

/**
 * A {@link CatalogReader} over any Kysely instance (the core's live session, a test database).
 *
 * @example
 * ```ts
 * const model = await introspect(kyselyCatalogReader(db), 'postgres')
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: any database schema
export function kyselyCatalogReader(db: Kysely<any>): CatalogReader {
  return {
    query: async (text, parameters = []) =>
      (await db.executeQuery(CompiledQuery.raw(text, [...parameters]))).rows as Record<string, unknown>[],
  }
}
