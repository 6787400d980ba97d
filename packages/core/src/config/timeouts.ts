/** The longest a Node timer can wait: 2^31 - 1 ms, about 24.8 days. A longer one fires at once. */
export const MAX_TIMEOUT_MS = 2_147_483_647

/** The two waits a user bounds: for the migration lock, and for a connection. */
export type TimeoutKind = 'lock' | 'connect'

/**
 * Why a timeout (in milliseconds) cannot be used, or undefined when it can. A lock timeout of 0
 * means "try once, do not wait"; a connection cannot be made in no time, so its timeout must be
 * more than 0.
 */
export function timeoutProblem(ms: number, kind: TimeoutKind): string | undefined {
  if (typeof ms !== 'number' || Number.isNaN(ms)) return 'is not a number'
  if (ms < 0) return 'is negative'
  if (kind === 'connect' && ms === 0) return 'must be more than 0'
  if (ms > MAX_TIMEOUT_MS) return `is more than ${MAX_TIMEOUT_MS} ms (about 24 days)`
  return undefined
}
