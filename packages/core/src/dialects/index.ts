import { resolve } from 'node:path'
import type { DatabaseTarget, DialectName, MigrationDialect } from './dialect.js'
import { InvalidDatabaseUrlError, UnknownUrlSchemeError } from './errors.js'
import { mysqlDialect } from './mysql-dialect.js'
import { pgliteDialect } from './pglite-dialect.js'
import { postgresDialect } from './postgres-dialect.js'
import { sqliteDialect } from './sqlite-dialect.js'
import { maskUrl } from './url.js'

export type {
  Connection,
  ConnectOptions,
  DatabaseTarget,
  DialectName,
  LockHolder,
  LockOptions,
  MigrationDialect,
  MigrationLock,
  ResolvedVersionTable,
  SqlFlavour,
  VersionTableRef,
} from './dialect.js'
export { DEFAULT_VERSION_TABLE, isResolved, MEMORY_LOCATION } from './dialect.js'
export { importDriver } from './driver-loader.js'
export {
  ConnectionError,
  DatabaseInUseError,
  DatabaseNotFoundError,
  DriverMissingError,
  describeLockHolder,
  InvalidDatabaseUrlError,
  LockError,
  LockTimeoutError,
  UnknownUrlSchemeError,
  VersionTableRowCountError,
  VersionTableSchemaError,
} from './errors.js'
export { advisoryLockKey } from './lock-polling.js'
export { mysqlDialect, mysqlLockName } from './mysql-dialect.js'
export { pgliteDialect, pgliteLockFile } from './pglite-dialect.js'
export { CLIENT_CONNECTION_CHECK_INTERVAL_MS, postgresDialect } from './postgres-dialect.js'
export { SQLITE_BUSY_TIMEOUT_MS, sqliteDialect, sqliteLockFile } from './sqlite-dialect.js'
export { maskUrl, redactSecrets, urlSecrets } from './url.js'

/** Every dialect, in the order URLs are matched. */
export const dialects: readonly MigrationDialect[] = Object.freeze([
  postgresDialect,
  pgliteDialect,
  mysqlDialect,
  sqliteDialect,
])

/** The URL prefixes `resolveTarget` accepts, for messages and help. */
export const ACCEPTED_URL_SCHEMES: readonly string[] = Object.freeze([
  'postgres://',
  'postgresql://',
  'pglite:',
  'mysql://',
  'mariadb://',
  'sqlite:',
])

/** Where the embedded default database lives, relative to the config file's folder. */
export const DEFAULT_PGLITE_DIR = '.migraph/pglite'

/**
 * Parses a database URL without connecting. No URL means the embedded PGlite database in
 * `<baseDir>/.migraph/pglite`; relative `pglite:` and `sqlite:` paths resolve against `baseDir`.
 *
 * @example resolveTarget('sqlite:app.db', '/srv/app') // { dialect: 'sqlite', location: '/srv/app/app.db', … }
 */
export function resolveTarget(url: string | undefined, baseDir: string): DatabaseTarget {
  if (url === undefined) {
    const location = resolve(baseDir, DEFAULT_PGLITE_DIR)
    return Object.freeze({
      dialect: 'pglite',
      url: `pglite:${location}`,
      display: `pglite:${location}`,
      location,
      isDefault: true,
    })
  }
  for (const dialect of dialects) {
    const target = dialect.parseUrl(url, baseDir)
    if (target) return target
  }
  const display = maskUrl(url)
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]
  if (scheme === undefined || url.trim() === '') {
    throw new InvalidDatabaseUrlError(
      display,
      `it has no scheme; start it with one of ${ACCEPTED_URL_SCHEMES.map((s) => `'${s}'`).join(', ')}`,
    )
  }
  throw new UnknownUrlSchemeError(display, scheme, ACCEPTED_URL_SCHEMES)
}

/** How messages name a target: its URL with any password masked, or the embedded default's folder. */
export function describeTarget(target: DatabaseTarget): string {
  return target.isDefault === true ? `embedded database at ${target.location}` : target.display
}

const byName: Readonly<Record<DialectName, MigrationDialect>> = Object.freeze({
  postgres: postgresDialect,
  pglite: pgliteDialect,
  mysql: mysqlDialect,
  sqlite: sqliteDialect,
})

/** The dialect object that handles a target. */
export function dialectFor(target: Pick<DatabaseTarget, 'dialect'>): MigrationDialect {
  return byName[target.dialect]
}
