// Hostile messages make one safe file and run nothing; broken revision files, graphs, configs
// and version tables each give one clear line naming the culprit and leave the database as it was.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type MigResult, mig, tempProject } from '../helpers/mig.js'
import {
  assertOneLineError,
  kinds,
  type SafetyDatabase,
  type Snapshot,
  writeSafetyConfig,
  writeSafetyRevision,
} from './support.js'

const CANARY = join(tmpdir(), `mig-pwned-${process.pid}`)

const MESSAGES = [
  `it's "quoted" and 'single'`,
  'first line\nsecond line\n\nthird paragraph',
  '../../../../etc/passwd',
  'closes */ the comment /* and // more',
  `shell $(touch ${CANARY}) and \`touch ${CANARY}\` and ; rm -rf ~ | cat`,
  'emoji 🎉🚀 and ünïcödé',
  // A template literal's placeholders, to be kept as text and never evaluated.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder is the hostile input
  '${process.exit(3)} `${globalThis.pwned = 1}`',
]

describe('hostile revision messages', () => {
  const project = tempProject('mig-safety-msg-')
  const dir = project.dir
  before(() => writeSafetyConfig(dir))
  after(() => {
    project.cleanup()
    rmSync(CANARY, { force: true })
  })

  test('each makes one safely named file that parses, compiles and runs nothing', async () => {
    for (const message of MESSAGES) {
      const before = readdirSync(join(dir, 'migrations'))
      const result = await mig(dir, ['revision', '-m', message])
      assert.equal(result.code, 0, result.stderr)
      const added = readdirSync(join(dir, 'migrations')).filter((name) => !before.includes(name))
      assert.equal(added.length, 1, `files added for ${JSON.stringify(message)}: ${added.join(', ')}`)
      const name = added[0] as string
      // Alembic's slug keeps word characters, letters of any script included; nothing else.
      assert.match(name, /^[0-9a-f]{12}_[\p{Ll}\p{N}_]*\.ts$/u, `file name for ${JSON.stringify(message)}`)
      const source = readFileSync(join(dir, 'migrations', name), 'utf8')
      // The header comment ends where the template ends it, whatever the message held.
      const header = source.slice(0, source.indexOf('*/') + 2)
      assert.match(header, /Revision ID: [0-9a-f]{12}\n/)
      assert.ok(source.indexOf('*/') > source.indexOf('Create Date:'), `comment closed early:\n${source}`)
    }
    assert.equal(readdirSync(dir).includes('etc'), false)
    // The graph reads every header statically, and each message comes back as written.
    const history = await mig(dir, ['--json', 'history'])
    assert.equal(history.code, 0, history.stderr)
    const entries = JSON.parse(history.stdout) as { message: string }[]
    assert.equal(entries.length, MESSAGES.length)
    for (const message of MESSAGES) {
      assert.ok(
        entries.some((entry) => entry.message === message || message.startsWith(`${entry.message}\n`)),
        `message ${JSON.stringify(message)} not read back: ${JSON.stringify(entries.map((e) => e.message))}`,
      )
    }
    // Every file compiles and runs; nothing in a message is executed.
    const sqlite = `sqlite:${join(dir, 'msg.sqlite')}`
    const up = await mig(dir, ['--url', sqlite, 'upgrade', 'heads'])
    assert.equal(up.code, 0, up.stderr)
    assert.equal(existsSync(CANARY), false, 'a message was executed by a shell')
  })
})

