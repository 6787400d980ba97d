import { ConfigError } from '../errors.js'
import type {
  AnyDatabase,
  AnyKysely,
  Connection,
  DatabaseTarget,
  DialectName,
  MigrationDialect,
} from './dialect.js'
import { MEMORY_LOCATION } from './dialect.js'
import { ConnectionError } from './errors.js'
import { dialectFor } from './index.js'
import { postgresDialect } from './postgres-dialect.js'
import { SessionConnection } from './session-connection.js'
import { hostAndPort, maskUrl, redactSecrets, urlSecrets } from './url.js'

/**
 * An application's own Kysely instance, as far as migraph needs it. Typed structurally so that a
 * Kysely from another copy of the package (the application's) is accepted as well.
 */
export interface KyselyLike {
  getExecutor(): { readonly adapter: object }
  withoutPlugins(): unknown
  connection(): unknown
  selectFrom(...args: never[]): unknown
}

/** A `pg` Pool (node-postgres), as far as migraph needs it. */
export interface PgPoolLike {
  connect(): Promise<unknown>
  query(...args: never[]): unknown
  end(): Promise<void>
  readonly totalCount: number
  readonly options?: object | undefined
}

/** Where a shared connection comes from: sessions borrowed one at a time, never closed by migraph. */
export interface ConnectionSource {
  /** What the source connects to, as messages name it (never with a password). */
  readonly target: DatabaseTarget
  /** The dialect that drives its sessions. */
  readonly dialect: MigrationDialect
  /** Borrows one session; `close()` on it gives the session back and leaves the source open. */
  open(): Promise<Connection>
}

/** True for a Kysely instance (any copy of the package). */
export function isKyselyLike(value: unknown): value is KyselyLike {
  const candidate = value as Partial<KyselyLike> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.getExecutor === 'function' &&
    typeof candidate.connection === 'function' &&
    typeof candidate.withoutPlugins === 'function'
  )
}

/** True for a `pg` Pool. */
export function isPgPoolLike(value: unknown): value is PgPoolLike {
  const candidate = value as Partial<PgPoolLike> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.connect === 'function' &&
    typeof candidate.query === 'function' &&
    typeof candidate.totalCount === 'number'
  )
}

/** Kysely's adapter classes, by the dialect whose SQL they speak. */
const ADAPTERS: Readonly<Record<string, DialectName>> = Object.freeze({
  PostgresAdapter: 'postgres',
  MysqlAdapter: 'mysql',
  SqliteAdapter: 'sqlite',
})

/**
 * The SQL a Kysely adapter speaks, by its class name (or a parent's: a wrapper dialect's adapter
 * may extend a known one); undefined for an adapter migraph does not recognise. By name, not
 * `instanceof`, so that the application's own copy of Kysely is recognised too.
 */
export function adapterFlavour(adapter: object): 'postgres' | 'mysql' | 'sqlite' | undefined {
  for (let prototype = Object.getPrototypeOf(adapter); prototype !== null; ) {
    const name = (prototype.constructor as { name?: string } | undefined)?.name
    const found = name === undefined ? undefined : ADAPTERS[name]
    if (found !== undefined) return found as 'postgres' | 'mysql' | 'sqlite'
    prototype = Object.getPrototypeOf(prototype)
  }
  return undefined
}

/**
 * The migraph dialect for a Kysely instance, from its adapter; `dialect` overrides it (needed
 * only for a third-party adapter migraph does not recognise).
 */
export function kyselyDialect(db: KyselyLike, dialect?: DialectName): DialectName {
  if (dialect !== undefined) return dialect
  const adapter = db.getExecutor().adapter
  const found = adapterFlavour(adapter)
  if (found !== undefined) return found
  throw new ConfigError(
    `the shared Kysely instance's adapter (${adapter.constructor.name}) is not PostgreSQL, MySQL or SQLite; pass the dialect option ('postgres', 'mysql' or 'sqlite')`,
  )
}

