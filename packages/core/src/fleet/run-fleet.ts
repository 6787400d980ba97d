import type { Environment, Project, Reporter } from '../context.js'
import { CommandError, MigraphError } from '../errors.js'
import type { FleetTarget } from './targets.js'

/** What happened on one target of a fleet run. */
export interface TargetOutcome {
  readonly target: string
  /** The heads before (null when they could not be read). */
  readonly from: readonly string[] | null
  /** The heads after (null when the target failed before reaching any). */
  readonly to: readonly string[] | null
  /** `ok`, `failed`, or `skipped` (not started after a failure under `failFast`). */
  readonly result: 'ok' | 'failed' | 'skipped'
  /** The failure's stable code and its message, for a failed target. */
  readonly error?: { readonly code: string; readonly message: string } | undefined
  readonly durationMs: number
}

/** What one target's work reports: the heads before and after. */
export interface TargetWork {
  readonly from: readonly string[] | null
  readonly to: readonly string[] | null
  /** The target is done but not in the state asked for (`check`: behind, ahead, changed). */
  readonly problem?: MigraphError | undefined
}

export interface FleetOptions {
  /** How many targets run at once (at least 1). */
  readonly parallel: number
  /** Stop starting targets after the first failure; the rest are `skipped`. */
  readonly failFast?: boolean | undefined
  /** Told of each target as it finishes, in finishing order. */
  readonly onOutcome?: ((outcome: TargetOutcome, done: number, total: number) => void) | undefined
}

/** The largest `--parallel` accepted: each target holds connections of its own. */
export const MAX_PARALLEL = 256

/**
 * Runs `work` on every target, `parallel` at a time, each on a project of its own (its own
 * connection and lock). A failing target does not stop the others (unless `failFast`); its
 * error becomes its outcome. Outcomes come back in the targets' order. Nothing is printed:
 * targets report to a silent reporter, and `onOutcome` is told as each one ends.
 */
export async function runFleet(
  project: Project,
  targets: readonly FleetTarget[],
  work: (target: Project) => Promise<TargetWork>,
  options: FleetOptions,
): Promise<readonly TargetOutcome[]> {
  const parallel = options.parallel
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > MAX_PARALLEL) {
    throw new CommandError(`--parallel must be a whole number from 1 to ${MAX_PARALLEL}, got ${parallel}`)
  }
  const quiet: Reporter = { info: () => {}, warn: () => {} }
  const environment: Environment = { ...project.environment, reporter: quiet }
  const outcomes: TargetOutcome[] = new Array(targets.length)
  let next = 0
  let done = 0
  let stop = false
  const worker = async () => {
    for (let index = next++; index < targets.length; index = next++) {
      const target = targets[index] as FleetTarget
      if (stop) {
        outcomes[index] = { target: target.name, from: null, to: null, result: 'skipped', durationMs: 0 }
        continue
      }
      const started = performance.now()
      let outcome: TargetOutcome
      try {
        const result = await work(project.forTarget(target, environment))
        outcome = {
          target: target.name,
          from: result.from,
          to: result.to,
          result: result.problem === undefined ? 'ok' : 'failed',
          ...(result.problem === undefined ? {} : { error: describe(result.problem) }),
          durationMs: Math.round(performance.now() - started),
        }
      } catch (error) {
        outcome = {
          target: target.name,
          from: (error as { from?: readonly string[] }).from ?? null,
          to: null,
          result: 'failed',
          error: describe(error),
          durationMs: Math.round(performance.now() - started),
        }
      }
      if (outcome.result === 'failed' && options.failFast === true) stop = true
      outcomes[index] = outcome
      options.onOutcome?.(outcome, ++done, targets.length)
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, targets.length) }, worker))
  return outcomes
}

function describe(error: unknown): { code: string; message: string } {
  if (error instanceof MigraphError) return { code: error.code, message: error.message.split('\n')[0] ?? '' }
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'error', message: message.split('\n')[0] ?? '' }
}
