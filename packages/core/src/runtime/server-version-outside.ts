import type { MigrationStep } from '@migraph/graph'
import type { AnyKysely, MigrationDialect } from '../dialects/dialect.js'
import type { RevisionModule } from '../script/script-directory.js'

/**
 * The `.sql` revisions of a run that must leave the transaction on this server, though they read
 * as transactional: `ALTER TYPE ... ADD VALUE` before PostgreSQL 12. The server is asked its
 * version only when such a statement is about to run; each revision maps to its reason.
 */
export async function outsideTransactionOnServer(
  dialect: MigrationDialect,
  db: AnyKysely,
  steps: readonly MigrationStep[],
  modules: ReadonlyMap<string, RevisionModule>,
): Promise<ReadonlyMap<string, string>> {
  const outside = new Map<string, string>()
  const candidates = steps.filter(
    (step) => !step.isStamp && modules.get(step.revision)?.sql?.dependsOnServerVersion === true,
  )
  if (candidates.length === 0 || dialect.serverVersionNum === undefined) return outside
  const version = await dialect.serverVersionNum(db)
  for (const step of candidates) {
    const sql = modules.get(step.revision)?.sql
    const reason = sql?.outsideTransaction === undefined ? sql?.outsideTransactionOn(version) : undefined
    if (reason !== undefined) outside.set(step.revision, reason)
  }
  return outside
}
