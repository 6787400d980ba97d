// The rules of `mig lint`, over each statement a revision's upgrade would send, as PostgreSQL's
// own parser (libpg-query) reads it. Ops are compiled to PostgreSQL SQL first, so `op.createIndex`
// and `op.execute('create index …')` are judged alike.

/** How bad a finding is: an error fails `mig lint` (and `mig upgrade` under `lint: 'error'`). */
export type LintSeverity = 'error' | 'warning'

/** One rule: its id, severity, why it is dangerous, and the safe way. */
export interface LintRule {
  readonly id: string
  readonly severity: LintSeverity
  readonly why: string
  readonly safe: string
  /** The safe way in a `.sql` revision, where {@link safe} names what only a module has. */
  readonly sqlSafe?: string
}

/** Every rule, by id. */
export const LINT_RULES: Readonly<Record<string, LintRule>> = Object.freeze(
  Object.fromEntries(
    (
      [
        {
          id: 'index-not-concurrent',
          severity: 'error',
          why: 'CREATE INDEX without CONCURRENTLY blocks writes to the table until the index is built (PostgreSQL SHARE lock; MySQL/MariaDB build most indexes in place)',
          safe: "op.createIndex(…, { concurrently: true }) in a revision with 'export const transactional = false'",
          sqlSafe: "CREATE INDEX CONCURRENTLY … in a revision marked '-- migrate: no-transaction'",
        },
        {
          id: 'add-column-not-null-no-default',
          severity: 'error',
          why: 'a NOT NULL column without a default fails on a table that has rows',
          safe: 'add the column nullable (or with a default), backfill it, then set NOT NULL',
        },
        {
          id: 'add-column-volatile-default',
          severity: 'error',
          why: 'a volatile default (random(), gen_random_uuid(), clock_timestamp() …) rewrites the whole table under an ACCESS EXCLUSIVE lock',
          safe: 'add the column without a default, set the default afterwards, backfill in batches',
        },
        {
          id: 'column-type-change',
          severity: 'error',
          why: 'changing a column type rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock, except for a few binary-compatible changes; MySQL/MariaDB copy the table',
          safe: 'add a new column, backfill it, switch readers and writers, then drop the old one',
        },
        {
          id: 'set-not-null',
          severity: 'warning',
          why: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock',
          safe: 'add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later revision, then SET NOT NULL (PostgreSQL 12+ uses the check and skips the scan)',
        },
        {
          id: 'constraint-not-valid',
          severity: 'error',
          why: 'adding a FOREIGN KEY or CHECK constraint validates every row while holding a lock that blocks writes',
          safe: "op.execute('ALTER TABLE … ADD CONSTRAINT … NOT VALID'), then 'VALIDATE CONSTRAINT …' in a later revision",
          sqlSafe:
            'ALTER TABLE … ADD CONSTRAINT … NOT VALID, then ALTER TABLE … VALIDATE CONSTRAINT … in a later revision',
        },
        {
          id: 'rename-or-drop',
          severity: 'warning',
          why: 'renaming or dropping a table or column breaks the application code still running against it during the deploy',
          safe: 'stop using the column or table in the code first, deploy, then drop it; for a rename add the new one, copy, and drop the old one later',
        },
        {
          id: 'add-primary-key',
          severity: 'error',
          why: 'adding a primary key to an existing table builds its unique index while blocking writes (and scans for NULLs)',
          safe: 'CREATE UNIQUE INDEX CONCURRENTLY in a non-transactional revision, then ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY USING INDEX …',
        },
        {
          id: 'enum-value-in-transaction',
          severity: 'warning',
          why: 'ALTER TYPE … ADD VALUE cannot run inside a transaction before PostgreSQL 12, and from 12 on the new value cannot be used until the transaction commits',
          safe: "add the value in a revision of its own with 'export const transactional = false', and use it in a later revision",
          sqlSafe:
            "add the value in a revision of its own marked '-- migrate: no-transaction', and use it in a later revision",
        },
        {
          id: 'ddl-and-data',
          severity: 'warning',
          why: 'schema changes and data changes in one transaction hold the DDL locks for as long as the data change runs',
          safe: 'put data changes (INSERT/UPDATE/DELETE) in a revision of their own',
        },
        {
          id: 'no-lock-timeout',
          severity: 'warning',
          why: 'DDL waiting for a lock behind a long transaction blocks every query queued behind it, for as long as it waits',
          safe: "set 'timeouts: { lockTimeout: … }' in the config (with 'retries'), or 'export const timeouts' in the revision",
          sqlSafe:
            "set 'timeouts: { lockTimeout: … }' in the config (with 'retries'), or start the revision with SET lock_timeout = '5s'",
        },
        {
          id: 'unparsable-sql',
          severity: 'error',
          why: "PostgreSQL's parser does not accept this statement, so no rule could check it",
          safe: 'fix the statement (or ignore the rule for this revision, with the reason)',
          sqlSafe: 'fix the statement',
        },
        {
          id: 'cannot-record',
          severity: 'error',
          why: 'the upgrade could not be recorded without a database (it uses op.db, or it threw)',
          safe: 'build queries with op.builder and pass them to op.execute(), or ignore the rule with the reason',
        },
      ] as const satisfies readonly LintRule[]
    ).map((rule) => [rule.id, Object.freeze(rule)]),
  ),
)

