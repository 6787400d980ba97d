import { MigraphError } from '../errors.js'
import type { DialectName, LockHolder } from './dialect.js'

/** A database URL whose scheme no dialect accepts. */
export class UnknownUrlSchemeError extends MigraphError {
  override readonly name = 'UnknownUrlSchemeError'
  readonly scheme: string
  readonly accepted: readonly string[]

  constructor(display: string, scheme: string, accepted: readonly string[]) {
    super(
      'unknown-url-scheme',
      `Unknown database URL scheme '${scheme}' in '${display}'; accepted schemes are ${accepted
        .map((s) => `'${s}'`)
        .join(', ')}`,
    )
    this.scheme = scheme
    this.accepted = accepted
  }
}

/** A database URL of a known scheme whose remainder cannot be used. */
export class InvalidDatabaseUrlError extends MigraphError {
  override readonly name = 'InvalidDatabaseUrlError'
  /** The URL with its password masked. */
  readonly display: string

  constructor(display: string, reason: string) {
    super('invalid-database-url', `Invalid database URL '${display}': ${reason}`)
    this.display = display
  }
}

/** An optional database driver package is not installed. */
export class DriverMissingError extends MigraphError {
  override readonly name = 'DriverMissingError'
  readonly driver: string
  readonly installCommand: string

  constructor(driver: string, purpose: string, options?: { cause?: unknown }) {
    const installCommand = `npm install ${driver}`
    super(
      'driver-missing',
      `The '${driver}' package is needed to connect to ${purpose} but is not installed; run '${installCommand}'`,
      options,
    )
    this.driver = driver
    this.installCommand = installCommand
  }
}

/** Opening a connection failed or timed out. The message never holds the password. */
export class ConnectionError extends MigraphError {
  override readonly name = 'ConnectionError'
  readonly dialect: DialectName
  /** `host:port`, file or directory. */
  readonly location: string
  /** Set when the attempt was abandoned because it took too long. */
  readonly timeoutMs: number | undefined

  constructor(
    dialect: DialectName,
    location: string,
    detail: string,
    options?: { cause?: unknown; timeoutMs?: number | undefined },
  ) {
    super('connection-failed', `Could not connect to ${dialect} database at ${location}: ${detail}`, {
      cause: options?.cause,
    })
    this.dialect = dialect
    this.location = location
    this.timeoutMs = options?.timeoutMs
  }
}

/**
 * A read-only command was pointed at an embedded database (a SQLite file, a PGlite data
 * directory) that does not exist: most likely a wrong path, which must not read as "nothing
 * applied". Read-only commands create nothing, so they report it instead.
 */
export class DatabaseNotFoundError extends MigraphError {
  override readonly name = 'DatabaseNotFoundError'
  readonly location: string

  constructor(display: string, location: string) {
    super(
      'database-not-found',
      `the database ${display} does not exist (nothing at ${location}); check the URL, or run ` +
        "'mig upgrade' to create it (read-only commands create nothing)",
    )
    this.location = location
  }
}

/** An embedded database (PGlite data directory) is open in another process. */
export class DatabaseInUseError extends MigraphError {
  override readonly name = 'DatabaseInUseError'
  readonly location: string
  readonly lockFile: string
  readonly holder: LockHolder

  constructor(location: string, lockFile: string, holder: LockHolder) {
    super(
      'database-in-use',
      `The embedded database '${location}' is in use by process ${holder.pid ?? '?'}` +
        `${holder.host ? ` on ${holder.host}` : ''}; only one process may open it at a time. Wait for ` +
        `that process to finish, or delete '${lockFile}' if no such process is running`,
    )
    this.location = location
    this.lockFile = lockFile
    this.holder = holder
  }
}

/** The migration lock stayed held by someone else for longer than allowed. */
export class LockTimeoutError extends MigraphError {
  override readonly name = 'LockTimeoutError'
  readonly timeoutMs: number
  /** Who held the lock when we gave up, when the database could tell. */
  readonly holder: LockHolder | null
  /** The lock's name or key, as the database knows it. */
  readonly lockName: string

  constructor(location: string, lockName: string, timeoutMs: number, holder: LockHolder | null) {
    super(
      'lock-timeout',
      `Timed out after ${timeoutMs} ms waiting for the migration lock ${lockName} on ${location}; ` +
        `it is held by ${describeLockHolder(holder)}. Another migration is probably running: wait ` +
        'for it to finish, or stop that session',
    )
    this.timeoutMs = timeoutMs
    this.holder = holder
    this.lockName = lockName
  }
}

/** The database refused or lost the migration lock (other than by timing out). */
export class LockError extends MigraphError {
  override readonly name = 'LockError'
  readonly lockName: string

  constructor(lockName: string, message: string, options?: { cause?: unknown }) {
    super('lock-failed', message, options)
    this.lockName = lockName
  }
}

/** One line describing a lock holder, for messages: `pid 123 (application 'mig', host 10.0.0.2, …)`. */
export function describeLockHolder(holder: LockHolder | null): string {
  if (holder === null) return 'another session (the database did not say which)'
  const details: string[] = []
  if (holder.application) details.push(`application '${holder.application}'`)
  if (holder.host) details.push(`host ${holder.host}`)
  if (holder.since) details.push(`since ${holder.since.toISOString()}`)
  if (holder.transactionStart) details.push(`in a transaction since ${holder.transactionStart.toISOString()}`)
  if (holder.state) details.push(`state '${holder.state}'`)
  const who = holder.pid === undefined ? 'another session' : `pid ${holder.pid}`
  return details.length === 0 ? who : `${who} (${details.join(', ')})`
}

/** An UPDATE or DELETE of the version table matched other than exactly one row (as in Alembic). */
export class VersionTableRowCountError extends MigraphError {
  override readonly name = 'VersionTableRowCountError'
  readonly table: string
  readonly operation: 'update' | 'delete'
  /** The version the statement looked for. */
  readonly version: string
  /** How many rows it matched. */
  readonly found: number

  constructor(table: string, operation: 'update' | 'delete', version: string, found: number, to?: string) {
    super(
      'version-table-row-count',
      operation === 'update'
        ? `Online migration expected to match one row when updating '${version}' to '${to ?? ''}' in '${table}'; ${found} found`
        : `Online migration expected to match one row when deleting '${version}' in '${table}'; ${found} found`,
    )
    this.table = table
    this.operation = operation
    this.version = version
    this.found = found
  }
}

/** The session names no schema the version table could live in (no database selected, empty search path). */
export class VersionTableSchemaError extends MigraphError {
  override readonly name = 'VersionTableSchemaError'
  readonly location: string

  constructor(location: string, reason: string) {
    super('version-table-schema', `No schema for the version table on ${location}: ${reason}`)
    this.location = location
  }
}
