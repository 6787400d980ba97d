import type { AnyKysely, Connection, DatabaseTarget, MigrationLock } from './dialect.js'

/**
 * The statements a session keeps prepared on the server, by text: each is parsed and planned on
 * its first run, and later runs send only its name and values. Only what migraph sends once per
 * step is registered (the version-table change and its history entry), never a revision's own
 * SQL.
 */
export class PreparedStatements {
  readonly #names = new Map<string, string>()

  add(sql: string): void {
    if (!this.#names.has(sql)) this.#names.set(sql, `migraph_${this.#names.size + 1}`)
  }

  /** The statement's name on the server, if it is to be prepared. */
  nameOf(sql: string): string | undefined {
    return this.#names.get(sql)
  }
}

/**
 * The connection every dialect returns: a Kysely on one session, plus the locks taken on it so
 * that `close()` can release them before the session goes.
 */
export class SessionConnection implements Connection {
  readonly db: AnyKysely
  readonly target: DatabaseTarget
  readonly #locks = new Set<MigrationLock>()
  readonly #afterClose: (() => Promise<void> | void) | undefined
  readonly #prepared: PreparedStatements | undefined
  readonly #ownsDriver: boolean
  #closing: Promise<void> | undefined

  /**
   * `afterClose` must end the underlying session itself: Kysely only tears down a driver it has
   * used, so a connection that never ran a query would otherwise stay open. `prepared` is the
   * registry the session's driver consults, where the dialect has server-side prepared
   * statements. `ownsDriver: false` is for a session borrowed from the application's own Kysely
   * or pool: closing gives the session back (through `afterClose`) and leaves the driver open.
   */
  constructor(
    db: AnyKysely,
    target: DatabaseTarget,
    afterClose?: () => Promise<void> | void,
    prepared?: PreparedStatements,
    options: { readonly ownsDriver?: boolean } = {},
  ) {
    this.db = db
    this.target = target
    this.#afterClose = afterClose
    this.#prepared = prepared
    this.#ownsDriver = options.ownsDriver ?? true
  }

  prepare(sql: string): void {
    this.#prepared?.add(sql)
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#closing !== undefined
  }

  /** Wraps `release` so it runs once and the lock is forgotten by `close()` afterwards. */
  track(release: () => Promise<void>): MigrationLock {
    let releasing: Promise<void> | undefined
    const lock: MigrationLock = {
      release: () => {
        releasing ??= (async () => {
          this.#locks.delete(lock)
          await release()
        })()
        return releasing
      },
    }
    this.#locks.add(lock)
    return lock
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        for (const lock of [...this.#locks]) {
          // The session is going anyway, and closing it frees server-side locks; a failed
          // release must not keep the connection open.
          await lock.release().catch(() => undefined)
        }
        if (this.#ownsDriver) await this.db.destroy()
      } finally {
        await this.#afterClose?.()
      }
    })()
    return this.#closing
  }
}

/** The connection as the dialects build it; anything else cannot carry a lock. */
export function asSession(connection: Connection): SessionConnection {
  if (!(connection instanceof SessionConnection)) {
    throw new TypeError("acquireLock needs a connection returned by a migraph dialect's connect()")
  }
  return connection
}
