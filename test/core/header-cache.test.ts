import assert from 'node:assert/strict'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, test } from 'node:test'
import type { FileStamp, HeaderCacheOptions } from '../../packages/core/src/script/header-cache.ts'
import { ScriptDirectory } from '../../packages/core/src/script/script-directory.ts'
import { MIGRAPH_VERSION } from '../../packages/core/src/version.ts'
import { literalRevision, noImport } from '../helpers/revision-sources.js'

const revisionFile = (id: string, down: string | null, message: string) =>
  literalRevision(id, message, { down })

let root: string
let versions: string
let cacheDir: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mig-header-cache-'))
  versions = join(root, 'migrations')
  cacheDir = join(root, 'node_modules', '.cache', 'migraph')
  mkdirSync(versions)
})

afterEach(() => rmSync(root, { recursive: true, force: true }))

const write = (name: string, text: string) => writeFileSync(join(versions, name), text)
const SECOND = 1000
// Files written "long ago", so their entries are not racy unless a test says otherwise.
const LONG_AGO = new Date('2020-01-01T00:00:00Z')
const age = (name: string) => utimesSync(join(versions, name), LONG_AGO, LONG_AGO)

/** Loads the folder and returns revision → message, the way every command sees the headers. */
async function load(options: Partial<HeaderCacheOptions> = {}): Promise<Record<string, string | null>> {
  const scripts = await ScriptDirectory.load([versions], noImport, () => {}, {
    headerCache: () => ({ dir: cacheDir, ...options }),
  })
  const out: Record<string, string | null> = {}
  for (const [id, script] of scripts.scripts) out[id] = script.message
  return out
}

const cacheFiles = () => readdirSync(cacheDir).filter((f) => f.startsWith('revisions-'))
/** The one folder's record in a cache file's content. */
const folderOf = (stored: { folders: { names: string; headers: unknown[][]; stamps: string }[] }) =>
  stored.folders[0] as { names: string; headers: unknown[][]; stamps: string }

/**
 * A file system that keeps whole seconds and a stat whose ctime never moves: an edit within the
 * same second leaves every stat field as it was, so only the racy rule can notice it.
 */
const coarseStat =
  (ctimeMs: number) =>
  (file: string): FileStamp => {
    const s = statSync(file)
    return { size: s.size, mtimeMs: Math.floor(s.mtimeMs / SECOND) * SECOND, ctimeMs, ino: s.ino }
  }

