import type { Op } from '@migraph/operations'

/** What kind of object a difference is about. */
export type SchemaObjectKind =
  | 'table'
  | 'column'
  | 'primary key'
  | 'unique constraint'
  | 'foreign key'
  | 'check constraint'
  | 'index'
  | 'enum'
  | 'sequence'
  | 'view'

/**
 * One difference between two schema models, in words. `destructive` says why applying it may
 * lose data (a drop, a narrowing type change); `unsupported` says why no op could be written
 * for it, so a hand-written migration is needed.
 */
export interface Difference {
  readonly action: 'add' | 'drop' | 'change' | 'rename'
  readonly object: SchemaObjectKind
  /** `account`, `account.email`, `account.account_email_key`. */
  readonly name: string
  /** What changed, e.g. `type text -> character varying(20)`, or the new name of a rename. */
  readonly detail?: string | undefined
  readonly destructive?: string | undefined
  readonly unsupported?: string | undefined
}

/** One op of a generated migration, with the reason to review it when it can lose data. */
export interface DiffStep {
  readonly op: Op
  readonly destructive?: string | undefined
}

/** A table or column that disappeared while a similar one appeared: maybe a rename. */
export interface RenameCandidate {
  readonly object: 'table' | 'column'
  /** Table name for tables; `table.column` for columns. */
  readonly from: string
  readonly to: string
}

/** Everything {@link diffSchemas} found, and the ops that turn one model into the other. */
export interface SchemaDiff {
  readonly differences: readonly Difference[]
  /** Ops from the first model to the second, in an order that runs. */
  readonly upgrade: readonly DiffStep[]
  /** Ops from the second model back to the first. */
  readonly downgrade: readonly DiffStep[]
  readonly renameCandidates: readonly RenameCandidate[]
  /** What the downgrade cannot undo (a PostgreSQL enum value cannot be removed): review it by hand. */
  readonly irreversible: readonly Difference[]
}

const SIGN = { add: '+', drop: '-', change: '~', rename: '>' } as const

/**
 * One line per difference, `+` added, `-` dropped, `~` changed, `>` renamed, with destructive
 * and unsupported changes called out, and rename candidates last.
 *
 * @example
 * ```ts
 * formatDifferences(diffSchemas(live, declared))
 * // => ['+ table invoice', '~ column account.email: nullable true -> false']
 * ```
 */
export function formatDifferences(diff: Pick<SchemaDiff, 'differences' | 'renameCandidates'>): string[] {
  const lines = diff.differences.map((d) => {
    let line = `${SIGN[d.action]} ${d.object} ${d.name}`
    if (d.detail !== undefined) line += d.action === 'rename' ? ` -> ${d.detail}` : `: ${d.detail}`
    if (d.destructive !== undefined) line += ` (destructive: ${d.destructive})`
    if (d.unsupported !== undefined) line += ` (not generated: ${d.unsupported})`
    return line
  })
  for (const c of diff.renameCandidates) {
    // A column rename names the new column alone: `--rename account.name:full_name`.
    const to = c.object === 'column' ? c.to.slice(c.to.lastIndexOf('.') + 1) : c.to
    lines.push(
      `? ${c.object} ${c.from} may have been renamed to ${c.to}; pass --rename ${c.from}:${to} to rename it`,
    )
  }
  return lines
}
