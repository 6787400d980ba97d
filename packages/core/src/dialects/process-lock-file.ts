import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import type { LockHolder, LockOptions } from './dialect.js'
import { DatabaseInUseError } from './errors.js'
import { pollForLock } from './lock-polling.js'
import { sleep } from './session-queue.js'

/** What a lock file records about its holder. */
interface LockFileContent {
  readonly pid: number
  readonly hostname: string
  readonly since: string
  readonly application?: string | undefined
}

/** A lock file this process holds; `release()` removes it. */
export interface ProcessLockFile {
  readonly path: string
  release(): void
}

/** Lock files held by this process: a file naming our own pid but not listed here is stale. */
const heldHere = new Set<string>()
/** A takeover marker older than this belongs to a process that died while taking over. */
const STALE_TAKEOVER_MS = 10_000
/** An empty lock file younger than this may still be being written. */
const TORN_FILE_GRACE_MS = 1000

/**
 * Takes an exclusive lock file beside an embedded database, for the life of this process. The
 * file is created with O_EXCL and names its holder; a file whose holder pid is gone (killed,
 * crashed) is taken over, under a short-lived `.takeover` marker so that two processes
 * finding the same stale file cannot both take it. A holder on another host cannot be checked
 * and is treated as alive. Each check and the step that depends on it run synchronously, so no
 * other code of this process runs between them.
 *
 * Held by a live process, the file is waited for when `wait` is given (polled up to
 * `wait.timeoutMs`, then a LockTimeoutError naming the holder); without it, a
 * DatabaseInUseError is thrown at once.
 */
export async function acquireLockFile(
  lockPath: string,
  location: string,
  application?: string,
  wait?: Pick<LockOptions, 'timeoutMs' | 'onWait'>,
): Promise<ProcessLockFile> {
  if (wait === undefined) {
    if (await tryAcquire(lockPath, application)) return held(lockPath)
    throw new DatabaseInUseError(location, lockPath, lockFileHolder(lockPath) ?? {})
  }
  await pollForLock(
    {
      location,
      lockName: `'${lockPath}'`,
      tryAcquire: () => tryAcquire(lockPath, application),
      describeHolder: async () => lockFileHolder(lockPath),
    },
    wait,
  )
  return held(lockPath)
}

/**
 * One attempt at the lock file: true when it is now ours, false while a live process holds it
 * (or another process is taking over a stale one). A stale file is taken over on the way.
 */
async function tryAcquire(lockPath: string, application: string | undefined): Promise<boolean> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (tryCreate(lockPath, application)) return true
    const existing = readContent(lockPath)
    if (existing !== undefined) {
      if (existing.content && isAlive(existing.content, lockPath)) return false
      // A torn file may belong to a holder still writing it; only an old one is abandoned.
      if (existing.content || isOlderThan(lockPath, TORN_FILE_GRACE_MS)) takeOverStale(lockPath, existing.raw)
    }
    await sleep(20)
  }
  return false
}

function held(path: string): ProcessLockFile {
  heldHere.add(path)
  // Best effort on a normal exit; a killed process leaves the file, which the next one takes over.
  const onExit = () => removeIfOurs(path)
  process.once('exit', onExit)
  let released = false
  return {
    path,
    release: () => {
      if (released) return
      released = true
      process.removeListener('exit', onExit)
      removeIfOurs(path)
    },
  }
}

function tryCreate(path: string, application: string | undefined): boolean {
  let fd: number
  try {
    fd = openSync(path, 'wx')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
  try {
    const content: LockFileContent = {
      pid: process.pid,
      hostname: hostname(),
      since: new Date().toISOString(),
      application,
    }
    writeSync(fd, `${JSON.stringify(content)}\n`)
  } finally {
    closeSync(fd)
  }
  return true
}

function readContent(path: string): { raw: string; content: LockFileContent | undefined } | undefined {
  let raw: string
  try {
    raw = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    const parsed = JSON.parse(raw) as Partial<LockFileContent>
    if (typeof parsed.pid === 'number' && typeof parsed.hostname === 'string') {
      return { raw, content: parsed as LockFileContent }
    }
  } catch {
    // An empty or torn file: its writer died between creating and writing it.
  }
  return { raw, content: undefined }
}

function isAlive(content: LockFileContent, path: string): boolean {
  if (content.hostname !== hostname()) return true
  // Our own pid in a file we do not hold: a previous process that had our pid (containers).
  if (content.pid === process.pid) return heldHere.has(path)
  try {
    process.kill(content.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function takeOverStale(lockPath: string, staleRaw: string): void {
  const marker = `${lockPath}.takeover`
  let fd: number
  try {
    fd = openSync(marker, 'wx')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    removeStaleMarker(marker)
    return
  }
  try {
    // Only remove the file if it is still the stale one we judged, not a new holder's.
    if (readContent(lockPath)?.raw === staleRaw) unlinkSync(lockPath)
  } finally {
    closeSync(fd)
    unlinkSync(marker)
  }
}

function removeStaleMarker(marker: string): void {
  if (!isOlderThan(marker, STALE_TAKEOVER_MS)) return
  try {
    unlinkSync(marker)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}

function isOlderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

function removeIfOurs(path: string): void {
  heldHere.delete(path)
  const existing = readContent(path)
  if (existing?.content?.pid === process.pid && existing.content.hostname === hostname()) {
    try {
      unlinkSync(path)
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function holderOf(content: LockFileContent): LockHolder {
  const since = new Date(content.since)
  return {
    pid: content.pid,
    host: content.hostname,
    application: content.application,
    since: Number.isNaN(since.getTime()) ? undefined : since,
  }
}

/** Reads who holds a lock file, if anyone (for lock-wait reports). */
export function lockFileHolder(lockPath: string): LockHolder | null {
  const content = readContent(lockPath)?.content
  return content ? holderOf(content) : null
}
