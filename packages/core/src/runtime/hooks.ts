import { spawn } from 'node:child_process'
import type { Hook, HookContext } from '../config/define-config.js'
import { HookError } from '../errors.js'

/** How a hook runs: where, for how long, what it may see, and where its output goes. */
export interface HookRunOptions {
  readonly cwd: string
  readonly timeoutMs: number
  /** The variables of the process (`MIG_DATABASE_URL` is withheld unless a hook asks for it). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** The database URL with its password, given only to `{ run, passUrl: true }` hooks. */
  readonly url: string | undefined
  /** Each line a shell hook writes (to stdout or stderr); it goes to stderr, never to stdout. */
  readonly output: (line: string) => void
}

/** The `MIG_*` variables a shell hook gets: the context, never the password. */
export function hookVariables(context: HookContext): Record<string, string> {
  return {
    MIG_HOOK: context.hook,
    MIG_COMMAND: context.command,
    MIG_ENV: context.environment ?? '',
    MIG_DATABASE: context.database,
    MIG_TARGET: context.target,
    MIG_PLAN: context.plan.map((step) => step.revision).join(' '),
    MIG_REVISION_COUNT: String(context.plan.length),
    ...(context.heads === undefined ? {} : { MIG_HEADS: context.heads.join(' ') }),
    ...(context.error === undefined
      ? {}
      : { MIG_ERROR: context.error.message, MIG_ERROR_CODE: context.error.code }),
  }
}

/** Runs each hook in order; the first that fails (or times out) throws a {@link HookError}. */
export async function runHooks(
  hooks: readonly Hook[],
  context: HookContext,
  options: HookRunOptions,
): Promise<void> {
  for (const hook of hooks) await runHook(hook, context, options)
}

async function runHook(hook: Hook, context: HookContext, options: HookRunOptions): Promise<void> {
  const seconds = `${options.timeoutMs / 1000} s`
  if (typeof hook === 'function') {
    const label = `${context.hook} hook ${hook.name === '' ? '(function)' : `'${hook.name}'`}`
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new HookError(context.hook, `${label} did not finish within ${seconds} (hookTimeout)`)),
        options.timeoutMs,
      )
    })
    try {
      await Promise.race([Promise.resolve().then(() => hook(context)), timeout])
    } catch (error) {
      if (error instanceof HookError) throw error
      const message = error instanceof Error ? error.message : String(error)
      throw new HookError(context.hook, `${label} failed: ${message}`, { cause: error })
    } finally {
      clearTimeout(timer)
    }
    return
  }
  const command = typeof hook === 'string' ? hook : hook.run
  const passUrl = typeof hook === 'object' && hook.passUrl === true
  const env: Record<string, string | undefined> = { ...options.env, ...hookVariables(context) }
  delete env.MIG_DATABASE_URL
  if (passUrl && options.url !== undefined) env.MIG_DATABASE_URL = options.url
  await runShellCommand(command, `${context.hook} hook '${command}'`, context.hook, { ...options, env })
}

/**
 * Runs one shell command in its own process group, its output forwarded line by line; a non-zero
 * exit, or running past `timeoutMs` (then the group is killed), is a {@link HookError}.
 */
export async function runShellCommand(
  command: string,
  label: string,
  hook: string,
  options: Omit<HookRunOptions, 'url'>,
): Promise<void> {
  const seconds = `${options.timeoutMs / 1000} s`
  const env = options.env
  await new Promise<void>((resolve, reject) => {
    // Its own process group, so that a timeout stops the shell and everything it started.
    const child = spawn(command, {
      cwd: options.cwd,
      env: env as NodeJS.ProcessEnv,
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL')
        else child.kill('SIGKILL')
      } catch {
        // Already gone.
      }
    }, options.timeoutMs)
    const forward = (stream: NodeJS.ReadableStream) => {
      let pending = ''
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => {
        pending += chunk
        const lines = pending.split('\n')
        pending = lines.pop() ?? ''
        for (const line of lines) options.output(line)
      })
      stream.on('end', () => {
        if (pending !== '') options.output(pending)
      })
    }
    forward(child.stdout)
    forward(child.stderr)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(new HookError(hook, `${label} could not start: ${error.message}`, { cause: error }))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (timedOut) {
        reject(new HookError(hook, `${label} did not finish within ${seconds} (hookTimeout); it was stopped`))
      } else if (code !== 0) {
        const how = code === null ? `was killed by ${signal}` : `exited with status ${code}`
        reject(new HookError(hook, `${label} ${how}`))
      } else {
        resolve()
      }
    })
  })
}
