import { MigraphError } from '@migraph/graph'

/**
 * The base class of every migraph error, defined by the graph package (the one every layer depends
 * on) so that graph, operation and core errors all share it.
 */
export { MigraphError }

/** The config file is missing, fails to load, or holds an unknown or ill-typed key. */
export class ConfigError extends MigraphError {
  override readonly name = 'ConfigError'
  readonly file: string | undefined

  constructor(message: string, file?: string, options?: { cause?: unknown }) {
    super('config', message, options)
    this.file = file
  }
}

/** A revision file cannot be read, parsed or imported. */
export class RevisionFileError extends MigraphError {
  override readonly name = 'RevisionFileError'
  readonly file: string

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super('revision-file', message, options)
    this.file = file
  }
}

/**
 * A downgrade would pass through a revision that has no downgrade: a `.sql` revision without a
 * `-- migrate: down` section. Raised before any step runs.
 */
export class IrreversibleRevisionError extends MigraphError {
  override readonly name = 'IrreversibleRevisionError'
  readonly revision: string
  readonly file: string

  constructor(revision: string, file: string, message: string) {
    super('irreversible-revision', message)
    this.revision = revision
    this.file = file
  }
}

/** A command was called with arguments it cannot act on. */
export class CommandError extends MigraphError {
  override readonly name = 'CommandError'

  constructor(message: string, options?: { cause?: unknown }) {
    super('command', message, options)
  }
}

/** A revision's upgrade or downgrade failed; carries the revision and, when known, the SQL. */
export class MigrationFailedError extends MigraphError {
  override readonly name = 'MigrationFailedError'
  readonly revision: string
  readonly direction: 'up' | 'down'
  readonly statement: string | undefined

  constructor(
    revision: string,
    direction: 'up' | 'down',
    message: string,
    options?: { cause?: unknown; statement?: string | undefined },
  ) {
    super('migration-failed', message, options)
    this.revision = revision
    this.direction = direction
    this.statement = options?.statement
  }
}

/**
 * The version table cannot be trusted: rows of which one is an ancestor of another
 * (`conflicting-versions`), or it lacks revisions the history table says are applied
 * (`version-table-behind-history`). Commands that write refuse until `mig stamp` sets it.
 */
export class VersionTableError extends MigraphError {
  override readonly name = 'VersionTableError'
  /** Pairs of rows, the first an ancestor of the second. */
  readonly conflicting: readonly (readonly [string, string])[]
  /** Heads of what the history says is applied that no row stands for. */
  readonly missing: readonly string[]
  /** For `mig current`: the rows as they are, which it shows before it fails. */
  readonly current: readonly unknown[]

  constructor(
    code: 'conflicting-versions' | 'version-table-behind-history',
    message: string,
    findings: {
      readonly conflicting?: readonly (readonly [string, string])[]
      readonly missing?: readonly string[]
      readonly current?: readonly unknown[]
    },
  ) {
    super(code, message)
    this.conflicting = findings.conflicting ?? []
    this.missing = findings.missing ?? []
    this.current = findings.current ?? []
  }
}

/**
 * A revision failed after part of it was committed: a statement that commits implicitly ran
 * (MySQL/MariaDB DDL), or the revision runs outside a transaction (`transactional = false`). The
 * failure is recorded in the history table, and further upgrades refuse until `mig resolve` says
 * what the database holds.
 */
export class PartialStateError extends MigraphError {
  override readonly name = 'PartialStateError'
  readonly revision: string
  readonly opsCompleted: number

  constructor(revision: string, opsCompleted: number, message: string, options?: { cause?: unknown }) {
    super('partial-state', message, options)
    this.revision = revision
    this.opsCompleted = opsCompleted
  }
}

/**
 * The declared schema (config `schema`) could not be loaded into its shadow database: the
 * message names the file and line of the statement that failed. Nothing was written.
 */
export class DeclaredSchemaError extends MigraphError {
  override readonly name = 'DeclaredSchemaError'

  constructor(message: string, options?: ErrorOptions) {
    super('declared-schema', message, options)
  }
}

/**
 * `mig check --schema`: the database's schema differs from the declared one (a change made by
 * hand, or revisions that do not produce the declared schema). `differences` lists each one.
 */
export class SchemaDriftError extends MigraphError {
  override readonly name = 'SchemaDriftError'
  readonly differences: readonly string[]

  /**
   * `against`: what the database was compared with, as the message names it; `summary`, when
   * several comparisons were made, says which failed instead.
   */
  constructor(differences: readonly string[], against = 'the declared schema', summary?: string) {
    super(
      'schema-drift',
      summary ??
        `the database schema differs from ${against} in ${differences.length} place(s): ${differences.join('; ')}`,
    )
    this.differences = differences
  }
}

/**
 * A write to an environment that asks for confirmation (`production`, `prod`, `live`, or
 * `confirm: true`) was not confirmed: refused at the prompt, or no terminal and no `--yes`.
 */
export class ConfirmationError extends MigraphError {
  override readonly name = 'ConfirmationError'
  readonly environment: string | undefined

  constructor(message: string, environment: string | undefined) {
    super('confirmation-required', message)
    this.environment = environment
  }
}

/** A configured hook failed, or ran past `hookTimeout`. */
export class HookError extends MigraphError {
  override readonly name = 'HookError'
  /** `preUpgrade`, `postUpgrade`, … */
  readonly hook: string

  constructor(hook: string, message: string, options?: { cause?: unknown }) {
    super('hook-failed', message, options)
    this.hook = hook
  }
}
