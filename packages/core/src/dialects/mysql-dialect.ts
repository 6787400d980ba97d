import type { MysqlPool, MysqlPoolConnection } from 'kysely'
import type mysql from 'mysql2'
import { sha256Hex } from '../digest.js'
import type {
  AnyDatabase,
  AnyKysely,
  Connection,
  ConnectOptions,
  DatabaseTarget,
  LockHolder,
  LockOptions,
  MigrationDialect,
  MigrationLock,
  ResolvedVersionTable,
  VersionTableRef,
} from './dialect.js'
import { importDriver, interopDefault } from './driver-loader.js'
import { ConnectionError, InvalidDatabaseUrlError, LockError } from './errors.js'
import { pollForLock } from './lock-polling.js'
import { asSession, SessionConnection } from './session-connection.js'
import { once, SessionQueue, withTimeout } from './session-queue.js'
import { MYSQL_LIMITS } from './statement-limits.js'
import { hostAndPort, maskUrl, redactSecrets, splitNetworkUrl, urlSecrets } from './url.js'
import {
  lockedVersionTable,
  MYSQL_IDENTIFIER_LIMIT,
  resolveMysqlVersionTable,
} from './version-table-resolution.js'

/** MySQL and MariaDB refuse user-lock names longer than this. */
const MAX_LOCK_NAME_LENGTH = 64

/**
 * MySQL and MariaDB through `mysql2`, on one connection with `multipleStatements` off. The
 * migration lock is the user-level lock {@link mysqlLockName} taken by polling `GET_LOCK(name, 0)`
 * (1 = ours, 0 = held elsewhere, NULL = error) and freed by `RELEASE_LOCK` or by the connection
 * ending. DDL commits implicitly here, so `transactionalDDL` is false.
 */
export const mysqlDialect: MigrationDialect = Object.freeze({
  name: 'mysql',
  sqlFlavour: 'mysql',
  transactionalDDL: false,
  dataModifyingCte: false,
  chainsTransactions: false,
  ...MYSQL_LIMITS,
  multiSession: true,
  identifierLimit: MYSQL_IDENTIFIER_LIMIT,
  driverPackage: 'mysql2',

  parseUrl(url: string): DatabaseTarget | null {
    if (!/^(mysql|mariadb):/i.test(url)) return null
    const parts = splitNetworkUrl(url)
    if (!parts)
      throw new InvalidDatabaseUrlError(maskUrl(url), "write 'mysql://user:password@host:port/database'")
    const location = hostAndPort(unbracket(parts.host) || 'localhost', parts.port ?? 3306)
    return Object.freeze({ dialect: 'mysql', url, display: maskUrl(url), location })
  },

  async connect(target: DatabaseTarget, options: ConnectOptions): Promise<Connection> {
    const parts = splitNetworkUrl(target.url)
    if (!parts) throw new ConnectionError('mysql', target.location, 'the URL is not a mysql:// URL')
    const driver = interopDefault(
      await importDriver<typeof mysql | { default: typeof mysql }>('mysql2', 'MySQL or MariaDB'),
    )
    const extra: Record<string, unknown> = {}
    for (const [key, value] of parts.query) extra[key] = parseOptionValue(value)
    const raw = driver.createConnection({
      ...extra,
      host: unbracket(parts.host) || 'localhost',
      port: parts.port ?? 3306,
      user: parts.user || undefined,
      password: parts.password,
      database: parts.path || undefined,
      connectTimeout: options.connectTimeoutMs,
      multipleStatements: false,
      connectAttributes: { program_name: options.applicationName ?? 'migraph' },
    })
    // Without a listener a dropped connection would crash the process; the next query reports it.
    raw.on('error', () => undefined)
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => raw.connect((error) => (error ? reject(error) : resolve()))),
        options.connectTimeoutMs,
        () =>
          new ConnectionError('mysql', target.location, 'timed out', { timeoutMs: options.connectTimeoutMs }),
      )
    } catch (error) {
      raw.destroy()
      if (error instanceof ConnectionError) throw error
      const detail = redactSecrets(
        error instanceof Error ? error.message : String(error),
        urlSecrets(target.url),
      )
      throw new ConnectionError('mysql', target.location, detail, { cause: error })
    }
    const { Kysely, MysqlDialect } = await import('kysely')
    const end = once(
      () => new Promise<void>((resolve) => raw.end((error) => (error ? resolve(raw.destroy()) : resolve()))),
    )
    const db = new Kysely<AnyDatabase>({
      dialect: new MysqlDialect({ pool: singleConnectionPool(raw, end) }),
    })
    return new SessionConnection(db, target, end)
  },

  resolveVersionTable(connection: Connection, ref: VersionTableRef): Promise<ResolvedVersionTable> {
    return resolveMysqlVersionTable(connection.db, ref, connection.target.location)
  },

  async acquireLock(connection: Connection, options: LockOptions): Promise<MigrationLock> {
    const session = asSession(connection)
    const { sql } = await import('kysely')
    const name = mysqlLockName(await lockedVersionTable(mysqlDialect, connection, options.versionTable))
    await pollForLock(
      {
        location: session.target.location,
        lockName: `'${name}'`,
        tryAcquire: async () => {
          const result = await sql<{ locked: number | null }>`select get_lock(${name}, 0) as locked`.execute(
            session.db,
          )
          const locked = result.rows[0]?.locked
          if (locked === null || locked === undefined) {
            throw new LockError(
              name,
              `GET_LOCK('${name}') failed on ${session.target.location} (it returned NULL)`,
            )
          }
          return Number(locked) === 1
        },
        describeHolder: () => mysqlLockHolder(session.db, name),
      },
      options,
    )
    return session.track(async () => {
      const result = await sql<{ released: number | null }>`select release_lock(${name}) as released`.execute(
        session.db,
      )
      if (Number(result.rows[0]?.released) !== 1) {
        throw new LockError(
          name,
          `The migration lock '${name}' on ${session.target.location} was no longer held by this connection ` +
            'when releasing it; another run may have overlapped with this one',
        )
      }
    })
  },
})