/** A parsed statement's node: `{ IndexStmt: {…} }` and so on (libpg-query's JSON). */
type Node = Record<string, unknown>

/** One statement of a revision's upgrade, parsed, and the op it came from. */
export interface RecordedStatement {
  /** 1-based position of the op in the revision's upgrade. */
  readonly op: number
  readonly opKind: string
  readonly sql: string
  /** The statement's node, or undefined when the parser refused it. */
  readonly node: Node | undefined
  readonly parseError?: string | undefined
}

/** A rule broken by a statement of a revision. */
export interface RuleHit {
  readonly rule: string
  readonly statement: RecordedStatement | undefined
}

const VOLATILE = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v4',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'txid_current',
])
const DATA_STATEMENTS = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'CopyStmt'])
const DDL_STATEMENTS = new Set([
  'AlterTableStmt',
  'IndexStmt',
  'CreateStmt',
  'RenameStmt',
  'DropStmt',
  'AlterEnumStmt',
])

const kindOf = (node: Node): string => Object.keys(node)[0] ?? ''
const bodyOf = (node: Node): Node => (Object.values(node)[0] ?? {}) as Node
const relname = (body: Node): string | undefined =>
  (body.relation as Node | undefined)?.relname as string | undefined

/** Whether any node under `value` is a call of a volatile function. */
function callsVolatile(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false
  if (Array.isArray(value)) return value.some(callsVolatile)
  const call = (value as Node).FuncCall as Node | undefined
  if (call !== undefined) {
    const names = (call.funcname as Node[] | undefined) ?? []
    const last = (names.at(-1)?.String as Node | undefined)?.sval
    if (typeof last === 'string' && VOLATILE.has(last.toLowerCase())) return true
  }
  return Object.values(value).some(callsVolatile)
}

function constraintsOf(columnDef: Node): Node[] {
  return ((columnDef.constraints as Node[] | undefined) ?? []).map((c) => (c.Constraint ?? {}) as Node)
}

/**
 * The rules `statements` break, in order. `lockTimeout` says whether a lock timeout is in force
 * for the revision (config or revision `timeouts`); `transactional`, whether it runs in one.
 */
