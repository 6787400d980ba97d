import type { Writable } from 'node:stream'
import type { PostgresPool, PostgresPoolClient } from 'kysely'
import type pg from 'pg'
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
import { advisoryLockKey, pollForLock, toDate } from './lock-polling.js'
import { asSession, PreparedStatements, SessionConnection } from './session-connection.js'
import { once, SessionQueue, withTimeout } from './session-queue.js'
import { POSTGRES_LIMITS } from './statement-limits.js'
import {
  hostAndPort,
  maskUrl,
  normalizeNetworkUrl,
  redactSecrets,
  splitNetworkUrl,
  urlSecrets,
} from './url.js'
import {
  lockedVersionTable,
  POSTGRES_IDENTIFIER_LIMIT,
  resolvePostgresVersionTable,
} from './version-table-resolution.js'

/**
 * `pg` asks, as it loads, whether it runs on Cloudflare Workers. Node 21 and later answer at once
 * through `navigator.userAgent`; on Node 20, which has no `navigator`, `pg` builds a fetch
 * `Response` to find out, and that loads Node's whole fetch implementation (undici): some 30 ms
 * on every command that connects. The answer Node 21 would give is given while `pg` loads.
 */
const PG_LOAD_GLOBALS = { navigator: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` } }

/** How often a PostgreSQL ≥ 14 server checks, during a long statement, that we are still there. */
export const CLIENT_CONNECTION_CHECK_INTERVAL_MS = 1000

const DEFAULT_APPLICATION_NAME = 'migraph'

/**
 * PostgreSQL through `pg`, on one session. The migration lock is a session-level advisory lock
 * on {@link advisoryLockKey} of the resolved version table (by default -1740035611214028061 for
 * `public.mig_version`), taken by polling
 * `pg_try_advisory_lock` and freed by `pg_advisory_unlock` or by the session ending.
 */
export const postgresDialect: MigrationDialect = Object.freeze({
  name: 'postgres',
  sqlFlavour: 'postgres',
  transactionalDDL: true,
  dataModifyingCte: true,
  chainsTransactions: true,
  ...POSTGRES_LIMITS,
  multiSession: true,
  identifierLimit: POSTGRES_IDENTIFIER_LIMIT,
  driverPackage: 'pg',

  async serverVersionNum(executor: AnyKysely): Promise<number> {
    // Kysely loads only once a database is used, never with the dialect.
    const { sql } = await import('kysely')
    const { rows } = await sql<{
      v: number
    }>`select current_setting('server_version_num')::integer as v`.execute(executor)
    return Number(rows[0]?.v)
  },

  parseUrl(url: string): DatabaseTarget | null {
    if (!/^postgres(ql)?:/i.test(url)) return null
    const parts = splitNetworkUrl(url)
    if (!parts)
      throw new InvalidDatabaseUrlError(maskUrl(url), "write 'postgres://user:password@host:port/database'")
    const hostParam = parts.query.find(([key]) => key === 'host')?.[1]
    const portParam = Number(parts.query.find(([key]) => key === 'port')?.[1] ?? Number.NaN)
    const host = parts.host || hostParam || 'localhost'
    const port = parts.port ?? (Number.isInteger(portParam) ? portParam : 5432)
    return Object.freeze({
      dialect: 'postgres',
      url,
      display: maskUrl(url),
      location: hostAndPort(host, port),
    })
  },

  async connect(target: DatabaseTarget, options: ConnectOptions): Promise<Connection> {
    const parts = splitNetworkUrl(target.url)
    if (!parts) throw new ConnectionError('postgres', target.location, 'the URL is not a postgres:// URL')
    const driver = interopDefault(
      await importDriver<typeof pg | { default: typeof pg }>('pg', 'PostgreSQL', PG_LOAD_GLOBALS),
    )
    const client = new driver.Client({
      connectionString: normalizeNetworkUrl(parts, 'postgres'),
      connectionTimeoutMillis: options.connectTimeoutMs,
      application_name: options.applicationName ?? DEFAULT_APPLICATION_NAME,
      keepAlive: true,
    })
    // Without a listener a dropped session would crash the process; the next query reports it.
    client.on('error', () => undefined)
    try {
      await withTimeout(
        client.connect(),
        options.connectTimeoutMs,
        () =>
          new ConnectionError('postgres', target.location, 'timed out', {
            timeoutMs: options.connectTimeoutMs,
          }),
      )
      await configureSession(client)
    } catch (error) {
      client.end().catch(() => undefined)
      if (error instanceof ConnectionError) throw error
      const detail = redactSecrets(
        error instanceof Error ? error.message : String(error),
        urlSecrets(target.url),
      )
      throw new ConnectionError('postgres', target.location, detail, { cause: error })
    }
    const { Kysely, PostgresDialect } = await import('kysely')
    const end = once(() => endSession(client))
    const prepared = new PreparedStatements()
    const db = new Kysely<AnyDatabase>({
      dialect: new PostgresDialect({ pool: singleSessionPool(client, prepared, end) }),
    })
    return new SessionConnection(db, target, end, prepared)
  },

  resolveVersionTable(connection: Connection, ref: VersionTableRef): Promise<ResolvedVersionTable> {
    return resolvePostgresVersionTable(connection.db, ref, connection.target.location)
  },

  async acquireLock(connection: Connection, options: LockOptions): Promise<MigrationLock> {
    const session = asSession(connection)
    const { sql } = await import('kysely')
    const versionTable = await lockedVersionTable(postgresDialect, connection, options.versionTable)
    const key = advisoryLockKey(versionTable).toString()
    const lockName = `advisory lock ${key}`
    await pollForLock(
      {
        location: session.target.location,
        lockName,
        tryAcquire: async () => {
          const result = await sql<{
            locked: boolean
          }>`select pg_try_advisory_lock(${key}::bigint) as locked`.execute(session.db)
          return result.rows[0]?.locked === true
        },
        describeHolder: () => postgresLockHolder(session.db, key),
      },
      options,
    )
    return session.track(async () => {
      const result = await sql<{
        unlocked: boolean
      }>`select pg_advisory_unlock(${key}::bigint) as unlocked`.execute(session.db)
      if (result.rows[0]?.unlocked !== true) {
        throw new LockError(
          lockName,
          `The migration ${lockName} on ${session.target.location} was no longer held by this session when ` +
            'releasing it; the session may have been reset, so another run may have overlapped with this one',
        )
      }
    })
  },
})

/**
 * Ends the session: `pg` sends Terminate and closes our side of the socket. Resolves once that
 * has gone to the operating system, rather than when the server has closed its side too, as
 * `client.end()` does: that waits for the backend process to exit (7 to 8 ms on loopback), with
 * nothing left to say. The server ends the session, and frees its locks, when it reads Terminate.
 */
function endSession(client: pg.Client): Promise<void> {
  const ended = client.end()
  const stream = (client as unknown as { connection?: { stream?: Writable } }).connection?.stream
  if (stream === undefined || typeof stream.once !== 'function') return ended
  if (stream.writableFinished || stream.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    stream.once('finish', resolve)
    stream.once('close', resolve)
    ended.then(resolve, resolve)
  })
}

async function configureSession(client: pg.Client): Promise<void> {
  // Lets the server notice a killed client during a long statement, so its locks go at once.
  // One round trip: servers before 14 have no such setting, and there the filter, evaluated
  // once before the volatile `set_config`, leaves it unevaluated (asking `pg_settings` instead
  // costs a new session 2 to 3 ms of catalog reads). A server or proxy that refuses the setting
  // still works; it only notices later.
  await client
    .query(
      `select set_config('client_connection_check_interval', '${CLIENT_CONNECTION_CHECK_INTERVAL_MS}', false) where current_setting('server_version_num')::integer >= 140000`,
    )
    .catch(() => undefined)
}

function singleSessionPool(
  client: pg.Client,
  prepared: PreparedStatements,
  end: () => Promise<void>,
): PostgresPool {
  const queue = new SessionQueue()
  // `pg` parses a named statement once per session and sends only its name afterwards.
  const query = ((text: unknown, values?: unknown[]) => {
    const name = typeof text === 'string' ? prepared.nameOf(text) : undefined
    return name === undefined
      ? client.query(text as string, values)
      : client.query({ name, text: text as string, values })
  }) as unknown as PostgresPoolClient['query']
  return {
    connect: async () => ({ query, release: await queue.lease() }),
    end,
  }
}

async function postgresLockHolder(db: AnyKysely, key: string): Promise<LockHolder | null> {
  const { sql } = await import('kysely')
  // A bigint advisory key appears in pg_locks split into classid (high half) and objid (low half).
  const result = await sql<{
    pid: number
    application_name: string | null
    client_addr: string | null
    client_hostname: string | null
    backend_start: Date | string | null
    xact_start: Date | string | null
    state: string | null
  }>`
    select a.pid, a.application_name, host(a.client_addr) as client_addr, a.client_hostname,
      a.backend_start, a.xact_start, a.state
    from pg_catalog.pg_locks l
    join pg_catalog.pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.objsubid = 1
      and l.database = (select oid from pg_catalog.pg_database where datname = current_database())
      and l.classid::bigint = ((${key}::bigint >> 32) & 4294967295)
      and l.objid::bigint = (${key}::bigint & 4294967295)
      and l.pid <> pg_backend_pid()
    limit 1`.execute(db)
  const row = result.rows[0]
  if (!row) return null
  return {
    pid: row.pid,
    application: row.application_name || undefined,
    host: row.client_hostname || row.client_addr || undefined,
    since: toDate(row.backend_start),
    transactionStart: toDate(row.xact_start),
    state: row.state ?? undefined,
  }
}
