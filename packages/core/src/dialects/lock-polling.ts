import { nodeCrypto } from '../digest.js'
import type { LockHolder, LockOptions, ResolvedVersionTable } from './dialect.js'
import { LockTimeoutError } from './errors.js'
import { sleep } from './session-queue.js'

/** How often a waiter retries a non-blocking lock attempt. */
export const LOCK_POLL_INTERVAL_MS = 200
/** How often `onWait` is called again while waiting. */
export const LOCK_REPORT_INTERVAL_MS = 5000

/** A lock taken by retrying a non-blocking attempt; see {@link pollForLock}. */
export interface PolledLock {
  /** `host:port` or file, for the timeout message. */
  readonly location: string
  /** The lock's name or key as the database knows it. */
  readonly lockName: string
  /** One non-blocking attempt: true when the lock is now ours. */
  tryAcquire(): Promise<boolean>
  /** Who holds the lock, best effort. */
  describeHolder(): Promise<LockHolder | null>
}

/**
 * Retries `tryAcquire` until it succeeds or `timeoutMs` passes, reporting the holder through
 * `onWait`. Polling rather than blocking in the server keeps the waiter out of the server's
 * lock queue, where it could make the holder's own statements (PostgreSQL's `CREATE INDEX
 * CONCURRENTLY`) fail with a deadlock.
 */
export async function pollForLock(lock: PolledLock, options: LockOptions): Promise<void> {
  const started = Date.now()
  let nextReport = 0
  for (;;) {
    if (await lock.tryAcquire()) return
    const waited = Date.now() - started
    if (waited >= options.timeoutMs) {
      throw new LockTimeoutError(lock.location, lock.lockName, options.timeoutMs, await safeHolder(lock))
    }
    if (options.onWait && waited >= nextReport) {
      options.onWait(await safeHolder(lock), waited)
      nextReport = waited + LOCK_REPORT_INTERVAL_MS
    }
    await sleep(Math.min(LOCK_POLL_INTERVAL_MS, Math.max(1, options.timeoutMs - waited)))
  }
}

async function safeHolder(lock: PolledLock): Promise<LockHolder | null> {
  try {
    return await lock.describeHolder()
  } catch {
    // Holder details are a courtesy; failing to read them must not hide the lock's own outcome.
    return null
  }
}

/**
 * The PostgreSQL advisory lock key: the first 8 bytes of SHA-256 of the version table's
 * `lockText` (`migraph:<schema>.<table>`), read as a signed big-endian 64-bit integer. Fixed for
 * a given table, so every migraph process (any version, any host) computes the same key, however
 * the config spells the table. For the default `public.mig_version` the key is
 * -1740035611214028061, so `select * from pg_locks where locktype = 'advisory'` shows it as
 * classid 3889833684, objid 2836325091, objsubid 1.
 */
export function advisoryLockKey(versionTable: ResolvedVersionTable): bigint {
  return nodeCrypto().createHash('sha256').update(versionTable.lockText).digest().readBigInt64BE(0)
}

/** A file-name-safe form of the version table's `lockText`, for lock files beside embedded databases. */
export function lockFileStem(versionTable: ResolvedVersionTable): string {
  return versionTable.lockText.replace(/^migraph:/, '').replace(/[^A-Za-z0-9_.-]/g, '_')
}

/** Turns a driver's date-ish value into a Date, or undefined. */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value)
    return Number.isNaN(date.getTime()) ? undefined : date
  }
  return undefined
}