export function checkStatements(
  statements: readonly RecordedStatement[],
  context: { readonly lockTimeout: boolean; readonly transactional: boolean },
): RuleHit[] {
  const hits: RuleHit[] = []
  const created = new Set<string>()
  let lockTimeoutSet = context.lockTimeout
  let firstDdl: RecordedStatement | undefined
  let firstData: RecordedStatement | undefined
  const existing = (name: string | undefined) => name !== undefined && !created.has(name)
  for (const statement of statements) {
    const node = statement.node
    if (node === undefined) {
      hits.push({ rule: 'unparsable-sql', statement })
      continue
    }
    const kind = kindOf(node)
    const body = bodyOf(node)
    if (kind === 'VariableSetStmt' && body.name === 'lock_timeout') lockTimeoutSet = true
    if (DATA_STATEMENTS.has(kind)) firstData ??= statement
    let touchesExisting = false
    switch (kind) {
      case 'CreateStmt':
        if (relname(body) !== undefined) created.add(relname(body) as string)
        break
      case 'IndexStmt':
        if (existing(relname(body))) {
          touchesExisting = true
          if (body.concurrent !== true) hits.push({ rule: 'index-not-concurrent', statement })
        }
        break
      case 'AlterTableStmt': {
        if (!existing(relname(body))) break
        touchesExisting = true
        for (const cmdNode of (body.cmds as Node[] | undefined) ?? []) {
          const cmd = (cmdNode.AlterTableCmd ?? {}) as Node
          const def = (cmd.def ?? {}) as Node
          switch (cmd.subtype) {
            case 'AT_AddColumn': {
              const constraints = constraintsOf((def.ColumnDef ?? {}) as Node)
              const dflt = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')
              const notNull = constraints.some(
                (c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY',
              )
              if (notNull && dflt === undefined)
                hits.push({ rule: 'add-column-not-null-no-default', statement })
              if (dflt !== undefined && callsVolatile(dflt.raw_expr))
                hits.push({ rule: 'add-column-volatile-default', statement })
              break
            }
            case 'AT_AlterColumnType':
              hits.push({ rule: 'column-type-change', statement })
              break
            case 'AT_SetNotNull':
              hits.push({ rule: 'set-not-null', statement })
              break
            case 'AT_DropColumn':
              hits.push({ rule: 'rename-or-drop', statement })
              break
            case 'AT_AddConstraint': {
              const constraint = (def.Constraint ?? {}) as Node
              // `PRIMARY KEY USING INDEX` takes an index built beforehand (concurrently): the safe way.
              if (constraint.contype === 'CONSTR_PRIMARY' && constraint.indexname === undefined) {
                hits.push({ rule: 'add-primary-key', statement })
              }
              if (
                (constraint.contype === 'CONSTR_FOREIGN' || constraint.contype === 'CONSTR_CHECK') &&
                constraint.skip_validation !== true
              ) {
                hits.push({ rule: 'constraint-not-valid', statement })
              }
              break
            }
          }
        }
        break
      }
      case 'RenameStmt':
        if (body.renameType === 'OBJECT_TABLE' || body.renameType === 'OBJECT_COLUMN') {
          touchesExisting = existing(relname(body))
          if (touchesExisting) hits.push({ rule: 'rename-or-drop', statement })
        }
        break
      case 'DropStmt':
        if (body.removeType === 'OBJECT_TABLE') {
          touchesExisting = true
          hits.push({ rule: 'rename-or-drop', statement })
        }
        break
      case 'AlterEnumStmt':
        if (context.transactional && typeof body.newVal === 'string' && body.oldVal === undefined) {
          hits.push({ rule: 'enum-value-in-transaction', statement })
        }
        break
    }
    if (DDL_STATEMENTS.has(kind)) firstDdl ??= statement
    if (touchesExisting && !lockTimeoutSet && !hits.some((h) => h.rule === 'no-lock-timeout')) {
      hits.push({ rule: 'no-lock-timeout', statement })
    }
  }
  if (context.transactional && firstDdl !== undefined && firstData !== undefined) {
    hits.push({ rule: 'ddl-and-data', statement: firstData })
  }
  return hits
}
