import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { RevisionFileError } from '../../packages/core/src/errors.ts'
import { readAlembicRevision } from '../../packages/core/src/import/alembic-versions.ts'

const read = (source: string) => readAlembicRevision('versions/x.py', 'x.py', source)

// The header as Alembic 1.13's template writes it, with type annotations.
const ANNOTATED = `"""merge heads

Revision ID: ddd444
Revises: ccc333, bbb222
Create Date: 2024-05-01 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'ddd444'
down_revision: Union[str, None] = (
    'ccc333',
    'bbb222',
)
branch_labels: Union[str, Sequence[str], None] = "side"
depends_on: Union[str, Sequence[str], None] = ['aaa111']


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
`

describe('readAlembicRevision', () => {
  test('ids, parents of a merge, labels and dependencies as literals, with or without annotations', () => {
    const r = read(ANNOTATED)
    assert.equal(r.revision, 'ddd444')
    assert.deepEqual(r.downRevision, ['ccc333', 'bbb222'])
    assert.deepEqual(r.branchLabels, ['side'])
    assert.deepEqual(r.dependsOn, ['aaa111'])
    assert.equal(r.message, 'merge heads')
    assert.equal(r.createDate, '2024-05-01 10:00:00.000000')
    assert.deepEqual(r.upgradeSql, [])
    const root = read("revision = 'a1'\ndown_revision = None\nbranch_labels = ('x', 'y')\n")
    assert.equal(root.downRevision, null)
    assert.deepEqual(root.branchLabels, ['x', 'y'])
    assert.equal(root.dependsOn, null)
    assert.equal(root.message, 'x.py')
  })

  test('a body of literal op.execute calls is kept as SQL, unindented; any other is not', () => {
    const r = read(`revision = 'a1'
down_revision = 'a0'

def upgrade():
    # create it
    op.execute(
        """
        CREATE TABLE t (
            id INTEGER
        )
        """
    )
    op.execute('INSERT INTO t VALUES (1, \\'it\\'\\'s\\')')
    op.execute(r"SELECT '\\d'" " -- joined")


def downgrade():
    op.drop_table('t')
`)
    assert.deepEqual(r.upgradeSql, [
      'CREATE TABLE t (\n    id INTEGER\n)',
      "INSERT INTO t VALUES (1, 'it''s')",
      "SELECT '\\d' -- joined",
    ])
    assert.equal(r.downgradeSql, null)
    assert.equal(r.downgradeBody, "    op.drop_table('t')")
    for (const body of ['op.execute(f"SELECT {x}")', 'op.execute(sql)', 'op.execute("a"); x = 1']) {
      assert.equal(read(`revision = 'a'\ndef upgrade():\n    ${body}\n`).upgradeSql, null, body)
    }
  })

  test('a header that is not a literal names the file and the field', () => {
    for (const [line, field] of [
      ['revision = make_id()\n', 'revision'],
      ["revision = 'a'\ndown_revision = PREVIOUS\n", 'down_revision'],
      ["revision = 'a'\nbranch_labels = ('x', y)\n", 'branch_labels'],
    ] as const) {
      assert.throws(
        () => read(line),
        (error: unknown) =>
          error instanceof RevisionFileError &&
          error.message ===
            `versions/x.py: ${field} is not a literal (None, a string, or a tuple or list of strings); migraph reads Alembic headers without running Python`,
      )
    }
    assert.throws(() => read('import os\n'), /versions\/x\.py: no "revision = '<id>'" line/)
  })
})
