import type { Kysely } from 'kysely'
import type { RevisionLimits } from '../config/revision-limits.js'
import type { IdentifierLimit } from '../config/version-table-name.js'

/** The database type of a Kysely whose tables migrations create as they go, unknown at compile time. */
// biome-ignore lint/suspicious/noExplicitAny: the schema is unknown statically, as in Kysely's own Migration interface
export type AnyDatabase = any

/** A Kysely over tables no static schema describes. */
export type AnyKysely = Kysely<AnyDatabase>

/** The database engines migraph talks to. `pglite` is the embedded default. */
export type DialectName = 'postgres' | 'pglite' | 'mysql' | 'sqlite'

/** The SQL flavour the operations compiler emits for a dialect. */
export type SqlFlavour = 'postgres' | 'mysql' | 'sqlite'

/** A database URL parsed without connecting: the dialect is known from the scheme alone. */
export interface DatabaseTarget {
  readonly dialect: DialectName
  /** The URL as given; may hold a password. Never print it: use `display`. */
  readonly url: string
  /** The URL with any password masked (`postgres://user:***@host:5432/db`). */
  readonly display: string
  /**
   * `host:port` for network dialects; the absolute file or directory for embedded ones, or
   * `:memory:` for an in-memory database.
   */
  readonly location: string
  /** True for the embedded database used when no URL is configured (`.migraph/pglite`). */
  readonly isDefault?: boolean | undefined
}

/** Where the version table lives. */
export interface VersionTableRef {
  readonly table: string
  readonly schema?: string | undefined
}

/**
 * A version table as the database identifies it, from {@link MigrationDialect.resolveVersionTable}:
 * the schema is explicit (the one the session's default would pick), so every bookkeeping query
 * names the same table whatever a revision does to the session, and two spellings of one table
 * (`versionTableSchema: 'public'` and none) take one lock.
 */
export interface ResolvedVersionTable extends VersionTableRef {
  readonly schema: string
  /**
   * The text the migration lock's name or key is derived from: `migraph:<schema>.<table>`, with
   * names folded as the database compares them.
   */
  readonly lockText: string
}

/** How to open a connection. */
export interface ConnectOptions {
  /** Give up connecting after this long (default 10 s), with an error naming `location`. */
  readonly connectTimeoutMs: number
  /** Shown to other sessions while we hold the lock (PostgreSQL application_name). */
  readonly applicationName?: string | undefined
  /**
   * For a database only one process may open at a time (a PGlite data directory): how long to
   * wait for it to be free, and how to report the wait; on timeout, a LockTimeoutError. Without
   * it, `connect` fails at once with a DatabaseInUseError.
   */
  readonly waitForDatabase?: Pick<LockOptions, 'timeoutMs' | 'onWait'> | undefined
  /** Told what a slow first connection is doing (an embedded database being created). */
  readonly notice?: ((message: string) => void) | undefined
}

/** An open connection. All work of one command runs on this one session. */
export interface Connection {
  /**
   * Kysely bound to a single underlying database session. Work queues for that one session, so
   * inside `db.transaction().execute(cb)` use the callback's `trx`, never `db` (it would wait
   * for the transaction to end).
   */
  readonly db: AnyKysely
  /** The target this connection was opened for. */
  readonly target: DatabaseTarget
  /**
   * Asks the session to keep a statement it will send many times (the text of a compiled query)
   * prepared on the server after its first run, so later runs skip parsing and planning. A hint:
   * a dialect without server-side prepared statements ignores it.
   */
  prepare(sql: string): void
  /** Releases any lock still held, then closes the session. Safe to call twice. */
  close(): Promise<void>
  /**
   * Where the dialect has one: registers `hook` to run in `close()` once the database itself is
   * closed, while this process still holds it alone (before an embedded database's lock file is
   * released). A hook must not throw.
   */
  readonly onClosedExclusively?: ((hook: () => void) => void) | undefined
}

/** What the database says about whoever holds the migration lock. */
export interface LockHolder {
  /** Server backend pid (PostgreSQL), connection id (MySQL) or OS pid (SQLite, PGlite). */
  readonly pid?: number | string | undefined
  readonly application?: string | undefined
  /** Client address of the holder's session, or the holder's host name for file locks. */
  readonly host?: string | undefined
  /** When the holder's session (or, for file locks, its lock) started. */
  readonly since?: Date | undefined
  /** When the holder's current transaction started, if it is in one (PostgreSQL). */
  readonly transactionStart?: Date | undefined
  /** The holder's session state, e.g. `idle in transaction` (PostgreSQL, MySQL). */
  readonly state?: string | undefined
}

