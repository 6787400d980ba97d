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
import { CycleError, walkRevisions } from '@migraph/graph'
import { RevisionFileError } from '../../packages/core/src/errors.ts'
import type { FileStamp, HeaderCacheOptions } from '../../packages/core/src/script/header-cache.ts'
import { ScriptDirectory } from '../../packages/core/src/script/script-directory.ts'
import { MIGRAPH_VERSION } from '../../packages/core/src/version.ts'
import { literalRevision, noImport } from '../helpers/revision-sources.js'

let root: string
let cacheDir: string
let main: string
let side: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mig-revision-cache-'))
  main = join(root, 'migrations')
  side = join(root, 'side')
  cacheDir = join(root, 'node_modules', '.cache', 'migraph')
  mkdirSync(main)
  mkdirSync(side)
})

afterEach(() => rmSync(root, { recursive: true, force: true }))

const LONG_AGO = new Date('2020-01-01T00:00:00Z')
const SECOND = 1000

/**
 * Writes a revision file "long ago". Setting the times moves the real ctime to now, so loads fake
 * a file system whose ctime stays put ({@link agedStat}); mtime, size and inode are real.
 */
function write(folder: string, name: string, text: string): void {
  writeFileSync(join(folder, name), text)
  utimesSync(join(folder, name), LONG_AGO, LONG_AGO)
}

const agedStat = (file: string): FileStamp => {
  const s = statSync(file)
  return { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: LONG_AGO.getTime(), ino: s.ino }
}

async function load(
  folders: readonly string[] = [main],
  options: Partial<HeaderCacheOptions> = {},
): Promise<ScriptDirectory> {
  return ScriptDirectory.load(folders, noImport, {
    headerCache: () => ({ dir: cacheDir, stat: agedStat, ...options }),
  })
}

/** What a loaded directory tells the commands, as plain data. */
function observe(scripts: ScriptDirectory): unknown {
  return {
    scripts: [...scripts.scripts.values()].map((s) => ({ ...s, doc: s.doc })),
    revisions: scripts.map.revisions.map((r) => ({
      ...r,
      script: scripts.scriptOf(r).path,
      isHead: r.isHead,
    })),
    ends: [scripts.map.heads, scripts.map.realHeads, scripts.map.bases, scripts.map.realBases],
    keys: [...scripts.map.keys()],
    walk: walkRevisions(scripts.map).map((r) => r.revision),
    resolved: scripts.map.resolve('feature@head').map((r) => r.revision),
  }
}

const cacheFiles = () => readdirSync(cacheDir).filter((f) => f.startsWith('revisions-'))
const cacheFile = () => join(cacheDir, cacheFiles()[0] as string)
const stored = () => JSON.parse(readFileSync(cacheFile(), 'utf8'))

/** A graph with a branch, a merge, a label and a dependency, across two folders. */
function writeProject(): void {
  write(main, 'a1_base.ts', literalRevision('a1aa', 'base'))
  write(main, 'b1_left.ts', literalRevision('b1bb', 'left', { down: 'a1aa' }))
  write(main, 'b2_right.ts', literalRevision('b2bb', 'right', { down: 'a1aa', labels: ['feature'] }))
  write(
    main,
    'c1_merge.ts',
    literalRevision('c1cc', 'merge\n *\n * second paragraph', { down: ['b1bb', 'b2bb'] }),
  )
  write(side, 'x1_other.ts', literalRevision('x1xx', 'other base'))
  write(
    side,
    'x2_needs.ts',
    literalRevision('x2xx', 'needs the feature', { down: 'x1xx', dependsOn: ['feature'] }),
  )
}

