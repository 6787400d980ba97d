// A platform migrating every tenant database: a few at a time, one summary line per tenant, and
// a failing tenant reported without stopping the others. Rerunning resumes: tenants already at
// the newest revisions have nothing to do.
import { createMigrator, MigraphError } from 'migraph'

export interface TenantResult {
  readonly tenant: string
  readonly from: string
  readonly to: string
  /** `ok`, or the failure's stable code (`connection-failed`, `migration-failed`, …). */
  readonly result: string
  readonly durationMs: number
}

export async function migrateFleet(
  tenants: Readonly<Record<string, string>>,
  options: { readonly parallel?: number; readonly config?: string } = {},
): Promise<TenantResult[]> {
  const queue = Object.entries(tenants)
  const results: TenantResult[] = []
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [tenant, url] = next
      const started = performance.now()
      const migrator = createMigrator(options.config ?? 'migrate.config.ts', { url, lockTimeoutMs: 30_000 })
      let from = '?'
      let to = '?'
      let result = 'ok'
      try {
        from = (await migrator.status()).heads.join(',') || 'base'
        to = (await migrator.upgrade('heads')).heads.join(',') || 'base'
      } catch (error) {
        // Every error migraph throws has a stable code; anything else is a bug worth seeing.
        if (!(error instanceof MigraphError)) throw error
        result = error.code
      }
      results.push({ tenant, from, to, result, durationMs: Math.round(performance.now() - started) })
    }
  }
  await Promise.all(Array.from({ length: options.parallel ?? 4 }, worker))
  return results.sort((a, b) => a.tenant.localeCompare(b.tenant))
}
