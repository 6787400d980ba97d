// Each op compiled for each dialect, asserted as the exact SQL the offline sink writes.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  createCompilerKysely,
  createOfflineSink,
  createOperations,
  inlineParameters,
  type OperationError,
  type SqlFlavour,
} from '@migraph/operations'
import { CASES } from './helpers/shape-cases.ts'
import { EXPECTED } from './helpers/shape-expected.ts'

const FLAVOURS: readonly SqlFlavour[] = ['postgres', 'mysql', 'sqlite']

async function render(flavour: SqlFlavour, name: string): Promise<readonly string[] | string> {
  const out: string[] = []
  const { op } = createOperations(createOfflineSink(flavour, { write: (s) => out.push(s) }), {
    revision: 'r1',
  })
  const run = CASES[name]
  assert.ok(run, name)
  try {
    await run(op)
    return out
  } catch (error) {
    return `error: ${(error as OperationError).code}`
  }
}

for (const flavour of FLAVOURS) {
  describe(`SQL for ${flavour}`, () => {
    for (const name of Object.keys(CASES)) {
      test(name, async () => {
        assert.deepEqual(await render(flavour, name), EXPECTED[name]?.[flavour])
      })
    }
  })
}

describe('inlineParameters', () => {
  test('leaves placeholders inside strings, identifiers and comments alone', () => {
    const query = {
      sql: `select '$1 ?', "a$1?", \`b?\` /* $1 ? */ from t where x = $1 and y = $2 -- $3 ?\n`,
      parameters: ["o'k", null],
    }
    const pg = inlineParameters({ ...query, query: { kind: 'RawNode' } } as never, 'postgres')
    assert.equal(
      pg,
      `select '$1 ?', "a$1?", \`b?\` /* $1 ? */ from t where x = 'o''k' and y = null -- $3 ?\n`,
    )
  })

  test('escapes each dialect its own way', () => {
    const value = "it's \\ fine; --"
    const compile = (flavour: SqlFlavour) =>
      inlineParameters(
        createCompilerKysely(flavour).selectFrom('t').select('a').where('b', '=', value).compile(),
        flavour,
      )
    assert.equal(compile('postgres'), `select "a" from "t" where "b" = 'it''s \\ fine; --'`)
    assert.equal(compile('mysql'), "select `a` from `t` where `b` = 'it''s \\\\ fine; --'")
    assert.equal(compile('sqlite'), `select "a" from "t" where "b" = 'it''s \\ fine; --'`)
  })

  test('renders dates, bytes, booleans and JSON', () => {
    const date = new Date('2024-01-02T03:04:05.678Z')
    const q = createCompilerKysely('mysql')
      .insertInto('t')
      .values({ d: date, b: new Uint8Array([1, 255]), ok: true, j: JSON.stringify({ a: "'" }) })
      .compile()
    assert.equal(
      inlineParameters(q, 'mysql'),
      "insert into `t` (`d`, `b`, `ok`, `j`) values ('2024-01-02 03:04:05.678', X'01ff', true, '{\"a\":\"''\"}')",
    )
    const pg = createCompilerKysely('postgres')
      .insertInto('t')
      .values({ d: date, b: Buffer.from([1]) })
      .compile()
    assert.equal(
      inlineParameters(pg, 'postgres'),
      `insert into "t" ("d", "b") values ('2024-01-02T03:04:05.678Z', '\\x01')`,
    )
  })
})