describe('revision cache, the whole graph', () => {
  test('a restored graph is the built one, headers and scripts included', async () => {
    writeProject()
    const built = observe(await ScriptDirectory.load([main, side], noImport, { headerCache: false }))
    assert.deepEqual(observe(await load([main, side])), built)
    assert.equal(cacheFiles().length, 1)
    const written = statSync(cacheFile()).mtimeMs
    assert.deepEqual(observe(await load([main, side])), built)
    // Restored, not rebuilt: an unchanged project writes nothing.
    assert.equal(statSync(cacheFile()).mtimeMs, written)
  })

  test('while every stat matches, the recorded graph is served: no file is read, nothing rebuilt', async () => {
    writeProject()
    const before = observe(await load([main, side]))
    assert.ok(stored().graph !== undefined)
    // Same size and stat (the faked ctime, the old mtime), different text: only the cache can
    // still answer 'base'.
    write(main, 'a1_base.ts', literalRevision('a1aa', 'BASE'))
    assert.deepEqual(observe(await load([main, side])), before)
    // And it is the recorded graph that answers, not one built again from recorded headers: a
    // walk recorded in another (still complete) order is the walk served.
    const record = stored()
    writeFileSync(
      cacheFile(),
      JSON.stringify({ ...record, graph: { ...record.graph, walk: [...record.graph.walk].reverse() } }),
    )
    const walk = walkRevisions((await load([main, side])).map).map((r) => r.revision)
    assert.deepEqual(walk, [...(before as { walk: string[] }).walk].reverse())
  })

  test('a new, deleted, renamed or edited file gives the graph of the files now there', async () => {
    writeProject()
    const messages = async () => {
      const scripts = await load([main, side])
      return {
        messages: Object.fromEntries([...scripts.scripts].map(([id, s]) => [id, s.message])),
        paths: [...scripts.scripts.values()].map((s) => s.path.slice(root.length)),
        heads: scripts.map.heads,
      }
    }
    const first = await messages()
    assert.deepEqual(first.heads, ['c1cc', 'x2xx'])

    write(main, 'd1_next.ts', literalRevision('d1dd', 'next', { down: 'c1cc' }))
    assert.deepEqual((await messages()).heads, ['d1dd', 'x2xx'])

    rmSync(join(main, 'd1_next.ts'))
    assert.deepEqual(await messages(), first)

    renameSync(join(side, 'x2_needs.ts'), join(side, 'x3_renamed.ts'))
    const renamed = await messages()
    assert.ok(renamed.paths.includes('/side/x3_renamed.ts'), renamed.paths.join())

    write(main, 'b1_left.ts', literalRevision('b1bb', 'left, edited'))
    const edited = await messages()
    assert.equal(edited.messages.b1bb, 'left, edited')
    // b1bb no longer follows a1aa: it is a base now, and c1cc merges it with b2bb still.
    assert.deepEqual((await load([main, side])).map.bases, ['a1aa', 'b1bb', 'x1xx'])
  })

  test('each set of versions folders, in its order, has its own graph', async () => {
    writeProject()
    for (let round = 0; round < 2; round++) {
      assert.deepEqual((await load([main])).map.heads, ['c1cc'])
      assert.deepEqual((await load([main, side])).map.heads, ['c1cc', 'x2xx'])
      assert.deepEqual((await load([side, main])).map.heads, ['x2xx', 'c1cc'])
    }
    assert.equal(cacheFiles().length, 3)
  })

  test('files changed within the racy window are never recorded, whatever the clock said', async () => {
    writeProject()
    const now = Date.now()
    const recent = (file: string): FileStamp => ({ ...agedStat(file), ctimeMs: now })
    await load([main, side], { stat: recent })
    assert.equal(stored().graph, undefined)
    // A run whose clock is an hour ahead finds the same files old enough to record.
    await load([main, side], { stat: recent, nowMs: () => now + 3600 * SECOND })
    assert.ok(stored().graph !== undefined)
    // A run on the true clock does not trust that record: the graph file's own mtime bounds it,
    // and the files changed within 2 s of it. Same size, same (faked) stat, new text:
    write(main, 'a1_base.ts', literalRevision('a1aa', 'BASE'))
    assert.equal((await load([main, side], { stat: recent })).scripts.get('a1aa')?.message, 'BASE')
  })

  test('a header that is not a literal is an error, and the module is never imported', async () => {
    writeProject()
    write(
      side,
      'x3_dynamic.ts',
      "export const revision = 'x3' + 'xx'\nexport const downRevision = 'x2xx'\nexport async function upgrade() {}\nexport async function downgrade() {}\n",
    )
    let imported = 0
    await assert.rejects(
      ScriptDirectory.load(
        [main, side],
        async () => {
          imported++
          return { revision: 'x3xx', downRevision: 'x2xx' }
        },
        { headerCache: () => ({ dir: cacheDir, stat: agedStat }) },
      ),
      (error: Error) =>
        error instanceof RevisionFileError &&
        /x3_dynamic\.ts: header field 'revision' is not a literal/.test(error.message),
    )
    assert.equal(imported, 0)
  })

  test('a broken graph is reported as ever and records nothing', async () => {
    write(main, 'a1_base.ts', literalRevision('a1aa', 'base', { down: 'b1bb' }))
    write(main, 'b1_next.ts', literalRevision('b1bb', 'next', { down: 'a1aa' }))
    await assert.rejects(load(), CycleError)
    // The headers are kept for the run after the fix; no graph is.
    assert.equal(stored().graph, undefined)
    assert.equal(stored().folders[0].headers.length, 2)
  })

  test('a corrupt or foreign graph file is ignored and replaced', async () => {
    writeProject()
    const expected = observe(await load([main, side]))
    const good = stored()
    const stamps = Buffer.from(good.folders[0].stamps, 'base64')
    stamps[0] = (stamps[0] as number) ^ 1
    const withFolder = (changes: object) =>
      JSON.stringify({ ...good, folders: [{ ...good.folders[0], ...changes }, good.folders[1]] })
    for (const text of [
      '{"format":1,"name',
      'null',
      '[]',
      JSON.stringify({ ...good, format: 999 }),
      JSON.stringify({ ...good, migraph: '0.0.0-other' }),
      JSON.stringify({ ...good, locations: [...good.locations].reverse() }),
      JSON.stringify({ ...good, folders: good.folders.slice(1) }),
      withFolder({ stamps: stamps.toString('base64') }),
      withFolder({ names: 'a1_base.ts' }),
      withFolder({ headers: good.folders[0].headers.slice(1) }),
      withFolder({ headers: good.folders[0].headers.map((row: unknown[]) => [42, ...row.slice(1)]) }),
      JSON.stringify({ ...good, graph: { ...good.graph, next: [] } }),
      JSON.stringify({ ...good, graph: { ...good.graph, walk: [0, 0] } }),
      JSON.stringify({ ...good, graph: 'none' }),
    ]) {
      writeFileSync(cacheFile(), text)
      assert.deepEqual(observe(await load([main, side])), expected, text.slice(0, 120))
    }
    assert.deepEqual(stored(), { ...good, startedMs: stored().startedMs })
  })

  test('an unwritable cache folder never fails a command', async () => {
    writeProject()
    writeFileSync(join(root, 'blocker'), '')
    cacheDir = join(root, 'blocker', 'cache')
    assert.deepEqual((await load([main, side])).map.heads, ['c1cc', 'x2xx'])
  })
})

