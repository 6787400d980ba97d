// `recursiveVersionLocations: true` (Alembic's recursive_version_locations): revision files in the
// sub-folders of a versions folder belong to the graph, skipped folders aside; the revision cache
// sees a file added or removed deep down; `mig revision` writes at the top unless --version-path
// names a sub-folder; a revision id twice in two sub-folders names both files. Without the key,
// sub-folders are ignored.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mig, migIn, tempProject } from '../helpers/mig.js'
import { generatedPath, headerOf, writeRevision } from '../helpers/project-files.js'

const config = (dir: string, recursive: boolean | undefined) =>
  writeFileSync(
    join(dir, 'migrate.config.ts'),
    `export default { migrations: 'migrations', url: 'sqlite:app.db'${recursive === undefined ? '' : `, recursiveVersionLocations: ${recursive}`} }\n`,
  )

/** `mig revision` of a revision `id` (message `deep`) into `folder`. */
const newRevision = (id: string, folder: string) => [
  'revision',
  '-m',
  'deep',
  '--rev-id',
  id,
  '--version-path',
  folder,
]

/** A file that fails to be read as a revision: found where it should not be, the run fails. */
const decoy = (dir: string, folder: string) => {
  mkdirSync(join(dir, folder), { recursive: true })
  writeFileSync(join(dir, folder, 'zz_decoy.ts'), "export const revision = ''\n")
}

describe('recursiveVersionLocations', () => {
  const project = tempProject()
  const dir = project.dir
  const { run, ok } = migIn(dir)
  const heads = async () => (await ok('heads')).stdout
  const cacheDir = join(dir, 'node_modules', '.cache', 'migraph')
  const recorded = () => {
    const [file] = readdirSync(cacheDir).filter((f) => f.startsWith('revisions-'))
    assert.ok(file !== undefined, 'a revision cache file')
    return statSync(join(cacheDir, file)).mtimeMs
  }

  before(async () => {
    config(dir, true)
    writeRevision(dir, 'migrations', { id: 'a1', message: 'base' })
    writeRevision(dir, 'migrations/2026', { id: 'a2', down: 'a1', message: 'second' })
    writeRevision(dir, 'migrations/2026/q1', { id: 'a3', down: 'a2', message: 'third' })
    for (const skipped of ['.hidden', '2026/node_modules/pkg', '__pycache__', '2026/q1/.cache']) {
      decoy(dir, join('migrations', skipped))
    }
    // Files changed within 2 s of a run are never recorded as unchanged (git's racy rule).
    await new Promise((resolve) => setTimeout(resolve, 2100))
  })
  after(() => project.cleanup())

  test('sub-folders hold revisions; dot-folders, node_modules and __pycache__ are skipped', async () => {
    assert.equal(await heads(), 'a3 (head)\n')
    await ok('upgrade', 'head')
    assert.equal((await ok('current')).stdout, 'a3 (head)\n')
    const report = JSON.parse((await ok('config', '--json')).stdout) as {
      values: { key: string; value: unknown; source: string }[]
    }
    const value = report.values.find((v) => v.key === 'recursiveVersionLocations')
    assert.deepEqual(value, {
      key: 'recursiveVersionLocations',
      value: true,
      source: 'config file',
    })
  })

  test('the revision cache sees a file added, then removed, two folders down', async () => {
    assert.equal(await heads(), 'a3 (head)\n')
    const written = recorded()
    assert.equal(await heads(), 'a3 (head)\n')
    assert.equal(recorded(), written, 'the graph came from the cache')
    const added = writeRevision(dir, 'migrations/2026/q1', { id: 'a4', down: 'a3', message: 'fourth' })
    assert.equal(await heads(), 'a4 (head)\n')
    rmSync(added)
    assert.equal(await heads(), 'a3 (head)\n')
  })

  test('mig revision writes at the top, or into the sub-folder --version-path names', async () => {
    const top = await ok('revision', '-m', 'top', '--rev-id', 'b1')
    assert.equal(generatedPath(top.stdout), join(dir, 'migrations/b1_top.ts'))
    assert.equal(headerOf(join(dir, 'migrations/b1_top.ts')).downRevision, "'a3'")
    const deep = await ok(...newRevision('b2', 'migrations/2027'))
    assert.equal(generatedPath(deep.stdout), join(dir, 'migrations/2027/b2_deep.ts'))
    assert.equal(await heads(), 'b2 (head)\n')
    const skipped = await run(...newRevision('b3', 'migrations/node_modules'))
    assert.equal(skipped.code, 1)
    assert.equal(
      skipped.stderr,
      `error: --version-path migrations/node_modules is not one of the configured version locations nor a folder searched inside one: ${join(dir, 'migrations')}\n`,
    )
    assert.equal(existsSync(join(dir, 'migrations/node_modules/b3_deep.ts')), false)
  })

  test('a revision id in two sub-folders: one error naming both files', async () => {
    const one = writeRevision(dir, 'migrations/x', { id: 'dup', down: 'b2', message: 'dup' })
    const two = writeRevision(dir, 'migrations/y', { id: 'dup', down: 'b2', message: 'dup' })
    try {
      const result = await run('heads')
      assert.equal(result.code, 1)
      const lines = result.stderr.trim().split('\n')
      assert.equal(lines.length, 1, result.stderr)
      assert.match(lines[0] as string, /Revision dup is present more than once/)
      assert.ok(lines[0]?.includes(one) && lines[0].includes(two), result.stderr)
    } finally {
      rmSync(one)
      rmSync(two)
    }
  })

  test('a value that is not a boolean is refused, naming the key', async () => {
    writeFileSync(
      join(dir, 'migrate.config.ts'),
      "export default { migrations: 'migrations', recursiveVersionLocations: 'yes' }\n",
    )
    try {
      const result = await run('heads')
      assert.equal(result.code, 1)
      assert.equal(
        result.stderr,
        `error: ${join(dir, 'migrate.config.ts')}: config key 'recursiveVersionLocations' must be true or false\n`,
      )
    } finally {
      config(dir, true)
    }
  })
})

test('without recursiveVersionLocations, sub-folders are ignored and --version-path must be a location', async () => {
  const project = tempProject()
  const dir = project.dir
  try {
    config(dir, undefined)
    writeRevision(dir, 'migrations', { id: 'a1', message: 'base' })
    writeRevision(dir, 'migrations/2026', { id: 'a2', down: 'a1', message: 'second' })
    const heads = await mig(dir, ['heads'])
    assert.equal(heads.code, 0, heads.stderr)
    assert.equal(heads.stdout, 'a1 (head)\n')
    const report = JSON.parse((await mig(dir, ['config', '--json'])).stdout) as {
      values: { key: string; value: unknown; source: string }[]
    }
    assert.deepEqual(
      report.values.find((v) => v.key === 'recursiveVersionLocations'),
      { key: 'recursiveVersionLocations', value: false, source: 'default' },
    )
    const refused = await mig(dir, newRevision('c1', 'migrations/2026'))
    assert.equal(refused.code, 1)
    assert.equal(
      refused.stderr,
      `error: --version-path migrations/2026 is not one of the configured version locations: ${join(dir, 'migrations')}\n`,
    )
    assert.equal(existsSync(join(dir, 'migrations/2026/c1_deep.ts')), false)
  } finally {
    project.cleanup()
  }
})
