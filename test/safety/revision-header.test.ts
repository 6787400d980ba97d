// A revision's header is what its code exports at the top level, nothing else: declarations in
// comments, strings and templates change neither the graph nor `transactional`; a header field
// that is not a literal is an error and graph commands run no revision code to learn it; a header
// that says one thing while the module exports another fails before any step runs. Checksums see
// trailing spaces inside SQL strings, and still accept what the first rule recorded.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import {
  assertOneLineError,
  PROBE_TABLE,
  SAFETY_KINDS,
  type SafetyDatabase,
  writeSafetyConfig,
  writeSafetyRevision,
} from './support.js'

/** Inserts text just before `export async function upgrade` of a revision file. */
function insertBeforeUpgrade(path: string, text: string): void {
  const source = readFileSync(path, 'utf8')
  const at = source.indexOf('export async function upgrade')
  writeFileSync(path, `${source.slice(0, at)}${text}\n${source.slice(at)}`)
}

// Declarations that are not declarations: a comment, a prose comment, a block comment, a string,
// a template literal, a regular expression, a function body.
const DECOYS = `
// export const transactional = false
// previously: export const downRevision = 'h0000000000a'
/* export const branchLabels = ['decoy'] */
const sql = \`
export const transactional = false
export const downRevision = 'h0000000000a'
\`
const pattern = /export const transactional = false/
function helper() {
  const transactional = false
  return transactional
}
void sql, pattern, helper
`

describe('declarations in comments, strings and templates are not the header', () => {
  for (const kind of SAFETY_KINDS.filter((k) => k.transactionalDDL)) {
    describe(kind.name, () => {
      const project = tempProject('mig-header-decoy-')
      const dir = project.dir
      let db: SafetyDatabase
      before(async () => {
        writeSafetyConfig(dir)
        writeSafetyRevision(dir, {
          id: 'h0000000000a',
          down: null,
          upgrade: `await op.execute(${JSON.stringify(PROBE_TABLE)})`,
        })
        const quoted = writeSafetyRevision(dir, { id: 'h0000000000b', down: 'h0000000000a' })
        insertBeforeUpgrade(quoted, `const note = "export const dependsOn = ['h0000000000c']"\nvoid note`)
        // Its table is created, then it fails: inside its transaction, nothing stays.
        const failing = writeSafetyRevision(dir, {
          id: 'h0000000000c',
          down: 'h0000000000b',
          upgrade:
            "await op.createTable('residue', (t) => t.addColumn('id', 'integer'))\n  throw new Error('boom')",
        })
        insertBeforeUpgrade(failing, DECOYS)
        db = await kind.create(dir)
      })
      after(async () => {
        await db.drop()
        project.cleanup()
      })

      test('the graph is one line: no second head, no label, no dependency', async () => {
        const heads = await mig(dir, ['heads', '--url', db.url])
        assert.equal(heads.code, 0, heads.stderr)
        assert.equal(heads.stdout, 'h0000000000c (head)\n')
        assert.equal(heads.stderr, '', 'no warning, no module imported')
        const history = await mig(dir, ['--json', 'history', '--url', db.url])
        const entries = JSON.parse(history.stdout) as {
          revision: string
          branchLabels: string[]
          dependsOn: string[]
        }[]
        assert.deepEqual(
          entries.map((e) => [e.revision, e.branchLabels, e.dependsOn]),
          [
            ['h0000000000c', [], []],
            ['h0000000000b', [], []],
            ['h0000000000a', [], []],
          ],
        )
      })

      test('the revision runs in its transaction: its failure leaves no table behind', async () => {
        const result = await mig(dir, ['upgrade', 'head', '--url', db.url])
        assert.equal(result.code, 1, result.stderr)
        assert.match(result.stderr, /boom/)
        const tables = await db.tables()
        assert.equal(tables.includes('residue'), false, `tables: ${tables.join(', ')}`)
        assert.deepEqual(await db.versions(), ['h0000000000b'])
      })
    })
  }
})

describe('a header field that is not a literal', () => {
  const project = tempProject('mig-header-expr-')
  const dir = project.dir
  const marker = join(dir, 'imported.marker')
  let file = ''
  before(() => {
    writeSafetyConfig(dir)
    writeSafetyRevision(dir, { id: 'rev003', down: null })
    file = join(dir, 'migrations', 'rev004_computed.ts')
    writeFileSync(
      file,
      `import { writeFileSync } from 'node:fs'
writeFileSync(${JSON.stringify(marker)}, 'revision code ran')

export const revision = ['rev', '004'].join('')
export const downRevision = 'rev003'

export async function upgrade(): Promise<void> {}
export async function downgrade(): Promise<void> {}
`,
    )
  })
  after(() => project.cleanup())

  for (const args of [
    ['heads'],
    ['history'],
    ['branches'],
    ['show', 'rev003'],
    ['upgrade', 'head', '--sql'],
  ]) {
    test(`is an error naming the file and the field; 'mig ${args.join(' ')}' runs no revision code`, async () => {
      const result = await mig(dir, args)
      assertOneLineError(result, /header field 'revision' is not a literal/)
      assert.ok(result.stderr.includes(file), result.stderr)
      assert.equal(existsSync(marker), false, 'the revision module was imported')
      assert.equal(existsSync(join(dir, '.migraph')), false, 'a database was created')
    })
  }

  test('so is a field computed from a variable, or exported with let', async () => {
    for (const [text, field] of [
      ["const id = 'rev004'\nexport const revision = id", 'revision'],
      ["export const revision = 'rev004'\nexport let downRevision = 'rev003'", 'downRevision'],
      [
        "export const revision = 'rev004'\nexport const transactional = process.env.TX !== 'no'",
        'transactional',
      ],
    ] as const) {
      writeFileSync(
        file,
        `${text}\nexport async function upgrade() {}\nexport async function downgrade() {}\n`,
      )
      const result = await mig(dir, ['heads'])
      assertOneLineError(result, new RegExp(`rev004_computed\\.ts: header field '${field}'`))
    }
  })
})

