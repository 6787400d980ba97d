// A test suite's global set-up (Vitest `globalSetup`, or a node:test `before`): bring the test
// database to the newest revisions, refuse to run on one whose applied files changed, and
// return the teardown that reverts everything for the next run.
import { createMigrator, MigraphError } from 'migraph'

export default async function setup(
  url = process.env.TEST_DATABASE_URL ?? 'sqlite:test.db',
): Promise<() => Promise<void>> {
  const migrator = createMigrator('migrate.config.ts', { url })
  try {
    await migrator.upgrade('heads')
  } catch (error) {
    if (error instanceof MigraphError && error.code === 'checksum-mismatch') {
      // A revision that already ran was edited: the test database no longer matches the code.
      await migrator.downgrade('base', { ignoreChecksums: true })
      await migrator.upgrade('heads')
    } else {
      throw error
    }
  }
  // Throws the typed error for anything still wrong (pending, unknown or failed revisions).
  await migrator.check()
  return async () => {
    await migrator.downgrade('base')
  }
}
