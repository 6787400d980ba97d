import { OperationError, type Operations, type SqlFlavour } from '@migraph/operations'
import { MigraphError, RevisionFileError } from '../errors.js'
import type { RevisionHeader } from './revision-header.js'
import {
  ADD_VALUE_IN_TRANSACTION_SINCE,
  outsideTransactionReason,
  type SqlStatement,
  SqlSyntaxProblem,
  splitSql,
} from './sql-splitter.js'

/** Whether a revision file is SQL text rather than a module. */
export const isSqlRevisionFile = (file: string): boolean => file.endsWith('.sql')

/** One body section of a `.sql` revision: its text and the file line it starts after. */
export interface SqlSection {
  readonly text: string
  /** The number of file lines before the section's text. */
  readonly lineOffset: number
}

/** A `.sql` revision as read: its header fields and its upgrade and downgrade sections. */
export interface SqlRevision {
  readonly header: Partial<RevisionHeader>
  readonly up: SqlSection
  /** Undefined for a file with no downgrade section: it cannot be downgraded. */
  readonly down: SqlSection | undefined
  /** `-- migrate: no-transaction`, at its line. */
  readonly noTransaction: boolean
}

const FIELDS: Readonly<
  Record<string, 'revision' | 'downRevision' | 'branchLabels' | 'dependsOn' | 'createDate' | 'replaces'>
> = {
  'revision id': 'revision',
  revises: 'downRevision',
  'branch labels': 'branchLabels',
  'depends on': 'dependsOn',
  'create date': 'createDate',
  replaces: 'replaces',
}

type Marker = 'up' | 'down' | 'no-transaction'

/**
 * `-- migrate: up` (Migretti's words), `-- UP` (pycopg's) or `-- Up Migration` (node-pg-migrate's),
 * and their down and no-transaction.
 */
function markerOf(line: string): Marker | undefined {
  const m = /^--\s*(?:migrate:\s*(up|down|no-transaction)|(UP|DOWN)(?: Migration)?)\s*$/i.exec(line.trim())
  if (m === null) return undefined
  return (m[1] ?? m[2] ?? '').toLowerCase() as Marker
}

/**
 * Reads a `.sql` revision: the header is its leading `--` comment lines (`-- Revision ID:`,
 * `-- Revises:` with comma-separated ids for a merge, `-- Branch labels:`, `-- Depends on:`,
 * `-- Replaces:` (a squash), `-- Create Date:`, and the message: the first other comment line). The body is split by
 * `-- migrate: up` / `-- migrate: down` or `-- UP` / `-- DOWN` lines; with no upgrade marker the
 * whole body is the upgrade, and with no downgrade marker there is no downgrade. Throws a
 * {@link RevisionFileError} naming the file and the line for a broken header or a repeated marker.
 */