// The headers alone: served entry by entry while the recorded graph cannot be.
const revisionFile = (id: string, down: string | null, message: string) =>
  literalRevision(id, message, { down })

const put = (name: string, text: string) => writeFileSync(join(main, name), text)
const age = (name: string) => utimesSync(join(main, name), LONG_AGO, LONG_AGO)

/** Loads the folder and returns revision → message, the way every command sees the headers. */
async function messages(options: Partial<HeaderCacheOptions> = {}): Promise<Record<string, string | null>> {
  const scripts = await ScriptDirectory.load([main], noImport, {
    headerCache: () => ({ dir: cacheDir, ...options }),
  })
  const out: Record<string, string | null> = {}
  for (const [id, script] of scripts.scripts) out[id] = script.message
  return out
}

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

describe('revision cache, header by header', () => {
  test('writes one cache file and serves entries whose stat matches', async () => {
    put('a1_first.ts', revisionFile('a1', null, 'first'))
    age('a1_first.ts')
    const ctime = 1_577_836_800 * SECOND
    assert.deepEqual(await messages({ stat: coarseStat(ctime) }), { a1: 'first' })
    assert.equal(cacheFiles().length, 1)
    // Same size, same (faked) stat, entry long past racy: the cache answers without reading.
    put('a1_first.ts', revisionFile('a1', null, 'FIRST'))
    age('a1_first.ts')
    assert.deepEqual(await messages({ stat: coarseStat(ctime) }), { a1: 'first' })
  })

  test('an edit that keeps the size gives the new header', async () => {
    put('a1_first.ts', revisionFile('a1', null, 'first'))
    age('a1_first.ts')
    assert.deepEqual(await messages(), { a1: 'first' })
    put('a1_first.ts', revisionFile('a1', null, 'tsrif'))
    assert.deepEqual(await messages(), { a1: 'tsrif' })
    assert.deepEqual(await messages(), { a1: 'tsrif' })
  })

  test('an edit within the same second, leaving every stat field equal, gives the new header', async () => {
    put('a1_first.ts', revisionFile('a1', null, 'first'))
    const now = Date.now()
    const stat = coarseStat(now)
    assert.deepEqual(await messages({ stat }), { a1: 'first' })
    const before = stat(join(main, 'a1_first.ts'))
    put('a1_first.ts', revisionFile('a1', null, 'FIRST'))
    utimesSync(join(main, 'a1_first.ts'), before.mtimeMs / SECOND, before.mtimeMs / SECOND)
    assert.deepEqual(stat(join(main, 'a1_first.ts')), before)
    assert.deepEqual(await messages({ stat }), { a1: 'FIRST' })
    // The entry was recorded within 2 s of its mtime: later runs read the file again too.
    assert.deepEqual(await messages({ stat, nowMs: () => now + 60 * SECOND }), { a1: 'FIRST' })
  })

  test('a rename, including one over another file, gives the header of the file now there', async () => {
    put('a1_first.ts', revisionFile('a1', null, 'first'))
    put('b2_second.ts', revisionFile('b2', 'a1', 'secnd'))
    age('a1_first.ts')
    age('b2_second.ts')
    const stat = coarseStat(LONG_AGO.getTime())
    assert.deepEqual(await messages({ stat }), { a1: 'first', b2: 'secnd' })
    renameSync(join(main, 'a1_first.ts'), join(main, 'a1_renamed.ts'))
    assert.deepEqual(await messages({ stat }), { a1: 'first', b2: 'secnd' })
    // Same size, mtime and (faked) ctime: only the inode tells the two apart.
    put('c3_third.ts', revisionFile('c3', 'a1', 'third'))
    age('c3_third.ts')
    renameSync(join(main, 'c3_third.ts'), join(main, 'b2_second.ts'))
    assert.deepEqual(await messages({ stat }), { a1: 'first', c3: 'third' })
  })

  test('a deleted file and a new file are found by the folder listing', async () => {
    put('a1_first.ts', revisionFile('a1', null, 'first'))
    put('b2_second.ts', revisionFile('b2', 'a1', 'second'))
    assert.deepEqual(await messages(), { a1: 'first', b2: 'second' })
    rmSync(join(main, 'b2_second.ts'))
    assert.deepEqual(await messages(), { a1: 'first' })
    put('c3_third.ts', revisionFile('c3', 'a1', 'third'))
    assert.deepEqual(await messages(), { a1: 'first', c3: 'third' })
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
      put(name, revisionFile(id, down, `${id} old`))
      age(name)
      down = id
    }
    const all = { a1: 'a1 old', b2: 'b2 old', c3: 'c3 old', d4: 'd4 old' }
    assert.deepEqual(await messages({ stat }), all)
    // Same size and (faked) stat: a cached entry still answers 'old'.
    for (const [id, name] of Object.entries(files)) {
      put(
        name,
        revisionFile(
          id,
          id === 'a1' ? null : `${String.fromCharCode(id.charCodeAt(0) - 1)}${Number(id[1]) - 1}`,
          `${id} NEW`,
        ),
      )
      age(name)
    }
    put('b5_inserted.ts', revisionFile('b5', 'b2', 'b5 fresh'))
    age('b5_inserted.ts')
    assert.deepEqual(await messages({ stat }), { ...all, b5: 'b5 fresh' })
    rmSync(join(main, files.a1))
    put('a0_base.ts', revisionFile('a1', null, 'a1 base'))
    age('a0_base.ts')
    assert.deepEqual(await messages({ stat }), { ...all, a1: 'a1 base', b5: 'b5 fresh' })
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
    assert.deepEqual(await messages({ stat }), { ...all, a1: 'a1 base', b5: 'b5 fresh' })
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
    put('a1_first.ts', revisionFile('a1', null, 'first\n *\n * second paragraph'))
    put('b2_second.ts', templated)
    age('a1_first.ts')
    age('b2_second.ts')
    const docs = async () => {
      const scripts = await ScriptDirectory.load([main], noImport, {
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
    put('a1_first.ts', revisionFile('a1', null, 'first'))
    age('a1_first.ts')
    assert.deepEqual(await messages(), { a1: 'first' })
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
      assert.deepEqual(await messages(), { a1: 'first' }, text)
    }
    const rewritten = folderOf(JSON.parse(readFileSync(cache, 'utf8')))
    assert.deepEqual([rewritten.names, rewritten.headers], [folder.names, folder.headers])
  })

  test('an unwritable cache folder never fails a command', async () => {
    put('a1_first.ts', revisionFile('a1', null, 'first'))
    writeFileSync(join(root, 'blocker'), '')
    cacheDir = join(root, 'blocker', 'cache')
    assert.deepEqual(await messages(), { a1: 'first' })
  })

  test('MIGRAPH_VERSION is the version of @migraph/core', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../packages/core/package.json', import.meta.url), 'utf8'))
    assert.equal(MIGRAPH_VERSION, pkg.version)
  })
})
