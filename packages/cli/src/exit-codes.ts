/** Exit statuses of `mig`, documented in the README. */
export const ExitCode = Object.freeze({
  ok: 0,
  /** Any error: bad input, broken graph or config, failed revision, unreachable database. */
  error: 1,
  /** The migration lock could not be had within `--lock-timeout`. */
  lockTimeout: 3,
})

/** Picks the exit status for an error by its machine-readable code. */
export function exitCodeFor(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'lock-timeout') return ExitCode.lockTimeout
  return ExitCode.error
}
