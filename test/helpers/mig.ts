import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The real `mig` binary, as npm links it. */
export const MIG_BIN = join(ROOT, 'packages/cli/bin/mig.cjs')

export interface MigResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/**
 * How long a `mig` run may take before it is killed as hung. A watchdog, not a measure: a loaded
 * machine can make a run take many times its usual time, and must not fail a test for it.
 */
export const MIG_WATCHDOG_MS = 10 * 60_000

/** The error a run ends with when the watchdog killed it, so a test fails saying so. */
export function killedByWatchdog(args: readonly string[], timeoutMs: number, stderr: string): Error {
  return new Error(
    `mig ${args.join(' ')} was still running after ${Math.round(timeoutMs / 1000)} s and was killed ` +
      `(SIGKILL by the test helper); stderr so far:\n${stderr}`,
  )
}

/**
 * Runs the real `mig` binary in `cwd`; never throws on a non-zero exit. Rejects when the run had
 * to be killed as hung ({@link MIG_WATCHDOG_MS}, or `timeoutMs`).
 */
export function mig(
  cwd: string,
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<MigResult> {
  return runProcess(process.execPath, [MIG_BIN, ...args], { cwd, ...options }, args)
}

/** `mig` in `dir`, and a variant that asserts exit status 0, naming the command and its stderr. */
export function migIn(dir: string): {
  run: (...args: string[]) => Promise<MigResult>
  ok: (...args: string[]) => Promise<MigResult>
} {
  const run = (...args: string[]) => mig(dir, args)
  const ok = async (...args: string[]) => {
    const result = await run(...args)
    assert.equal(result.code, 0, `mig ${args.join(' ')}: ${result.stderr}`)
    return result
  }
  return { run, ok }
}

/**
 * Runs any command the way {@link mig} runs `mig`: `MIG_DATABASE_URL` cleared unless given (an
 * `undefined` value removes a variable), output collected, killed as hung after the watchdog.
 * `label` names the run in the watchdog's error (default: the arguments).
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
  label: readonly string[] = args,
): Promise<MigResult> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      MIG_DATABASE_URL: undefined,
      ...options.env,
    }
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key]
    const child = spawn(command, args, { cwd: options.cwd, env: env as NodeJS.ProcessEnv })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const timeoutMs = options.timeoutMs ?? MIG_WATCHDOG_MS
    let killed = false
    const timer = setTimeout(() => {
      killed = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (killed) return reject(killedByWatchdog(label, timeoutMs, stderr))
      resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - started })
    })
  })
}

/**
 * A temporary project folder in which `migraph` resolves as it would once installed
 * (node_modules/migraph links to the package), removed by `cleanup`.
 */
export function tempProject(prefix = 'mig-e2e-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(join(ROOT, 'packages/cli'), join(dir, 'node_modules/migraph'), 'dir')
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
