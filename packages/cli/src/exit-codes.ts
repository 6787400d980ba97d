/** Exit statuses of `mig`, documented in the README. */
export const ExitCode = Object.freeze({
  ok: 0,
  /** Any error: bad input, broken graph or config, failed revision, unreachable database. */
  error: 1,
  /** The migration lock could not be had within `--lock-timeout`. */
  lockTimeout: 3,
  /** A revision failed half-way where DDL cannot roll back; `mig resolve` settles it. */
  partialState: 4,
  /** An applied revision's file changed or vanished (`mig check`, or `upgrade` refusing). */
  checksumMismatch: 5,
  /** The version table records a revision no file declares. */
  unknownRevision: 6,
  /** `mig check`: revisions are pending. */
  pending: 7,
  /**
   * The version table cannot be trusted: rows of which one is an ancestor of another, or it lacks
   * revisions the history table says are applied (emptied or dropped by hand).
   */
  versionTableCorrupt: 8,
  /** `mig check --schema`: the database schema differs from the declared schema (config `schema`). */
  schemaDrift: 9,
})

/** Picks the exit status for an error by its machine-readable code. */
export function exitCodeFor(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code
  switch (code) {
    case 'lock-timeout':
      return ExitCode.lockTimeout
    case 'partial-state':
      return ExitCode.partialState
    case 'checksum-mismatch':
      return ExitCode.checksumMismatch
    case 'unknown-revision-in-database':
      return ExitCode.unknownRevision
    case 'pending':
      return ExitCode.pending
    case 'conflicting-versions':
    case 'version-table-behind-history':
      return ExitCode.versionTableCorrupt
    case 'schema-drift':
      return ExitCode.schemaDrift
    default:
      return ExitCode.error
  }
}
