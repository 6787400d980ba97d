/**
 * The one thing introspection needs from a connection: run a catalog query, get its rows. The
 * core hands in its live session; tests hand in a PGlite or better-sqlite3 handle. Placeholders
 * are the dialect's own (`$1` on PostgreSQL, `?` on MySQL and SQLite).
 *
 * @example
 * ```ts
 * const reader: CatalogReader = { query: async (text, params) => (await pglite.query(text, params)).rows }
 * ```
 */
export interface CatalogReader {
  query(text: string, parameters?: readonly unknown[]): Promise<readonly Record<string, unknown>[]>
}

/** Options shared by every dialect's introspection. */
export interface IntrospectOptions {
  /**
   * The namespace to read: a PostgreSQL schema or a MySQL database. Default: the session's
   * current one. SQLite reads `main`.
   */
  readonly schema?: string | undefined
  /** Tables left out, such as migraph's own version and history tables. */
  readonly exclude?: readonly string[] | undefined
}

/** A catalog value as text (drivers return names as strings, some counts as bigint). */
export function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value)
}

/** A catalog flag (`true`, `1`, `'t'`, `'YES'`) as a boolean. */
export function flag(value: unknown): boolean {
  return value === true || value === 1 || value === 't' || value === '1' || value === 'YES' || value === 1n
}
