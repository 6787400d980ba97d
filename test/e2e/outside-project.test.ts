// What `mig` leaves on disk: outside a project (no node_modules anywhere above, as after
// `npx migraph init` in an empty folder) a config or revision that imports `migraph` gets the
// running CLI's own package, and the compile cache lives in the user's cache folder; no file
// migraph writes ever holds a config's password; and the cache stays bounded however often the
// files are edited.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { dirname, join, parse } from 'node:path'
import { describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import { generatedPath } from '../helpers/project-files.js'
import { literalRevision } from '../helpers/revision-sources.js'

/** Every file under `dir`, symbolic links not followed. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...filesUnder(path))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

function scratch(prefix: string): { dir: string; cache: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix))
  for (let dir = root; dir !== parse(dir).root; dir = dirname(dir)) {
    assert.ok(!existsSync(join(dir, 'node_modules')), `${dir}/node_modules exists`)
  }
  return {
    dir: root,
    cache: mkdtempSync(join(tmpdir(), 'mig-xdg-')),
    cleanup: () => {
      rmSync(root, { recursive: true, force: true })
    },
  }
}

describe('outside a project', () => {
  test('init, revision, upgrade: revisions and config import the running migraph; the cache is per user', async () => {
    const { dir, cache, cleanup } = scratch('mig-outside-')
    const env = { XDG_CACHE_HOME: cache }
    try {
      assert.equal((await mig(dir, ['init', '.'], { env })).code, 0)
      assert.match(readFileSync(join(dir, 'migrate.config.ts'), 'utf8'), /from 'migraph'/)
      const first = await mig(dir, ['revision', '-m', 'first'], { env })
      assert.equal(first.code, 0, first.stderr)
      const file = generatedPath(first.stdout)
      // A revision that uses migraph at run time, not only its types.
      writeFileSync(
        file,
        readFileSync(file, 'utf8')
          .replace(
            "import type { Operations } from 'migraph'",
            "import { defineConfig, type Operations } from 'migraph'",
          )
          .replace(
            /\/\/ your upgrade steps.*/,
            "if (typeof defineConfig !== 'function') throw new Error('no migraph')\n  await op.createTable('outside_t', (t) => t.addColumn('id', 'integer'))",
          ),
      )
      const second = await mig(dir, ['revision', '-m', 'second'], { env })
      assert.equal(second.code, 0, second.stderr)
      const url = ['--url', 'sqlite:app.db']
      const upgrade = await mig(dir, [...url, 'upgrade', 'head'], { env })
      assert.equal(upgrade.code, 0, upgrade.stderr)
      const current = await mig(dir, [...url, 'current'], { env })
      assert.match(current.stdout, /\(head\)/)
      assert.equal((await mig(dir, [...url, 'downgrade', 'base'], { env })).code, 0)

      // The compiled files went to $XDG_CACHE_HOME/migraph/<project>-<hash>, none beside the project.
      const projects = readdirSync(join(cache, 'migraph'))
      assert.equal(projects.length, 1, projects.join())
      assert.match(projects[0] ?? '', /^mig-outside-\w+-[0-9a-f]{16}$/)
      const cached = readdirSync(join(cache, 'migraph', projects[0] ?? ''))
      assert.ok(
        cached.some((name) => name.endsWith('.cjs')),
        cached.join(),
      )
      const beside = readdirSync(dir).filter((name) => !name.startsWith('app.db'))
      assert.deepEqual(beside.sort(), ['.gitignore', 'migrate.config.ts', 'migrations'])
    } finally {
      cleanup()
      rmSync(cache, { recursive: true, force: true })
    }
  })
})

/** A password no text holds by chance. */
const CANARY = `Cn${randomBytes(12).toString('hex')}`
const TSX_CACHE = join(tmpdir(), `tsx-${userInfo().uid}`)