describe('a module that exports something other than its header says', () => {
  for (const kind of SAFETY_KINDS) {
    describe(kind.name, () => {
      const project = tempProject('mig-header-mismatch-')
      const dir = project.dir
      let db: SafetyDatabase
      let hidden = ''
      before(async () => {
        writeSafetyConfig(dir)
        writeSafetyRevision(dir, {
          id: 'm0000000000a',
          down: null,
          upgrade: `await op.execute(${JSON.stringify(PROBE_TABLE)})`,
        })
        // `export *` re-exports what no reading of this file's text can see.
        const flags = join(dir, 'node_modules', 'revision-flags')
        mkdirSync(flags)
        writeFileSync(
          join(flags, 'package.json'),
          '{ "name": "revision-flags", "type": "module", "main": "index.js" }\n',
        )
        writeFileSync(join(flags, 'index.js'), 'export const transactional = false\n')
        hidden = writeSafetyRevision(dir, {
          id: 'm0000000000b',
          down: 'm0000000000a',
          upgrade: "await op.createTable('never', (t) => t.addColumn('id', 'integer'))",
        })
        insertBeforeUpgrade(hidden, "export * from 'revision-flags'")
        db = await kind.create(dir)
      })
      after(async () => {
        await db.drop()
        project.cleanup()
      })

      test('fails before any step runs, naming the file and the field; the database is untouched', async () => {
        const before = await db.snapshot()
        const result = await mig(dir, ['upgrade', 'head', '--url', db.url])
        assertOneLineError(result, /exports transactional false but its header reads true/)
        assert.ok(result.stderr.includes(hidden), result.stderr)
        assert.deepEqual(await db.snapshot(), before)
      })
    })
  }
})

/** The SHA-256 the first checksum rule recorded: trailing spaces and final blank lines ignored. */
const firstRuleChecksum = (source: string) =>
  createHash('sha256')
    .update(
      source
        .replace(/\r\n?/g, '\n')
        .replace(/[ \t]+$/gm, '')
        .replace(/\n+$/, '\n'),
    )
    .digest('hex')

describe('checksums and trailing spaces inside a SQL string', () => {
  for (const kind of SAFETY_KINDS) {
    describe(kind.name, () => {
      const project = tempProject('mig-header-checksum-')
      const dir = project.dir
      let db: SafetyDatabase
      let file = ''
      let original = ''
      before(async () => {
        writeSafetyConfig(dir)
        file = writeSafetyRevision(dir, {
          id: 's0000000000a',
          down: null,
          // A value on two lines: a space at the end of the first is in the data.
          upgrade: `await op.execute(${JSON.stringify(PROBE_TABLE)})\n  await op.execute(\`insert into probe (rev, round, pid) values ('two\nlines', 1, 0)\`)`,
        })
        original = readFileSync(file, 'utf8')
        db = await kind.create(dir)
        const upgraded = await mig(dir, ['upgrade', 'head', '--url', db.url])
        assert.equal(upgraded.code, 0, upgraded.stderr)
      })
      after(async () => {
        await db.drop()
        project.cleanup()
      })

      test('a trailing space added inside the string: check reports the file changed', async () => {
        writeFileSync(file, original.replace("'two\n", "'two \n"))
        try {
          const checked = await mig(dir, ['check', '--url', db.url])
          assertOneLineError(
            checked,
            /s0000000000a_revision_s0000000000a\.ts \(revision s0000000000a\) changed/,
            5,
          )
        } finally {
          writeFileSync(file, original)
        }
        assert.equal((await mig(dir, ['check', '--url', db.url])).code, 0)
      })

      test('a checksum recorded under the first rule still passes for the unchanged file', async () => {
        await db.query(
          `update mig_version_history set checksum = '${firstRuleChecksum(original)}' where revision = 's0000000000a'`,
        )
        const checked = await mig(dir, ['check', '--url', db.url])
        assert.equal(checked.code, 0, checked.stderr)
        // …and still sees an edit to the code.
        writeFileSync(file, original.replace("'two\n", "'one\n"))
        try {
          const edited = await mig(dir, ['check', '--url', db.url])
          assertOneLineError(edited, /changed after it was applied/, 5)
        } finally {
          writeFileSync(file, original)
        }
      })
    })
  }
})
