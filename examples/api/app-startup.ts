// Application start-up: migrate through the application's own pg Pool before serving.
import { createMigrator, LockTimeoutError } from 'migraph'
import pg from 'pg'

export async function startDatabase(): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
  // The revision files come from migrate.config.ts (found from the working directory); the
  // connection is one session borrowed from the pool for the run, then given back.
  const migrator = createMigrator(pool, { lockTimeoutMs: 5 * 60_000 })
  try {
    // Several replicas starting at once: one applies, the others wait for the lock, then find
    // nothing left to do.
    const { steps, heads } = await migrator.upgrade()
    console.info(`database at ${heads.join(', ') || 'base'}; ${steps.length} revision(s) applied`)
  } catch (error) {
    await pool.end()
    if (error instanceof LockTimeoutError) {
      throw new Error('another deployment has held the migration lock for 5 minutes', { cause: error })
    }
    throw error
  }
  return pool
}