export function parseSqlRevision(file: string, source: string): SqlRevision {
  const lines = source.split('\n')
  const fail = (line: number, reason: string): never => {
    throw new RevisionFileError(file, `${file}:${line}: ${reason}`)
  }
  const header: Record<string, unknown> = {}
  const seenAt = new Map<string, number>()
  const messageLines: string[] = []
  const docLines: string[] = []
  // The message is the first paragraph of comment lines that are not header fields.
  let inMessage: 'before' | 'in' | 'after' = 'before'
  // The header is the leading run of comment and blank lines, up to the first marker.
  let at = 0
  for (; at < lines.length; at++) {
    const trimmed = (lines[at] as string).trim()
    if (trimmed === '') continue
    if (!trimmed.startsWith('--') || markerOf(trimmed) !== undefined) break
    const content = trimmed.replace(/^--+ ?/, '').trimEnd()
    docLines.push(content)
    const field = /^([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$/.exec(content)
    const name = field === null ? undefined : FIELDS[(field[1] as string).toLowerCase()]
    if (field !== null && name !== undefined) {
      const before = seenAt.get(name)
      if (before !== undefined) fail(at + 1, `'${field[1]}:' repeats the header line at line ${before}`)
      seenAt.set(name, at + 1)
      header[name] = fieldValue(name, (field[2] as string).trim(), (reason) => fail(at + 1, reason))
      if (inMessage === 'in') inMessage = 'after'
    } else if (content === '') {
      if (inMessage === 'in') inMessage = 'after'
    } else if (inMessage !== 'after') {
      inMessage = 'in'
      messageLines.push(content)
    }
  }
  if (header.revision === undefined) {
    fail(
      1,
      "missing '-- Revision ID: <id>' header line (a .sql revision declares its id in its leading comments)",
    )
  }
  const joined = messageLines.join('\n').trim()
  header.message = joined === '' ? null : joined
  header.createDate ??= null
  const doc = docLines.join('\n').trim()
  header.doc = doc === '' ? null : doc
  // Body sections, marked by whole lines.
  const markers: { kind: Marker; line: number }[] = []
  const firstMarkerOf = new Map<Marker, number>()
  for (let k = at; k < lines.length; k++) {
    const kind = markerOf(lines[k] as string)
    if (kind === undefined) continue
    const before = firstMarkerOf.get(kind)
    if (before !== undefined) {
      const marker = (lines[k] as string).trim()
      fail(k + 1, `'${marker}' marks a second ${kind} section (the first is at line ${before}); keep one`)
    }
    firstMarkerOf.set(kind, k + 1)
    markers.push({ kind, line: k + 1 })
  }
  const section = (kind: 'up' | 'down'): SqlSection | undefined => {
    const marker = markers.find((m) => m.kind === kind)
    if (marker === undefined) return undefined
    const next = markers.find((m) => m.line > marker.line && m.kind !== 'no-transaction')
    const end = next === undefined ? lines.length : next.line - 1
    return { text: lines.slice(marker.line, end).join('\n'), lineOffset: marker.line }
  }
  const down = section('down')
  let up = section('up')
  if (up === undefined) {
    if (down !== undefined) {
      fail(
        firstMarkerOf.get('down') as number,
        "a '-- migrate: down' section without a '-- migrate: up' section before it",
      )
    }
    up = { text: lines.slice(at).join('\n'), lineOffset: at }
  } else if (
    down !== undefined &&
    (firstMarkerOf.get('down') as number) < (firstMarkerOf.get('up') as number)
  ) {
    fail(
      firstMarkerOf.get('down') as number,
      "the '-- migrate: down' section must come after the '-- migrate: up' section",
    )
  }
  const noTransaction = firstMarkerOf.has('no-transaction')
  return { header: header as Partial<RevisionHeader>, up, down, noTransaction }
}

function fieldValue(name: string, value: string, fail: (reason: string) => never): unknown {
  if (name === 'createDate') return value === '' ? null : value
  const ids = value === '' || /^(none|null)$/i.test(value) ? [] : value.split(',').map((id) => id.trim())
  for (const id of ids) {
    if (id === '' || /[\s'"`]/.test(id)) fail(`'${value}' is not a comma-separated list of revision ids`)
  }
  if (name === 'revision') {
    if (ids.length !== 1) fail(`'Revision ID:' must name exactly one id, got '${value}'`)
    return ids[0]
  }
  if (ids.length === 0) return null
  if (name === 'downRevision') return ids.length === 1 ? ids[0] : Object.freeze(ids)
  return Object.freeze(ids)
}

/**
 * The first statement that keeps a revision out of a transaction, as its reason
 * (`CREATE INDEX CONCURRENTLY`), read as PostgreSQL text; undefined when there is none or the
 * text cannot be split (the run that executes it says why, before any step).
 */
export function outsideTransactionStatement(
  revision: SqlRevision,
  serverVersionNum?: number,
): string | undefined {
  const words =
    serverVersionNum !== undefined && serverVersionNum < ADD_VALUE_IN_TRANSACTION_SINCE
      ? MAY_NEED_NO_TRANSACTION_BEFORE_12
      : MAY_NEED_NO_TRANSACTION
  for (const section of [revision.up, revision.down]) {
    // Most files hold none of these words: they need no split to be read as a header.
    if (section === undefined || !words.test(section.text)) continue
    let statements: SqlStatement[]
    try {
      statements = splitSql(section.text, { flavour: 'postgres', lineOffset: section.lineOffset })
    } catch {
      continue
    }
    for (const statement of statements) {
      const reason = outsideTransactionReason(statement, serverVersionNum)
      if (reason !== undefined) return reason
    }
  }
  return undefined
}

/** A word every statement {@link outsideTransactionReason} names holds. */
const MAY_NEED_NO_TRANSACTION = /\b(?:concurrently|vacuum|database|system)\b/i
const ADD_VALUE = /\badd\s+value\b/i
const MAY_NEED_NO_TRANSACTION_BEFORE_12 = /\b(?:concurrently|vacuum|database|system|value)\b/i

/** The runner's view of a `.sql` revision: its statements per dialect, and how it may run. */
export interface SqlRevisionModule {
  readonly upgrade: (op: Operations) => Promise<void>
  readonly downgrade: (op: Operations) => Promise<void>
  /** Why the revision cannot be downgraded, when it cannot: it has no downgrade section. */
  readonly irreversible: string | undefined
  /** The statement that keeps it out of a transaction, when not `-- migrate: no-transaction`. */
  readonly outsideTransaction: string | undefined
  /**
   * The statement that keeps it out of a transaction on a PostgreSQL server of this
   * `server_version_num`, when not `-- migrate: no-transaction`: `ALTER TYPE ... ADD VALUE`
   * before 12, besides {@link outsideTransaction}.
   */
  outsideTransactionOn(serverVersionNum: number): string | undefined
  /** Whether a statement of it may need the server's version to know: `ALTER TYPE ... ADD VALUE`. */
  readonly dependsOnServerVersion: boolean
  /** Splits a direction's statements for a dialect; a syntax problem throws, naming file and line. */
  statements(flavour: SqlFlavour, direction: 'up' | 'down'): readonly SqlStatement[]
}

/**
 * A failed statement of a `.sql` revision: the database's error, at the file and line. The runner
 * reports it as the revision's failure (a `MigrationFailedError` whose cause it is).
 */
export class SqlStatementError extends MigraphError {
  override readonly name = 'SqlStatementError'
  constructor(
    readonly file: string,
    readonly line: number,
    readonly statement: string,
    cause: unknown,
  ) {
    // An op's error repeats the op and revision, which the runner's message already names.
    const reason =
      cause instanceof OperationError ? cause.detail : cause instanceof Error ? cause.message : String(cause)
    super(
      'sql-statement-failed',
      `${file}:${line}: ${reason.split('\n').find((l) => l.trim() !== '') ?? reason}`,
      {
        cause,
      },
    )
  }
}

/**
 * Makes the module of a `.sql` revision: each statement of its section goes through
 * `op.execute`, so online it runs and is counted as one operation, and offline it is written as
 * it stands in the file.
 */
export function sqlRevisionModule(file: string, source: string): SqlRevisionModule {
  const parsed = parseSqlRevision(file, source)
  const cache = new Map<string, readonly SqlStatement[]>()
  const statements = (flavour: SqlFlavour, direction: 'up' | 'down'): readonly SqlStatement[] => {
    const key = `${flavour}:${direction}`
    let found = cache.get(key)
    if (found === undefined) {
      const section = direction === 'up' ? parsed.up : parsed.down
      if (section === undefined) found = []
      else {
        try {
          found = Object.freeze(splitSql(section.text, { flavour, lineOffset: section.lineOffset }))
        } catch (error) {
          if (!(error instanceof SqlSyntaxProblem)) throw error
          throw new RevisionFileError(file, `${file}:${error.line}: ${error.reason}`)
        }
      }
      cache.set(key, found)
    }
    return found
  }
  const irreversible =
    parsed.down === undefined
      ? `${file} has no '-- migrate: down' (or '-- DOWN') section, so it cannot be undone`
      : undefined
  const run = (direction: 'up' | 'down') => async (op: Operations) => {
    if (direction === 'down' && irreversible !== undefined) throw new Error(irreversible)
    for (const statement of statements(op.dialect, direction)) {
      try {
        await op.execute(statement.text)
      } catch (error) {
        throw new SqlStatementError(file, statement.line, statement.text, error)
      }
    }
  }
  return {
    upgrade: run('up'),
    downgrade: run('down'),
    irreversible,
    outsideTransaction: parsed.noTransaction ? undefined : outsideTransactionStatement(parsed),
    outsideTransactionOn: (serverVersionNum) =>
      parsed.noTransaction ? undefined : outsideTransactionStatement(parsed, serverVersionNum),
    dependsOnServerVersion:
      !parsed.noTransaction &&
      [parsed.up, parsed.down].some((s) => s !== undefined && ADD_VALUE.test(s.text)),
    statements,
  }
}
