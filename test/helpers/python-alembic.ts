import { spawnSync } from 'node:child_process'

/**
 * A Python that can `import alembic` (`MIGRAPH_PYTHON`, then `python3`), or null: the tests that
 * compare with real Alembic are skipped where it is not installed.
 */
export function findAlembicPython(): string | null {
  for (const candidate of [process.env.MIGRAPH_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!candidate) continue
    const probe = spawnSync(candidate, ['-c', 'import alembic'], { encoding: 'utf8' })
    if (probe.status === 0) return candidate
  }
  return null
}
