import { historyRange } from '@migraph/graph'
import type { Project } from '../context.js'
import { MigraphError, RevisionFileError } from '../errors.js'
import { checkStatements, LINT_RULES, type LintSeverity, type RecordedStatement } from '../lint/lint-rules.js'
import { recordUpgrade } from '../lint/record-revision.js'
import type { ScriptDirectory } from '../script/script-directory.js'
import { isSqlRevisionFile } from '../script/sql-revision.js'

/** One dangerous change `mig lint` found. */
export interface LintFinding {
  readonly rule: string
  readonly severity: LintSeverity
  readonly revision: string
  readonly path: string
  /** 1-based position of the op in the upgrade (0: the revision as a whole). */
  readonly op: number
  readonly opKind: string | null
  /** The statement, as PostgreSQL SQL. */
  readonly statement: string | null
  readonly why: string
  readonly safe: string
}

/** What `mig lint` reports: the findings, and the rules each revision silenced (with reasons). */
export interface LintResult {
  readonly revisions: number
  readonly findings: readonly LintFinding[]
  readonly ignored: readonly { readonly revision: string; readonly rule: string; readonly reason: string }[]
  readonly errors: number
  readonly warnings: number
}

export interface LintArgs {
  /** `[start]:[end]`, as `mig history -r` takes it; default every revision. */
  readonly range?: string | undefined
}

/**
 * `mig lint [range]`: runs each revision's `upgrade` against a sink that touches no database,
 * compiles its ops to PostgreSQL SQL, parses every statement (ops and `op.execute` alike) with
 * PostgreSQL's own parser and applies the rules of {@link LINT_RULES}. Imports the revision
 * modules (the ops are only known by running `upgrade`); never connects.
 *
 * @example
 * const { errors, findings } = await lint(project, { range: 'ae10:head' })
 */
export async function lint(project: Project, args: LintArgs = {}): Promise<LintResult> {
  const scripts = await project.scripts()
  // Oldest first: the order they would run in.
  const revisions = [...historyRange(scripts.map, args.range, [])].reverse()
  return lintRevisions(
    project,
    scripts,
    revisions.map((r) => r.revision),
  )
}

/** Lints the given revisions (oldest first): what `mig lint` and `lint: 'error'` upgrades run. */
export async function lintRevisions(
  project: Project,
  scripts: ScriptDirectory,
  ids: readonly string[],
): Promise<LintResult> {
  const revisions = ids.map((id) => scripts.map.get(id))
  const modules = await scripts.loadModules(ids)
  const findings: LintFinding[] = []
  const ignored: { revision: string; rule: string; reason: string }[] = []
  const configLock = project.config.timeouts.lockTimeoutMs
  for (const revision of revisions) {
    const script = scripts.script(revision.revision)
    const module = modules.get(revision.revision)
    if (module === undefined) continue
    const ignore = ignoreList(module.lint, script.path)
    const lockTimeout =
      module.limits?.lockTimeoutMs !== undefined ? module.limits.lockTimeoutMs !== null : configLock != null
    let hits: { rule: string; statement: RecordedStatement | undefined; detail?: string }[]
    try {
      const statements = await recordUpgrade(module.upgrade, revision.revision, project.options.x ?? {})
      hits = checkStatements(statements, { lockTimeout, transactional: script.transactional })
    } catch (error) {
      hits = [
        {
          rule: 'cannot-record',
          statement: undefined,
          detail: error instanceof Error ? error.message : String(error),
        },
      ]
    }
    for (const hit of hits) {
      const rule = LINT_RULES[hit.rule]
      if (rule === undefined) continue
      const reason = ignore[hit.rule]
      if (reason !== undefined) {
        if (!ignored.some((i) => i.revision === revision.revision && i.rule === hit.rule)) {
          ignored.push({ revision: revision.revision, rule: hit.rule, reason })
        }
        continue
      }
      const parseError = hit.statement?.parseError
      findings.push({
        rule: rule.id,
        severity: rule.severity,
        revision: revision.revision,
        path: script.path,
        op: hit.statement?.op ?? 0,
        opKind: hit.statement?.opKind ?? null,
        statement: hit.statement?.sql.trim() ?? null,
        why:
          hit.detail !== undefined
            ? `${rule.why}: ${hit.detail}`
            : parseError !== undefined
              ? `${rule.why}: ${parseError}`
              : rule.why,
        safe: isSqlRevisionFile(script.path) ? (rule.sqlSafe ?? rule.safe) : rule.safe,
      })
    }
  }
  const errors = findings.filter((f) => f.severity === 'error').length
  return { revisions: revisions.length, findings, ignored, errors, warnings: findings.length - errors }
}

/** `export const lint = { ignore: { 'rule-id': 'reason' } }`, checked: known rules, real reasons. */
function ignoreList(value: unknown, path: string): Readonly<Record<string, string>> {
  if (value === undefined) return {}
  const ignore = (value as { ignore?: unknown } | null)?.ignore
  const bad = (why: string) =>
    new RevisionFileError(
      path,
      `${path}: export 'lint' ${why}; write { ignore: { 'rule-id': 'the reason it is safe here' } }`,
    )
  if (value === null || typeof value !== 'object' || Object.keys(value).some((k) => k !== 'ignore')) {
    throw bad('must be an object with one key, ignore')
  }
  if (ignore === null || typeof ignore !== 'object' || Array.isArray(ignore))
    throw bad('ignore must be an object')
  for (const [rule, reason] of Object.entries(ignore)) {
    if (LINT_RULES[rule] === undefined) {
      throw bad(`names an unknown rule '${rule}' (rules: ${Object.keys(LINT_RULES).join(', ')})`)
    }
    if (typeof reason !== 'string' || reason.trim() === '')
      throw bad(`must give a reason for ignoring '${rule}'`)
  }
  return ignore as Record<string, string>
}

/**
 * The error `mig upgrade` fails with under `lint: 'error'` when a revision it would apply breaks
 * a rule of severity error: one line naming each (rule, revision, op).
 */
export function lintFailure(result: LintResult): MigraphError {
  const errors = result.findings.filter((f) => f.severity === 'error')
  const named = errors
    .slice(0, 5)
    .map((f) => `${f.rule} in ${f.revision}${f.op === 0 ? '' : ` (op ${f.op})`}`)
    .join(', ')
  const more = errors.length > 5 ? `, and ${errors.length - 5} more` : ''
  return new MigraphError(
    'lint-failed',
    `not upgrading: the config says lint: 'error', and mig lint found ${errors.length} error(s) in the revisions to apply: ${named}${more}; run 'mig lint' for why and the safe way, or ignore a rule in a revision with its reason (export const lint = { ignore: { rule: 'reason' } })`,
  )
}