describe('no file migraph writes holds a password', () => {
  const configs = {
    compiled: `import { defineConfig } from 'migraph'
export default defineConfig({ migrations: 'migrations', url: 'postgres://app:${CANARY}@127.0.0.1:1/db' })
`,
    'through tsx': `import { defineConfig } from 'migraph'
import { folder } from './settings.js'
export default defineConfig({ migrations: folder, url: 'postgres://app:${CANARY}@127.0.0.1:1/db?from=' + import.meta.url.length })
`,
  }
  for (const withModules of [true, false]) {
    for (const [kind, config] of Object.entries(configs)) {
      test(`a config ${kind}, ${withModules ? 'migraph in node_modules' : 'no node_modules'}`, async () => {
        const made = withModules
          ? { ...tempProject('mig-disk-secret-'), cache: '' }
          : scratch('mig-disk-secret-')
        const cache = made.cache || mkdtempSync(join(tmpdir(), 'mig-xdg-'))
        const env = { XDG_CACHE_HOME: cache }
        const tsxBefore = new Set(filesUnder(TSX_CACHE))
        try {
          writeFileSync(join(made.dir, 'migrate.config.ts'), config)
          writeFileSync(join(made.dir, 'settings.ts'), "export const folder = 'migrations'\n")
          mkdirSync(join(made.dir, 'migrations'))
          writeFileSync(
            join(made.dir, 'migrations', 'd00000000001_a.ts'),
            literalRevision('d00000000001', 'a'),
          )
          writeFileSync(
            join(made.dir, 'migrations', 'd00000000002_b.ts'),
            literalRevision('d00000000002', 'b', { down: 'd00000000001' }),
          )
          for (const args of [
            ['heads'],
            ['history'],
            ['upgrade', 'head', '--sql'],
            ['current'],
            ['upgrade', 'head'],
          ]) {
            const result = await mig(made.dir, args, { env })
            assert.ok(!`${result.stdout}${result.stderr}`.includes(CANARY), args.join(' '))
          }
          assert.equal((await mig(made.dir, ['--url', 'sqlite:app.db', 'upgrade', 'head'], { env })).code, 0)
          const written = [
            ...filesUnder(made.dir).filter((file) => !/migrate\.config\.ts$/.test(file)),
            ...filesUnder(cache),
            ...filesUnder(TSX_CACHE).filter((file) => !tsxBefore.has(file)),
          ]
          assert.ok(written.length > 3, written.join('\n'))
          for (const file of written) {
            assert.ok(!readFileSync(file).includes(CANARY), `${file} holds the password`)
            assert.ok(!readFileSync(file).includes(Buffer.from(CANARY).toString('base64').slice(0, 16)), file)
          }
        } finally {
          made.cleanup()
          rmSync(cache, { recursive: true, force: true })
        }
      })
    }
  }
})

describe('the cache stays bounded', () => {
  test('editing a config and revisions many times leaves one entry per file', async () => {
    const made = tempProject('mig-bounded-')
    const cache = join(made.dir, 'node_modules', '.cache', 'migraph')
    const revisions = ['e00000000001', 'e00000000002', 'e00000000003']
    try {
      mkdirSync(join(made.dir, 'migrations'))
      const counts: number[] = []
      for (let edit = 0; edit < 12; edit++) {
        writeFileSync(
          join(made.dir, 'migrate.config.ts'),
          `export default { migrations: 'migrations' } // ${edit}\n`,
        )
        for (const [at, id] of revisions.entries()) {
          const text = literalRevision(id, `edit ${edit}`, { down: at === 0 ? null : revisions[at - 1] })
          writeFileSync(join(made.dir, 'migrations', `${id}_r.ts`), text)
        }
        const result = await mig(made.dir, ['--url', 'sqlite:app.db', 'upgrade', 'head'])
        assert.equal(result.code, 0, result.stderr)
        assert.equal((await mig(made.dir, ['--url', 'sqlite:app.db', 'downgrade', 'base'])).code, 0)
        // One revision alone, as `show` or a one-step upgrade imports it.
        assert.equal((await mig(made.dir, ['--url', 'sqlite:app.db', 'upgrade', '+1'])).code, 0)
        assert.equal((await mig(made.dir, ['--url', 'sqlite:app.db', 'downgrade', 'base'])).code, 0)
        const names = readdirSync(cache).filter(
          (name) => !name.startsWith('code-') && !name.startsWith('driver-'),
        )
        counts.push(names.length)
        const configCopies = names.filter((name) => /^(migrate\.)?config-/.test(name))
        assert.ok(configCopies.length <= 1, configCopies.join())
        for (const id of revisions) {
          const copies = names.filter((name) => name.startsWith(`${id}_r-`))
          assert.ok(copies.length <= 2, copies.join())
        }
        assert.ok(names.filter((name) => /^bundle-.*\.(c|m)js$/.test(name)).length <= 8, names.join())
      }
      // Bounded: the last rounds hold no more entries than the rounds before them.
      assert.ok(Math.max(...counts.slice(8)) <= Math.max(...counts.slice(0, 8)), counts.join())
      const bytes = readdirSync(cache).reduce((sum, name) => sum + statSync(join(cache, name)).size, 0)
      assert.ok(bytes > 0)
    } finally {
      made.cleanup()
    }
  })
})
