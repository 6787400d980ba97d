import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { HEADER_NAMES, parseRevisionHeader } from '../../packages/core/src/script/revision-header.ts'

const file = (
  body: string,
  doc = '/**\n * add account\n *\n * Revision ID: ab12\n * Revises:\n * Create Date: 2026-01-02 03:04:05.000000\n */\n',
) =>
  `${doc}import type { Operations } from 'migraph'\n${body}\nexport async function upgrade(op: Operations) {}\n`

describe('parseRevisionHeader', () => {
  test('reads the literals the template writes', () => {
    const { header, problems } = parseRevisionHeader(
      file(`export const revision = 'ab12'
export const downRevision: string | readonly string[] | null = null
export const branchLabels: readonly string[] | null = ['billing']
export const dependsOn: readonly string[] | null = null`),
    )
    assert.deepEqual(problems, [])
    assert.equal(header.revision, 'ab12')
    assert.equal(header.downRevision, null)
    assert.deepEqual(header.branchLabels, ['billing'])
    assert.equal(header.dependsOn, null)
    assert.equal(header.message, 'add account')
    assert.equal(header.createDate, '2026-01-02 03:04:05.000000')
    assert.match(header.doc ?? '', /^add account\n\nRevision ID: ab12/)
  })

  test('accepts double quotes, arrays with trailing commas, as const, comments and semicolons', () => {
    const { header, problems } = parseRevisionHeader(
      file(`export const revision = "cd34";
export const downRevision = [ 'ab12', "ef56", ] as const; // merge
export const transactional = false`),
    )
    assert.deepEqual(problems, [])
    assert.equal(header.revision, 'cd34')
    assert.deepEqual(header.downRevision, ['ab12', 'ef56'])
    assert.equal(header.transactional, false)
  })

  test('reports expressions it will not evaluate, naming each field', () => {
    const { header, problems } = parseRevisionHeader(
      file(`export const revision = 'ab12'
export const downRevision = PARENT
export const dependsOn = ['x'].concat(more)`),
    )
    assert.equal(header.revision, 'ab12')
    assert.deepEqual(
      problems.map((p) => p.name),
      ['downRevision', 'dependsOn'],
    )
    assert.match(problems[0]?.reason ?? '', /^header field 'downRevision' is not a literal/)
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

/** The header fields `parseRevisionHeader` reads from `body`, and the fields it cannot read. */
function read(body: string): { fields: Record<string, unknown>; problems: string[] } {
  const { header, problems } = parseRevisionHeader(body)
  const fields: Record<string, unknown> = {}
  for (const name of HEADER_NAMES)
    if (name in header) fields[name] = (header as Record<string, unknown>)[name]
  return { fields, problems: problems.map((p) => p.name) }
}

const REAL = "export const revision = 'real'\nexport const downRevision = 'parent'\n"

describe('parseRevisionHeader: only top-level export const declarations count', () => {
  // Each decoy, placed above, between or below the real header, must change nothing.
  const decoys: readonly (readonly [string, string])[] = [
    ['a line comment', "// export const transactional = false\n// export const downRevision = 'rev001'"],
    ['a line comment after code', 'const x = 1 // export const transactional = false'],
    ['a prose comment', '// previously: export const downRevision = "rev001"'],
    ['a block comment', "/*\nexport const transactional = false\nexport const revision = 'fake'\n*/"],
    ['a JSDoc comment', "/**\n * @example\n * export const downRevision = 'old'\n */"],
    ['a single-quoted string', "const s = 'export const transactional = false'"],
    ['a double-quoted string', 'const s = "export const revision = \'fake\'"'],
    ['a string with escaped quotes', "const s = 'it\\'s export const transactional = false \\' '"],
    [
      'a template literal',
      "const sql = `\nexport const transactional = false\nexport const downRevision = 'x'\n`",
    ],
    [
      'a template literal with substitutions',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
      "const sql = `${a}\nexport const transactional = ${`false`}\n${{ b: '}' }.b}\nexport const revision = 'x'`",
    ],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
    ['a nested template', 'const t = `${`export const transactional = false`}`'],
    ['a regular expression', 'const re = /export const transactional = false/g'],
    ['a regular expression with a quote and a class', "const re = /['`]export const revision = 'x'[/]/"],
    ['a regular expression after return', "function f() { return /`/.test(s) }\nconst s2 = 'x'"],
    [
      'a function body',
      'export async function helper() {\n  const transactional = false\n  return transactional\n}',
    ],
    ['a namespace', 'export namespace N {\n  export const transactional = false\n}'],
    ['an ambient module', "declare module 'x' {\n  export const downRevision: string\n}"],
    ['an object literal', 'const o = { export: 1, x: `export const transactional = false` }'],
    ['a property named export', "o.export\nconst y = 'export const transactional = false'"],
    ['a word ending in export', "const reexport = 1, myexport = 'export const transactional = false'"],
    ['a division', 'const half = total / 2 // export const transactional = false\nconst q = a / b / c'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
    ['a type with strings', "type T = 'export const transactional = false' | `x${string}`"],
    ['a class body', "export class Helper {\n  static transactional = false\n  m() { return '}' }\n}"],
    ['CRLF line endings', '// export const transactional = false\r\nconst y = 1\r\n'],
  ]
  for (const [shape, decoy] of decoys) {
    for (const [where, text] of [
      ['above', `${decoy}\n${REAL}`],
      ['below', `${REAL}${decoy}\n`],
      ['between', `export const revision = 'real'\n${decoy}\nexport const downRevision = 'parent'\n`],
    ] as const) {
      test(`${shape}, ${where} the header`, () => {
        assert.deepEqual(read(text), { fields: { revision: 'real', downRevision: 'parent' }, problems: [] })
      })
    }
  }

  test('the shapes of a literal declaration', () => {
    for (const [text, value] of [
      ["export const downRevision = 'a'", 'a'],
      ['export const downRevision = "a";', 'a'],
      ['export const downRevision = `a`', 'a'],
      ["export const downRevision: string = 'a'", 'a'],
      ["export const downRevision: string | readonly string[] | null = 'a' as const", 'a'],
      ["export const downRevision = 'a' satisfies string", 'a'],
      ["export const downRevision = ['a', 'b'] as const satisfies readonly string[]", ['a', 'b']],
      ["export const downRevision = [\n  'a', // first\n  'b',\n]", ['a', 'b']],
      ['export const downRevision = []', []],
      ['export const downRevision = null', null],
      ['export const downRevision = undefined', null],
      ['export const downRevision /* parent */ = /* none */ null // root', null],
      ["export const downRevision: Array<string> = ['a']", ['a']],
      ["export const downRevision: { readonly x: '=' }['x'] | null = null", null],
      ["export const downRevision = '\\u0061\\x62\\u{63}\\n'", 'abc\n'],
      ["export   const\n  downRevision\n  =\n  'a'\n", 'a'],
    ] as const) {
      assert.deepEqual(
        read(`${text}\nexport const revision = 'r'`).fields,
        { downRevision: value, revision: 'r' },
        text,
      )
    }
  })

  test('the shapes the template writes read the same through the general reader', () => {
    // A comment after `export` leaves the one-line fast path to the lexer.
    for (const line of [
      "const downRevision = 'a'",
      'const downRevision: string | readonly string[] | null = "a";',
      'const downRevision = [\'a\', "b",] as const',
      'const downRevision = [ ]',
      'const downRevision = undefined',
      'const transactional = false',
      "const downRevision = 'a'\n  .concat('b')",
      "const downRevision = 'a'\nas",
      "const downRevision = 'a' + 'b'",
      "const downRevision = 'a'\n\n  export const revision = 'r'",
      "const downRevision = 'http://x'",
    ]) {
      const fast = read(`export ${line}`)
      assert.deepEqual(read(`export /* */ ${line}`), fast, line)
    }
  })

  test('several declarators in one statement', () => {
    assert.deepEqual(read("export const revision = 'r', downRevision = null;\n").fields, {
      revision: 'r',
      downRevision: null,
    })
    assert.deepEqual(
      read("export const helper = make(1, 2), downRevision = 'p'\nexport const revision = 'r'"),
      {
        fields: { downRevision: 'p', revision: 'r' },
        problems: [],
      },
    )
  })

  test('statements on one line, or continued on the next, end where JavaScript ends them', () => {
    assert.deepEqual(read("export const revision = 'r'; export const transactional = false").fields, {
      revision: 'r',
      transactional: false,
    })
    // A new line does not end an expression that goes on.
    for (const rest of ["\n  .concat('x')", "\n  + 'x'", '\n  [0]', "\n  ('x')", '\n  `x`', '\n  in o']) {
      assert.deepEqual(read(`export const revision = 'r'${rest}`).problems, ['revision'], rest)
    }
    // A statement on the next line: the literal was the whole value.
    for (const rest of ['\nfoo()', "\n'use strict'", '\n{ }', '\n// note\n\nexport function upgrade() {}']) {
      assert.deepEqual(
        read(`export const revision = 'r'${rest}`),
        { fields: { revision: 'r' }, problems: [] },
        rest,
      )
    }
  })

  test('a value that is not a literal is a problem of its field, never evaluated', () => {
    for (const value of [
      "['rev', '004'].join('')",
      "'rev' + '004'",
      'REV',
      'process.env.REV',
      'compute()',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
      '`rev${n}`',
      "('rev')",
      "['a', b]",
      '!0',
      '0',
      "'a'.toString()",
      "'a' ?? 'b'",
      '/rev/.source',
      "(() => 'rev')()",
      "await import('./rev.js')",
    ]) {
      assert.deepEqual(
        read(`export const revision = ${value}\nexport const downRevision = null`),
        {
          fields: { downRevision: null },
          problems: ['revision'],
        },
        value,
      )
    }
  })

  test('a field exported any other way is a problem', () => {
    for (const text of [
      "export let revision = 'r'",
      "export var revision = 'r'",
      "const revision = 'r'\nexport { revision }",
      "const r = 'r'\nexport { r as revision }",
      "export { revision } from './other'",
      'export function revision() {}',
      'export async function* revision() {}',
      'export class revision {}',
      'export const { revision } = config',
      'export const [revision] = ids',
    ]) {
      assert.deepEqual(read(text).problems, ['revision'], text)
    }
    // Types carry no value: nothing is exported.
    assert.deepEqual(read("type revision = string\nexport type { revision }\nexport const revision = 'r'"), {
      fields: { revision: 'r' },
      problems: [],
    })
  })

  test('a field exported twice is a problem', () => {
    assert.deepEqual(read("export const revision = 'a'\nexport const revision = 'b'").problems, ['revision'])
  })

  test('transactional must be a boolean literal', () => {
    assert.deepEqual(read('export const transactional = false').fields, { transactional: false })
    assert.deepEqual(read("export const transactional = 'no'").problems, ['transactional'])
    assert.deepEqual(read('export const transactional = !1').problems, ['transactional'])
  })

  test('an unterminated string, template or comment hides nothing after its line, or is reported', () => {
    assert.deepEqual(read("const s = 'open\nexport const revision = 'r'").fields, { revision: 'r' })
    assert.deepEqual(read('const s = `open\nexport const revision = "r"').fields, {})
    assert.deepEqual(read("export const revision = 'open").problems, ['revision'])
    assert.deepEqual(read("/* open\nexport const revision = 'r'").fields, {})
  })

  test('a shebang line and unicode names', () => {
    assert.deepEqual(read("#!/usr/bin/env node\nconst ñ = 1 / 2\nexport const revision = 'r'").fields, {
      revision: 'r',
    })
  })
})