/**
 * Sessions borrowed from the application's Kysely instance. Its plugins are left out (migraph's
 * bookkeeping queries must reach the database as written), and it is never destroyed.
 *
 * SQLite has no server to hold a lock: on a shared SQLite Kysely the migration lock is not
 * taken, as for an in-memory database; the application, which owns the connection, serialises.
 */
export function kyselySource(db: KyselyLike, dialect?: DialectName): ConnectionSource {
  const name = kyselyDialect(db, dialect)
  const label = `shared Kysely instance (${name})`
  const target: DatabaseTarget = Object.freeze({
    dialect: name,
    url: '',
    display: label,
    location: name === 'sqlite' ? MEMORY_LOCATION : label,
  })
  // Whether its driver takes several statements in one text is not known (PGlite's does not).
  const driving = Object.freeze({ ...dialectFor(target), chainsTransactions: false })
  return { target, dialect: driving, open: () => pinSession(db.withoutPlugins() as AnyKysely, target) }
}

/**
 * Sessions borrowed from the application's `pg` Pool: each command takes one client for its
 * whole run (the advisory lock lives on that session) and gives it back; the pool stays open.
 */
export async function pgPoolSource(pool: PgPoolLike): Promise<ConnectionSource> {
  const { Kysely, PostgresDialect } = await import('kysely')
  const db = new Kysely<AnyDatabase>({
    dialect: new PostgresDialect({ pool: pool as unknown as import('kysely').PostgresPool }),
  })
  const target = poolTarget(pool)
  return { target, dialect: postgresDialect, open: () => pinSession(db, target) }
}

/** The pool's database as messages name it: `postgres://user@host:port/db (shared pool)`. */
function poolTarget(pool: PgPoolLike): DatabaseTarget {
  const options = (pool.options ?? {}) as {
    connectionString?: string
    host?: string
    port?: number | string
    user?: string
    database?: string
  }
  let display: string
  let location: string
  if (typeof options.connectionString === 'string' && options.connectionString !== '') {
    display = maskUrl(options.connectionString)
    const parsed = safeUrl(options.connectionString)
    location = hostAndPort(parsed?.hostname || 'localhost', Number(parsed?.port || 5432))
  } else {
    const host = options.host ?? process.env.PGHOST ?? 'localhost'
    const port = Number(options.port ?? process.env.PGPORT ?? 5432)
    location = hostAndPort(host, port)
    const user = options.user ?? process.env.PGUSER
    const database = options.database ?? process.env.PGDATABASE ?? ''
    display = `postgres://${user === undefined ? '' : `${encodeURIComponent(user)}@`}${location}/${database}`
  }
  return Object.freeze({ dialect: 'postgres', url: '', display: `${display} (shared pool)`, location })
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

/**
 * Holds one connection of `db` until the returned connection is closed: Kysely's
 * `connection().execute` pins a session for the callback's lifetime, and the callback waits.
 */
async function pinSession(db: AnyKysely, target: DatabaseTarget): Promise<Connection> {
  let giveBack!: () => void
  const returned = new Promise<void>((resolve) => {
    giveBack = resolve
  })
  let pinned!: (session: AnyKysely) => void
  const ready = new Promise<AnyKysely>((resolve) => {
    pinned = resolve
  })
  const held = db.connection().execute(async (session: AnyKysely) => {
    pinned(session)
    await returned
  })
  // A session lost while in use is reported by the query that meets it, not here.
  held.catch(() => undefined)
  let session: AnyKysely
  try {
    session = await Promise.race([ready, held.then(() => ready)])
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new ConnectionError(
      target.dialect,
      target.location,
      redactSecrets(detail, urlSecrets(target.url)),
      {
        cause: error,
      },
    )
  }
  return new SessionConnection(
    session,
    target,
    async () => {
      giveBack()
      await held.catch(() => undefined)
    },
    undefined,
    { ownsDriver: false },
  )
}
