import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import type { Connection, DatabaseTarget } from '../../packages/core/src/dialects/index.ts'
import { dialectFor, resolveTarget } from '../../packages/core/src/dialects/index.ts'

/** Server URLs from the environment; tests against a server skip when its variable is unset. */
export const POSTGRES_URL = process.env.MIG_TEST_POSTGRES_URL || undefined
export const MYSQL_URL = process.env.MIG_TEST_MYSQL_URL || undefined

export const CONNECT = { connectTimeoutMs: 10_000, applicationName: 'migraph-test' } as const

/** Opens a connection for a URL (relative paths under `baseDir`). */
export async function open(
  url: string,
  baseDir = tmpdir(),
): Promise<{ target: DatabaseTarget; connection: Connection }> {
  const target = resolveTarget(url, baseDir)
  const connection = await dialectFor(target).connect(target, CONNECT)
  return { target, connection }
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `migraph-${prefix}-`))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A server database of its own for one test file: created now, dropped by `drop()`. */
export interface ScratchDatabase {
  readonly url: string
  readonly name: string
  drop(): Promise<void>
}

/** Creates a uniquely named database on the server behind `adminUrl` (PostgreSQL or MySQL). */
export async function createScratchDatabase(adminUrl: string, label: string): Promise<ScratchDatabase> {
  const name = `mig_test_${label}_${randomBytes(4).toString('hex')}`
  const { target, connection } = await open(adminUrl)
  try {
    await sql`create database ${sql.id(name)}`.execute(connection.db)
  } finally {
    await connection.close()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const admin = await open(adminUrl)
      try {
        const force = target.dialect === 'postgres' ? sql` with (force)` : sql``
        await sql`drop database if exists ${sql.id(name)}${force}`.execute(admin.connection.db)
      } finally {
        await admin.connection.close()
      }
    },
  }
}

const FIXTURE = fileURLToPath(new URL('./fixtures/lock-child.ts', import.meta.url))

/** A child process running fixtures/lock-child.ts, with its JSON-line events. */
export interface Child {
  readonly process: ChildProcess
  readonly pid: number
  /** Resolves with the first event of this kind (rejects if the child exits first). */
  waitFor(event: string, timeoutMs?: number): Promise<Record<string, unknown>>
  /** Resolves when the child has exited. */
  readonly exited: Promise<number | null>
  /** Everything the child wrote to stderr so far. */
  stderr(): string
}

/** Starts `node --import tsx fixtures/lock-child.ts <args>`. */
export function spawnChild(args: readonly string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const events: Record<string, unknown>[] = []
  const listeners = new Set<() => void>()
  let errText = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    errText += chunk
  })
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>)
    } catch {
      return
    }
    for (const listener of listeners) listener()
  })
  let exitedFlag = false
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitedFlag = true
      for (const listener of listeners) listener()
      resolve(code)
    }),
  )
  return {
    process: child,
    pid: child.pid ?? -1,
    exited,
    stderr: () => errText,
    waitFor: (event, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check)
          reject(
            new Error(`child ${child.pid} sent no '${event}' within ${timeoutMs} ms; stderr: ${errText}`),
          )
        }, timeoutMs)
        const check = () => {
          const found = events.find((e) => e.event === event)
          if (found) {
            clearTimeout(timer)
            listeners.delete(check)
            resolve(found)
          } else if (exitedFlag) {
            clearTimeout(timer)
            listeners.delete(check)
            reject(
              new Error(
                `child ${child.pid} exited before '${event}'; events: ${JSON.stringify(events)}; stderr: ${errText}`,
              ),
            )
          }
        }
        listeners.add(check)
        check()
      }),
  }
}

/** Kills a child with SIGKILL and waits for it to be gone. */
export async function killHard(child: Child): Promise<void> {
  child.process.kill('SIGKILL')
  await child.exited
}
