import type { MigrationDialect } from '../dialects/dialect.js'
import { PartialStateError } from '../errors.js'

/** How a revision that failed on a lock timeout is tried again. */
export interface RetryPolicy {
  /** Tries after the first; 0 never retries. */
  readonly retries: number
  /** The wait before the first retry, doubled before each next one (at most 60 s). */
  readonly delayMs: number
}

/** The policy of a run that asked for none: a failure is final. */
export const NO_RETRY: RetryPolicy = { retries: 0, delayMs: 0 }

/** The wait before retry number `attempt` (1 for the first). */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.delayMs * 2 ** (attempt - 1), 60_000)
}

/**
 * Whether `error`, raised by a step of a transactional group, is transient: the dialect reports
 * it as a lock timeout, which a later try may not meet. Nothing else is ever retried.
 */
export function isLockTimeoutFailure(
  dialect: Pick<MigrationDialect, 'isLockTimeout'>,
  transactional: boolean,
  error: unknown,
): boolean {
  return transactional && dialect.isLockTimeout?.(error) === true
}

/**
 * Whether a group that failed on a lock timeout after `attempt` retries is tried again: only while
 * retries remain, and only when nothing of it stayed (a {@link PartialStateError} says something
 * did).
 */
export function shouldRetry(policy: RetryPolicy, attempt: number, settled: unknown): boolean {
  return attempt < policy.retries && !(settled instanceof PartialStateError)
}

/** The warning printed before waiting to retry `revision`, which `settled` stopped. */
export function retryWarning(
  policy: RetryPolicy,
  attempt: number,
  revision: string,
  settled: unknown,
): string {
  const wait = retryDelay(policy, attempt + 1)
  return `revision ${revision} gave up waiting for a lock (${firstLine(driverMessage(settled))}); nothing of it was applied; retrying in ${formatSeconds(wait)} (retry ${attempt + 1} of ${policy.retries})`
}

/** Waits the delay before retry number `attempt + 1`. */
export function waitBeforeRetry(policy: RetryPolicy, attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, retryDelay(policy, attempt + 1)))
}

/** The message of the error at the end of `error`'s cause chain: the database's own words. */
function driverMessage(error: unknown): string {
  let last = error
  const seen = new Set<unknown>()
  for (let e = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e)
    last = e
  }
  return last instanceof Error ? last.message : String(last)
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`
}

/** The first line of `text` that is not blank: a driver's message often runs on. */
export function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '') ?? text
}
