import type { HookContext, HookName } from '../config/define-config.js'
import type { Project } from '../context.js'
import { describeTarget, redactSecrets, urlSecrets } from '../dialects/index.js'
import { CommandError, ConfirmationError, HookError, MigraphError } from '../errors.js'
import type { StepSummary } from './migrate.js'

/** What the confirmation prompt shows: where the write goes and what it will do. */
export interface ConfirmRequest {
  readonly command: string
  readonly environment: string | undefined
  /** The target database, password masked. */
  readonly database: string
  /** The steps about to run; empty for commands that run no revision (`ensure-version`). */
  readonly plan: readonly StepSummary[]
}

/**
 * Refuses, before any connection, a write that needs confirmation when there is no way to ask:
 * no `--yes` and no terminal (`Environment.confirm`). Fail closed.
 */
export function requireConfirmable(project: Project, command: string): boolean {
  if (!project.config.production.confirm || project.options.yes === true) return false
  if (project.environment.confirm === undefined) {
    const { environment } = project.config
    const which = environment === undefined ? 'this config' : `environment '${environment}'`
    throw new ConfirmationError(
      `${which} asks for confirmation before '${command}' writes to ${describeTarget(project.target())}; there is no terminal to ask on: pass --yes to confirm`,
      environment,
    )
  }
  return true
}

/** Asks (through `Environment.confirm`); a refusal is an error, and nothing was written. */
export async function confirmWrite(
  project: Project,
  command: string,
  plan: readonly StepSummary[],
): Promise<void> {
  const ask = project.environment.confirm
  if (ask === undefined) return
  const request: ConfirmRequest = {
    command,
    environment: project.config.environment,
    database: describeTarget(project.target()),
    plan,
  }
  if (!(await ask(request))) {
    throw new ConfirmationError(
      `'${command}' was not confirmed; nothing was written to ${request.database}`,
      project.config.environment,
    )
  }
}

/** The hooks around one upgrade or downgrade. */
export interface RunHooks {
  readonly pre: HookName
  readonly post: HookName
}

export const HOOKS_OF: Readonly<Record<'up' | 'down', RunHooks>> = {
  up: { pre: 'preUpgrade', post: 'postUpgrade' },
  down: { pre: 'preDowngrade', post: 'postDowngrade' },
}

/** Runs the named hooks of the config with the run's context. */
export async function runConfiguredHooks(
  project: Project,
  name: HookName,
  context: Omit<HookContext, 'hook' | 'environment' | 'database'>,
): Promise<void> {
  const hooks = project.config.production.hooks[name]
  if (hooks.length === 0) return
  const { runHooks } = await import('../runtime/hooks.js')
  const target = project.target()
  await runHooks(
    hooks,
    { ...context, hook: name, environment: project.config.environment, database: describeTarget(target) },
    {
      cwd: project.config.baseDir,
      timeoutMs: project.config.production.hookTimeoutMs,
      env: project.environment.env,
      url: target.url,
      output: (line) => project.environment.reporter.info(line),
    },
  )
}

/** True when the run needs its plan before the lock: to show it, or to give it to a pre-hook. */
export function needsPreview(project: Project, direction: 'up' | 'down', confirming: boolean): boolean {
  return confirming || project.config.production.hooks[HOOKS_OF[direction].pre].length > 0
}

/** The plan under the lock must be the one confirmed and given to the pre-hooks. */
export function checkSamePlan(
  previewed: readonly StepSummary[] | undefined,
  planned: readonly StepSummary[],
): void {
  if (previewed === undefined) return
  const ids = (steps: readonly StepSummary[]) => steps.map((s) => `${s.direction}:${s.revision}`).join(' ')
  if (ids(previewed) !== ids(planned)) {
    throw new CommandError(
      'the database changed between the confirmation and the lock (another run migrated it); nothing was run: run the command again to see the new plan',
    )
  }
}

/** Runs `onError` for a failed run; its own failure is a warning, the run's error stands. */
export async function runOnError(
  project: Project,
  command: 'upgrade' | 'downgrade',
  target: string,
  plan: readonly StepSummary[],
  error: unknown,
): Promise<void> {
  if (project.config.production.hooks.onError.length === 0) return
  const code = error instanceof MigraphError ? error.code : 'error'
  const raw = error instanceof Error ? error.message : String(error)
  const message = redactSecrets(raw, urlSecrets(project.target().url))
  try {
    await runConfiguredHooks(project, 'onError', {
      command,
      target,
      plan: plan.map(({ revision, direction }) => ({ revision, direction })),
      error: { code, message },
    })
  } catch (hookError) {
    const why = hookError instanceof HookError ? hookError.message : String(hookError)
    project.environment.reporter.warn(why)
  }
}