/**
 * The `GET_LOCK` name: the resolved version table's `lockText`, `migraph:<database>.<table>`
 * (user locks are server-wide, so the database must be part of the name). Names over 64
 * characters become `migraph:` + a SHA-256 prefix.
 */
export function mysqlLockName(versionTable: ResolvedVersionTable): string {
  const name = versionTable.lockText
  if (name.length <= MAX_LOCK_NAME_LENGTH) return name
  const prefix = 'migraph:'
  const digest = sha256Hex(name)
  return `${prefix}${digest.slice(0, MAX_LOCK_NAME_LENGTH - prefix.length)}`
}

function singleConnectionPool(raw: mysql.Connection, end: () => Promise<void>): MysqlPool {
  const queue = new SessionQueue()
  const query = raw.query.bind(raw) as unknown as MysqlPoolConnection['query']
  return {
    getConnection: (callback) => {
      queue.lease().then(
        (release) => callback(null, { query, release }),
        (error: unknown) => callback(error, undefined as never),
      )
    },
    end: (callback) => {
      end().then(() => callback(null), callback)
    },
  }
}

async function mysqlLockHolder(db: AnyKysely, name: string): Promise<LockHolder | null> {
  const { sql } = await import('kysely')
  const used = await sql<{ holder: number | string | null }>`select is_used_lock(${name}) as holder`.execute(
    db,
  )
  const id = used.rows[0]?.holder
  if (id === null || id === undefined) return null
  const process = await sql<{
    HOST: string | null
    COMMAND: string | null
    STATE: string | null
    TIME: number | null
  }>`
    select HOST, COMMAND, STATE, TIME from information_schema.PROCESSLIST where ID = ${id}`.execute(db)
  const row = process.rows[0]
  let application: string | undefined
  try {
    const attrs = await sql<{ value: string | null }>`
      select ATTR_VALUE as value from performance_schema.session_connect_attrs
      where PROCESSLIST_ID = ${id} and ATTR_NAME = 'program_name'`.execute(db)
    application = attrs.rows[0]?.value ?? undefined
  } catch {
    // performance_schema is often disabled (MariaDB's default); the application is then unknown.
  }
  const state = row?.COMMAND
    ? `${row.COMMAND}${row.STATE ? ` (${row.STATE})` : ''} for ${row.TIME ?? 0} s`
    : undefined
  return { pid: Number(id), application, host: row?.HOST ?? undefined, state }
}

function parseOptionValue(value: string): unknown {
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}