/** A project with one applied revision, and a SQLite database at it. */
describe('hostile revision files, graphs and configs', { concurrency: true }, () => {
  const FIRST = 'a00000000001'
  const cases: {
    name: string
    /** Files to add to a copy of the base project; returns the pattern the one error line must match. */
    arrange: (dir: string) => RegExp
    args?: readonly string[]
    code?: number
  }[] = [
    {
      name: 'a revision with no upgrade export',
      arrange: (dir) => {
        const path = writeSafetyRevision(dir, { id: 'a00000000002', down: FIRST })
        writeFileSync(
          path,
          readFileSync(path, 'utf8').replace('export async function upgrade', 'async function up'),
        )
        return new RegExp(`${basename(path)}.*upgrade`)
      },
    },
    {
      name: 'a revision with no downgrade export',
      arrange: (dir) => {
        const path = writeSafetyRevision(dir, { id: 'a00000000002', down: FIRST })
        writeFileSync(
          path,
          readFileSync(path, 'utf8').replace('export async function downgrade', 'async function down'),
        )
        return new RegExp(`${basename(path)}.*downgrade`)
      },
    },
    {
      name: 'a revision id that is not a string',
      arrange: (dir) => {
        const path = writeSafetyRevision(dir, { id: 'a00000000002', down: FIRST })
        writeFileSync(path, readFileSync(path, 'utf8').replace("revision = 'a00000000002'", 'revision = 42'))
        return new RegExp(`${basename(path)}: header field 'revision' is not a literal`)
      },
    },
    {
      name: 'a revision id that is an empty string',
      arrange: (dir) => {
        const path = writeSafetyRevision(dir, { id: 'a00000000002', down: FIRST })
        writeFileSync(path, readFileSync(path, 'utf8').replace("revision = 'a00000000002'", "revision = ''"))
        return new RegExp(`${basename(path)}: 'revision' must be a non-empty string, got ""`)
      },
    },
    {
      name: 'two files with the same id',
      arrange: (dir) => {
        writeSafetyRevision(dir, { id: 'a00000000002', down: FIRST, message: 'one' })
        writeSafetyRevision(dir, { id: 'a00000000002', down: FIRST, message: 'two' })
        return /a00000000002.*(_one\.ts.*_two\.ts|_two\.ts.*_one\.ts)/
      },
    },
    {
      name: 'a downRevision naming a missing id',
      arrange: (dir) => {
        const path = writeSafetyRevision(dir, { id: 'a00000000002', down: 'ffffffffffff' })
        return new RegExp(`ffffffffffff.*${basename(path)}|${basename(path)}.*ffffffffffff`)
      },
    },
    {
      name: 'a cycle',
      arrange: (dir) => {
        writeSafetyRevision(dir, { id: 'a00000000002', down: 'a00000000003' })
        writeSafetyRevision(dir, { id: 'a00000000003', down: 'a00000000002' })
        return /[Cc]ycle.*a0000000000[23]/
      },
    },
    {
      name: 'an ambiguous partial id',
      arrange: (dir) => {
        writeSafetyRevision(dir, { id: 'abcd00000002', down: FIRST })
        writeSafetyRevision(dir, { id: 'abcd00000003', down: 'abcd00000002' })
        return /abcd.*abcd00000002.*abcd00000003|abcd.*abcd00000003.*abcd00000002/
      },
      args: ['upgrade', 'abcd'],
    },
    {
      name: 'a revision file symlinked from outside the versions folder',
      arrange: (dir) => {
        const outside = join(dir, 'outside')
        mkdirSync(join(outside, 'migrations'), { recursive: true })
        const real = writeSafetyRevision(outside, { id: 'a00000000002', down: FIRST })
        const link = join(dir, 'migrations', basename(real))
        symlinkSync(real, link)
        return new RegExp(basename(real))
      },
    },
    {
      name: 'an unknown config key',
      arrange: (dir) => {
        writeSafetyConfig(dir, "versionTabel: 'x'")
        return /migrate\.config\.ts.*versionTabel/
      },
    },
    {
      name: 'an unknown -x form',
      arrange: () => /-x.*novalue/,
      args: ['-x', 'novalue', 'upgrade', 'head'],
    },
  ]

  for (const kind of kinds('sqlite')) {
    for (const item of cases) {
      test(`${item.name}: ${kind.name}`, async () => {
        const { dir, cleanup, db, before: state } = await appliedProject(kind)
        try {
          const pattern = item.arrange(dir)
          const args = item.args ?? ['upgrade', 'head']
          const result = await mig(dir, ['--url', db.url, ...args])
          assertOneLineError(result, pattern, item.code ?? 1)
          assert.deepEqual(await db.snapshot(), state)
        } finally {
          cleanup()
        }
      })
    }
  }

  for (const kind of kinds('sqlite', 'postgres', 'mysql')) {
    test(`a version table holding an id no file declares: ${kind.name}`, async () => {
      const { dir, cleanup, db } = await appliedProject(kind)
      try {
        await db.query("update mig_version set version_num = 'deadbeef0000'")
        const state = await db.snapshot()
        for (const args of [['current'], ['upgrade', 'head']]) {
          const result: MigResult = await mig(dir, ['--url', db.url, ...args])
          // Exit status 6: the version table records a revision no file declares.
          assertOneLineError(
            result,
            /the version table records (revision )?'deadbeef0000', which no revision file declares/,
            6,
          )
          assert.deepEqual(await db.snapshot(), state)
        }
      } finally {
        await db.drop()
        cleanup()
      }
    })
  }
})

async function appliedProject(kind: typeof import('./support.js').SAFETY_KINDS[number]): Promise<{
  dir: string
  cleanup: () => void
  db: SafetyDatabase
  before: Snapshot
}> {
  const project = tempProject('mig-safety-hostile-')
  writeSafetyConfig(project.dir)
  writeSafetyRevision(project.dir, {
    id: 'a00000000001',
    down: null,
    upgrade: "await op.createTable('first', (t) => t.addColumn('id', 'integer'))",
  })
  const db = await kind.create(project.dir)
  const applied = await mig(project.dir, ['--url', db.url, 'upgrade', 'head'])
  assert.equal(applied.code, 0, applied.stderr)
  return { ...project, db, before: await db.snapshot() }
}
