// `ALTER TYPE ... ADD VALUE` in a `.sql` revision, with the real `mig` binary: from PostgreSQL 12
// on (every server and PGlite these tests reach) it stays in the revision's transaction, so a
// later failing statement takes it back with the rest. Before 12 the runner, having read
// `server_version_num`, runs such a revision outside one (unit-tested in test/core).
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { DATABASE_KINDS } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { writeConfig } from '../helpers/project-files.js'

const cleanups: (() => void)[] = []
after(() => {
  for (const cleanup of cleanups) cleanup()
})

const postgresLike = DATABASE_KINDS.filter(
  (kind) => kind.name === 'embedded PGlite' || kind.name === 'PostgreSQL',
)

const revision = (last: string) => `-- Revision ID: aa01
-- Revises:

-- UP
CREATE TYPE mood AS ENUM ('ok');
ALTER TYPE mood ADD VALUE 'happy';
${last}
-- DOWN
DROP TYPE mood;
`

describe('ALTER TYPE ... ADD VALUE in a .sql revision', () => {
  for (const kind of postgresLike) {
    test(`${kind.name}: on 12+ it runs in the revision's transaction, undone with it on failure`, async () => {
      const { dir, cleanup } = tempProject('mig-enum-value-')
      cleanups.push(cleanup)
      writeConfig(dir)
      mkdirSync(join(dir, 'migrations'), { recursive: true })
      const db = await kind.create(dir)
      try {
        const file = join(dir, 'migrations', 'aa01_mood.sql')
        writeFileSync(file, revision('SELECT * FROM missing_table;'))
        const failed = await mig(dir, [...db.args, 'upgrade', 'head'])
        assert.equal(failed.code, 1)
        assert.match(failed.stderr, /aa01_mood\.sql:7: .*missing_table/)
        assert.doesNotMatch(failed.stderr, /outside a transaction/)
        // Rolled back whole: the type is gone, so the fixed revision creates it anew.
        assert.equal(await db.versions(), null)
        writeFileSync(file, revision("SELECT 'ok'::mood;"))
        const up = await mig(dir, [...db.args, 'upgrade', 'head'])
        assert.equal(up.code, 0, up.stderr)
        assert.match(up.stderr, /Running upgrade {2}-> aa01 \(\d/)
        assert.deepEqual(await db.versions(), ['aa01'])
      } finally {
        await db.drop()
      }
    })
  }
})
