import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'

const TEMPLATE = join(tmpdir(), `migraph-pglite-template-${process.getuid?.() ?? 0}`)

/**
 * A fresh PGlite data directory takes seconds to initialise; tests copy a pristine one made
 * once per machine instead (created under a temporary name and renamed, so concurrent test files
 * never see a half-made template).
 */
export async function freshPgliteDir(target: string): Promise<void> {
  if (!existsSync(join(TEMPLATE, 'PG_VERSION'))) {
    const building = `${TEMPLATE}.${process.pid}.${Date.now()}`
    const db = new PGlite(building)
    await db.waitReady
    await db.close()
    try {
      renameSync(building, TEMPLATE)
    } catch {
      rmSync(building, { recursive: true, force: true })
    }
  }
  mkdirSync(dirname(target), { recursive: true })
  cpSync(TEMPLATE, target, { recursive: true })
}
