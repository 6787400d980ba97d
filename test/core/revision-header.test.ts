import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseRevisionHeader } from '../../packages/core/src/script/revision-header.ts'

const file = (
  body: string,
  doc = '/**\n * add account\n *\n * Revision ID: ab12\n * Revises:\n * Create Date: 2026-01-02 03:04:05.000000\n */\n',
) =>
  `${doc}import type { Operations } from 'migraph'\n${body}\nexport async function upgrade(op: Operations) {}\n`

describe('parseRevisionHeader', () => {
  test('reads the literals the template writes', () => {
    const { header, dynamic } = parseRevisionHeader(
      file(`export const revision = 'ab12'
export const downRevision: string | readonly string[] | null = null
export const branchLabels: readonly string[] | null = ['billing']
export const dependsOn: readonly string[] | null = null`),
    )
    assert.deepEqual(dynamic, [])
    assert.equal(header.revision, 'ab12')
    assert.equal(header.downRevision, null)
    assert.deepEqual(header.branchLabels, ['billing'])
    assert.equal(header.dependsOn, null)
    assert.equal(header.message, 'add account')
    assert.equal(header.createDate, '2026-01-02 03:04:05.000000')
    assert.match(header.doc ?? '', /^add account\n\nRevision ID: ab12/)
  })

  test('accepts double quotes, arrays with trailing commas, as const, comments and semicolons', () => {
    const { header, dynamic } = parseRevisionHeader(
      file(`export const revision = "cd34";
export const downRevision = [ 'ab12', "ef56", ] as const; // merge
export const transactional = false`),
    )
    assert.deepEqual(dynamic, [])
    assert.equal(header.revision, 'cd34')
    assert.deepEqual(header.downRevision, ['ab12', 'ef56'])
    assert.equal(header.transactional, false)
  })

  test('reports expressions it will not evaluate', () => {
    const { header, dynamic } = parseRevisionHeader(
      file(`export const revision = 'ab12'
export const downRevision = PARENT
export const dependsOn = ['x'].concat(more)`),
    )
    assert.equal(header.revision, 'ab12')
    assert.deepEqual(dynamic, ['downRevision', 'dependsOn'])
  })

  test('unescapes string escapes and keeps a multi-line message', () => {
    const { header } = parseRevisionHeader(
      file(
        "export const revision = 'it\\'s'",
        '/**\n * first line\n * second line with *\\/ inside\n *\n * Revision ID: x\n */\n',
      ),
    )
    assert.equal(header.revision, "it's")
    assert.equal(header.message, 'first line\nsecond line with */ inside')
  })

  test('a file without a doc comment has no message', () => {
    const { header } = parseRevisionHeader("export const revision = 'ab12'\n")
    assert.equal(header.message, null)
    assert.equal(header.revision, 'ab12')
  })
})
