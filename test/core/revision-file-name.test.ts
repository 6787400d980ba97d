import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  checkRevisionId,
  renderFileName,
  slugify,
} from '../../packages/core/src/script/revision-file-name.ts'
import { commentLines, tsLiteral } from '../../packages/core/src/script/templates.ts'

describe('slugify (Alembic rules)', () => {
  const cases: [string, string][] = [
    ['create account table', 'create_account_table'],
    ['Add a column', 'add_a_column'],
    ["it's ../../etc/passwd; rm -rf / `x` $(y)", 'it_s_etc_passwd_rm_rf_x_y'],
    ['émoji 🎉 café', 'émoji_café'],
    ['', ''],
    // cut to 40 characters at a word boundary, with Alembic's trailing underscore
    ['this is a long message that will be truncated somewhere', 'this_is_a_long_message_that_will_be_'],
  ]
  for (const [message, slug] of cases) {
    test(JSON.stringify(message), () => assert.equal(slugify(message), slug))
  }
  test('a 40-character slug is kept whole', () => {
    const message = 'a'.repeat(40)
    assert.equal(slugify(message), message)
  })
})

describe('renderFileName', () => {
  const date = new Date(2026, 0, 2, 3, 4, 5)
  test('default template', () => {
    assert.equal(renderFileName('{rev}_{slug}', { rev: 'ab12', slug: 'x', date }), 'ab12_x')
  })
  test('date fields', () => {
    assert.equal(
      renderFileName('{year}_{month}_{day}_{hour}{minute}-{rev}_{slug}', { rev: 'ab12', slug: 'x', date }),
      '2026_01_02_0304-ab12_x',
    )
  })
  test('never leaves the folder', () => {
    assert.equal(renderFileName('../{rev}/{slug}', { rev: 'ab', slug: 'x', date }), '__ab_x')
  })
})

describe('checkRevisionId', () => {
  test('accepts ids without reserved characters', () => assert.equal(checkRevisionId('abc_123'), undefined))
  for (const bad of ['', 'a-b', 'a+b', 'a@b', 'a:b', 'a b', "a'b", 'a/b']) {
    test(`rejects ${JSON.stringify(bad)}`, () => assert.notEqual(checkRevisionId(bad), undefined))
  }
})

describe('template helpers', () => {
  test('tsLiteral escapes quotes, backslashes and newlines', () => {
    assert.equal(tsLiteral("a'b\\c\nd"), "'a\\'b\\\\c\\nd'")
    assert.equal(tsLiteral(null), 'null')
    assert.equal(tsLiteral(['a', 'b']), "['a', 'b']")
  })
  test('commentLines cannot close the comment early', () => {
    assert.equal(commentLines('x */ y\nz'), ' * x *\\/ y\n * z')
  })
})
