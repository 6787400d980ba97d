import { readTimeouts } from '../config/revision-limits.js'
import { RevisionFileError } from '../errors.js'
import { describeImportError } from './import-module.js'
import { type RevisionScript, readHeader, readSource } from './revision-file.js'
import { HEADER_FIELDS } from './revision-header.js'
import { type SqlRevisionModule, sqlRevisionModule } from './sql-revision.js'

/** A revision module once imported: the functions the runner calls. */
export interface RevisionModule {
  readonly upgrade: (op: never) => Promise<void> | void
  readonly downgrade: (op: never) => Promise<void> | void
  /**
   * `export const timeouts = { lockTimeout, statementTimeout }`, checked: read from the module
   * when it is imported to run (never by graph-only commands, which do not need it).
   */
  readonly limits?: { readonly lockTimeoutMs?: number | null; readonly statementTimeoutMs?: number | null }
  /** `export const lint = { ignore: { rule: 'reason' } }`, as exported; `mig lint` checks it. */
  readonly lint?: unknown
  /** A `.sql` revision's statements and how they may run; undefined for a module. */
  readonly sql?: SqlRevisionModule | undefined
}

/**
 * The module of a `.sql` revision, read from its file now: a header that no longer reads as the
 * graph was built from (an edit since) fails before any step runs.
 */
export function sqlModule(script: RevisionScript): RevisionModule {
  const source = readSource(script.path)
  const sql = sqlRevisionModule(script.path, source)
  const header = readHeader(script.path, source)
  for (const name of HEADER_FIELDS) {
    const now = exportedField(name, header[name])
    if (!sameValue(now, exportedField(name, script[name]))) {
      throw new RevisionFileError(
        script.path,
        `${script.path}: its ${name} changed since the graph was read; run the command again`,
      )
    }
  }
  return { upgrade: sql.upgrade, downgrade: sql.downgrade, sql }
}

export function importFailure(script: RevisionScript, error: unknown): RevisionFileError {
  return new RevisionFileError(script.path, describeImportError(script.path, error), { cause: error })
}

/**
 * The module of a revision, once checked to export what the runner calls and, for each header
 * field, the value its header was read as: a header that says one thing while the code exports
 * another (a declaration the static reader could not see) fails before any step runs.
 */
export function revisionModule(script: RevisionScript, mod: Record<string, unknown>): RevisionModule {
  for (const name of HEADER_FIELDS) {
    const exported = exportedField(name, mod[name])
    const declared = exportedField(name, script[name])
    if (!sameValue(exported, declared)) {
      throw new RevisionFileError(
        script.path,
        `${script.path}: exports ${name} ${describe(mod[name])} but its header reads ${describe(script[name])}; header fields must be top-level 'export const' literals`,
      )
    }
  }
  for (const name of ['upgrade', 'downgrade'] as const) {
    if (typeof mod[name] !== 'function') {
      throw new RevisionFileError(script.path, `${script.path}: missing export 'async function ${name}(op)'`)
    }
  }
  if (mod.timeouts === undefined) return mod as unknown as RevisionModule
  const limits = readTimeouts(mod.timeouts)
  if (typeof limits === 'string') {
    throw new RevisionFileError(script.path, `${script.path}: export 'timeouts' ${limits}`)
  }
  return {
    upgrade: mod.upgrade as RevisionModule['upgrade'],
    downgrade: mod.downgrade as RevisionModule['downgrade'],
    limits,
    lint: mod.lint,
  }
}

/**
 * A header field's value as the runner takes it: absent is null (and `transactional` true), one
 * id is a list of one.
 */
function exportedField(name: (typeof HEADER_FIELDS)[number], value: unknown): unknown {
  if (name === 'transactional') return value !== false
  if (name === 'revision') return value
  if (value === undefined || value === null) return null
  return typeof value === 'string' ? [value] : value
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i])
  return a === b
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