/** How long to wait for the migration lock, and how to report the wait. */
export interface LockOptions {
  readonly timeoutMs: number
  /** Called once when we start waiting, then every few seconds while we wait. */
  readonly onWait?: ((holder: LockHolder | null, waitedMs: number) => void) | undefined
  /**
   * The lock protects this version table; its name is derived from the table as
   * `resolveVersionTable` resolves it (default `mig_version`).
   */
  readonly versionTable?: VersionTableRef | ResolvedVersionTable | undefined
}

/** A held migration lock; released explicitly, and by the database if the process dies. */
export interface MigrationLock {
  /** Releases the lock; a second call does nothing. */
  release(): Promise<void>
  /**
   * Throws a LockError when the lock is known to be lost: a table lock whose lease could not
   * be renewed, or was taken over. Locks the database holds for the session never are.
   */
  check?(): void
}

/** One object per dialect holds every difference between databases (STYLE.md). */
export interface MigrationDialect {
  readonly name: DialectName
  readonly sqlFlavour: SqlFlavour
  /** DDL commits with the transaction (false on MySQL/MariaDB, whose DDL commits implicitly). */
  readonly transactionalDDL: boolean
  /**
   * A statement may change data inside `WITH` (PostgreSQL): a step's version-table change and
   * its history entry then travel in one round trip.
   */
  readonly dataModifyingCte: boolean
  /**
   * Whether the session takes several statements in one text, so that one transaction's COMMIT
   * and the next one's BEGIN reach the server together: one round trip per revision saved.
   */
  readonly chainsTransactions: boolean
  /**
   * Several sessions can work on the database at once (a server). False for an embedded
   * database, which one process opens (PGlite) or one writer holds (SQLite): there the native
   * lock stands in for `lock: 'table'`, whose lease could not be renewed beside a writer.
   */
  readonly multiSession: boolean
  /** The longest table or schema name the database keeps whole; null when it has no limit. */
  readonly identifierLimit: IdentifierLimit | null
  /** The npm package that must be installed to connect (`null` when it ships with migraph). */
  readonly driverPackage: string | null
  /** Parse a URL of this dialect, or return null when the scheme is not ours. */
  parseUrl(url: string, baseDir: string): DatabaseTarget | null
  connect(target: DatabaseTarget, options: ConnectOptions): Promise<Connection>
  /**
   * Makes the version table's schema explicit on this session: PostgreSQL takes the schema of
   * the table the search path finds, else `current_schema()`; MySQL the current database; SQLite
   * `main`. Reads only.
   */
  resolveVersionTable(connection: Connection, ref: VersionTableRef): Promise<ResolvedVersionTable>
  acquireLock(connection: Connection, options: LockOptions): Promise<MigrationLock>
  /**
   * For embedded databases: whether the file or data directory exists, so read-only commands
   * can report an empty database instead of creating one. Server dialects leave it undefined.
   */
  databaseExists?(target: DatabaseTarget): boolean
  /**
   * For a database one process opens at a time (an embedded data directory): a string that
   * changes whenever the database may have changed, computed without opening it, or undefined
   * when it cannot be trusted now (another process may hold the database, or it does not exist).
   * `heldHere` says the caller itself holds it exclusively (it closed it and keeps its lock).
   */
  stateFingerprint?(target: DatabaseTarget, heldHere?: boolean): string | undefined
  /**
   * Puts a revision's lock and statement timeouts in force on `executor` before it runs: inside
   * its transaction where it has one. Returns how to undo a setting that outlives the revision
   * (a session setting), called after it, or nothing. Absent where the database has no such
   * limits (SQLite, whose single writer holds the lock for the whole run).
   */
  applyLimits?(
    executor: AnyKysely,
    limits: RevisionLimits,
    context: { readonly inTransaction: boolean; readonly connection: Connection },
  ): Promise<(() => Promise<void>) | undefined>
  /** Whether `error`, or an error it was caused by, is the database giving up waiting for a lock. */
  isLockTimeout?(error: unknown): boolean
  /**
   * The server's release as PostgreSQL's `server_version_num` (120000 for 12.0), for statements
   * whose transactional behaviour changed between releases. Absent where none did (and on PGlite,
   * always a recent release).
   */
  serverVersionNum?(executor: AnyKysely): Promise<number>
}

/** The version table used when the config names none. */
export const DEFAULT_VERSION_TABLE: VersionTableRef = Object.freeze({ table: 'mig_version' })

/** Whether a version table reference came from `resolveVersionTable`. */
export function isResolved(ref: VersionTableRef | ResolvedVersionTable): ref is ResolvedVersionTable {
  return 'lockText' in ref && typeof ref.lockText === 'string' && ref.schema !== undefined
}

/** The `location` of an in-memory embedded database (`pglite:memory:`, `sqlite::memory:`). */
export const MEMORY_LOCATION = ':memory:'