describe('header cache', () => {
  test('writes one cache file and serves entries whose stat matches', async () => {
    write('a1_first.ts', revisionFile('a1', null, 'first'))
    age('a1_first.ts')
    const ctime = 1_577_836_800 * SECOND
    assert.deepEqual(await load({ stat: coarseStat(ctime) }), { a1: 'first' })
    assert.equal(cacheFiles().length, 1)
    // Same size, same (faked) stat, entry long past racy: the cache answers without reading.
    write('a1_first.ts', revisionFile('a1', null, 'FIRST'))
    age('a1_first.ts')
    assert.deepEqual(await load({ stat: coarseStat(ctime) }), { a1: 'first' })
  })

  test('an edit that keeps the size gives the new header', async () => {
    write('a1_first.ts', revisionFile('a1', null, 'first'))
    age('a1_first.ts')
    assert.deepEqual(await load(), { a1: 'first' })
    write('a1_first.ts', revisionFile('a1', null, 'tsrif'))
    assert.deepEqual(await load(), { a1: 'tsrif' })
    assert.deepEqual(await load(), { a1: 'tsrif' })
  })

  test('an edit within the same second, leaving every stat field equal, gives the new header', async () => {
    write('a1_first.ts', revisionFile('a1', null, 'first'))
    const now = Date.now()
    const stat = coarseStat(now)
    assert.deepEqual(await load({ stat }), { a1: 'first' })
    const before = stat(join(versions, 'a1_first.ts'))
    write('a1_first.ts', revisionFile('a1', null, 'FIRST'))
    utimesSync(join(versions, 'a1_first.ts'), before.mtimeMs / SECOND, before.mtimeMs / SECOND)
    assert.deepEqual(stat(join(versions, 'a1_first.ts')), before)
    assert.deepEqual(await load({ stat }), { a1: 'FIRST' })
    // The entry was recorded within 2 s of its mtime: later runs read the file again too.
    assert.deepEqual(await load({ stat, nowMs: () => now + 60 * SECOND }), { a1: 'FIRST' })
  })

  test('a rename, including one over another file, gives the header of the file now there', async () => {
    write('a1_first.ts', revisionFile('a1', null, 'first'))
    write('b2_second.ts', revisionFile('b2', 'a1', 'secnd'))
    age('a1_first.ts')
    age('b2_second.ts')
    const stat = coarseStat(LONG_AGO.getTime())
    assert.deepEqual(await load({ stat }), { a1: 'first', b2: 'secnd' })
    renameSync(join(versions, 'a1_first.ts'), join(versions, 'a1_renamed.ts'))
    assert.deepEqual(await load({ stat }), { a1: 'first', b2: 'secnd' })
    // Same size, mtime and (faked) ctime: only the inode tells the two apart.
    write('c3_third.ts', revisionFile('c3', 'a1', 'third'))
    age('c3_third.ts')
    renameSync(join(versions, 'c3_third.ts'), join(versions, 'b2_second.ts'))
    assert.deepEqual(await load({ stat }), { a1: 'first', c3: 'third' })
  })

  test('a deleted file and a new file are found by the folder listing', async () => {
    write('a1_first.ts', revisionFile('a1', null, 'first'))
    write('b2_second.ts', revisionFile('b2', 'a1', 'second'))
    assert.deepEqual(await load(), { a1: 'first', b2: 'second' })
    rmSync(join(versions, 'b2_second.ts'))
    assert.deepEqual(await load(), { a1: 'first' })
    write('c3_third.ts', revisionFile('c3', 'a1', 'third'))
    assert.deepEqual(await load(), { a1: 'first', c3: 'third' })
    const [cache] = cacheFiles()
    const stored = JSON.parse(readFileSync(join(cacheDir, cache as string), 'utf8'))
    assert.deepEqual(folderOf(stored).names.split('/').sort(), ['a1_first.ts', 'c3_third.ts'])
    assert.equal(stored.migraph, MIGRAPH_VERSION)
  })

  test('entries stay in use as files come and go around them, and an unchanged folder writes nothing', async () => {
    const stat = coarseStat(LONG_AGO.getTime())
    const files = { a1: 'a1_first.ts', b2: 'b2_second.ts', c3: 'c3_third.ts', d4: 'd4_fourth.ts' }
    let down: string | null = null
    for (const [id, name] of Object.entries(files)) {
      write(name, revisionFile(id, down, `${id} old`))
      age(name)
      down = id
    }
    const all = { a1: 'a1 old', b2: 'b2 old', c3: 'c3 old', d4: 'd4 old' }
    assert.deepEqual(await load({ stat }), all)
    // Same size and (faked) stat: a cached entry still answers 'old'.
    for (const [id, name] of Object.entries(files)) {
      write(
        name,
        revisionFile(
          id,
          id === 'a1' ? null : `${String.fromCharCode(id.charCodeAt(0) - 1)}${Number(id[1]) - 1}`,
          `${id} NEW`,
        ),
      )
      age(name)
    }
    write('b5_inserted.ts', revisionFile('b5', 'b2', 'b5 fresh'))
    age('b5_inserted.ts')
    assert.deepEqual(await load({ stat }), { ...all, b5: 'b5 fresh' })
    rmSync(join(versions, files.a1))
    write('a0_base.ts', revisionFile('a1', null, 'a1 base'))
    age('a0_base.ts')
    assert.deepEqual(await load({ stat }), { ...all, a1: 'a1 base', b5: 'b5 fresh' })
    const [cache] = cacheFiles()
    const path = join(cacheDir, cache as string)
    const before = { text: readFileSync(path, 'utf8'), mtimeMs: statSync(path).mtimeMs }
    assert.deepEqual(folderOf(JSON.parse(before.text)).names.split('/'), [
      'a0_base.ts',
      'b2_second.ts',
      'b5_inserted.ts',
      'c3_third.ts',
      'd4_fourth.ts',
    ])
    assert.deepEqual(await load({ stat }), { ...all, a1: 'a1 base', b5: 'b5 fresh' })
    assert.deepEqual({ text: readFileSync(path, 'utf8'), mtimeMs: statSync(path).mtimeMs }, before)
  })

  test('header comments come back exactly, whether stored whole or as the template wrote them', async () => {
    const templated = `/**
 * add accounts
 *
 * Revision ID: b2
 * Revises: a1
 * Create Date: 2026-01-01 00:00:00.000000
 */
export const revision = 'b2'
export const downRevision = 'a1'
export async function upgrade() {}
export async function downgrade() {}
`
    write('a1_first.ts', revisionFile('a1', null, 'first\n *\n * second paragraph'))
    write('b2_second.ts', templated)
    age('a1_first.ts')
    age('b2_second.ts')
    const docs = async () => {
      const scripts = await ScriptDirectory.load([versions], noImport, () => {}, {
        headerCache: () => ({ dir: cacheDir }),
      })
      return Object.fromEntries([...scripts.scripts].map(([id, s]) => [id, s.doc]))
    }
    const expected = {
      a1: 'first\n\nsecond paragraph\n\nRevision ID: a1',
      b2: 'add accounts\n\nRevision ID: b2\nRevises: a1\nCreate Date: 2026-01-01 00:00:00.000000',
    }
    assert.deepEqual(await docs(), expected)
    const stored = JSON.parse(readFileSync(join(cacheDir, cacheFiles()[0] as string), 'utf8'))
    // The templated comment is not stored twice over; the other one is stored as it is.
    assert.deepEqual(
      folderOf(stored).headers.map((h: unknown[]) => h[6]),
      [expected.a1, true],
    )
    assert.deepEqual(await docs(), expected)
  })

  test('a corrupt or foreign cache file is ignored and replaced', async () => {
    write('a1_first.ts', revisionFile('a1', null, 'first'))
    age('a1_first.ts')
    assert.deepEqual(await load(), { a1: 'first' })
    const cache = join(cacheDir, cacheFiles()[0] as string)
    const good = JSON.parse(readFileSync(cache, 'utf8'))
    const folder = folderOf(good)
    const withFolder = (changes: object) => JSON.stringify({ ...good, folders: [{ ...folder, ...changes }] })
    for (const text of [
      '{"format":2,"name',
      'null',
      '[]',
      JSON.stringify({ ...good, migraph: '0.0.0-other' }),
      JSON.stringify({ ...good, folders: [] }),
      withFolder({ headers: [['x']] }),
      withFolder({ headers: [] }),
      withFolder({ names: 42 }),
      withFolder({ stamps: folder.stamps.slice(1) }),
      withFolder({ headers: [[42, null, null, null, null, null, null, true]] }),
      withFolder({ headers: [['a1', [7], null, null, 'first', null, null, true]] }),
    ]) {
      writeFileSync(cache, text)
      assert.deepEqual(await load(), { a1: 'first' }, text)
    }
    const rewritten = folderOf(JSON.parse(readFileSync(cache, 'utf8')))
    assert.deepEqual([rewritten.names, rewritten.headers], [folder.names, folder.headers])
  })

  test('an unwritable cache folder never fails a command', async () => {
    write('a1_first.ts', revisionFile('a1', null, 'first'))
    writeFileSync(join(root, 'blocker'), '')
    cacheDir = join(root, 'blocker', 'cache')
    assert.deepEqual(await load(), { a1: 'first' })
  })

  test('MIGRAPH_VERSION is the version of @migraph/core', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../packages/core/package.json', import.meta.url), 'utf8'))
    assert.equal(MIGRAPH_VERSION, pkg.version)
  })
})
