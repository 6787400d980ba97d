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
import {
  checksumMatches,
  contentDigest,
  legacyChecksum,
  revisionChecksum,
} from '../../packages/core/src/runtime/checksum.ts'
import {
  ChecksumCache,
  type ChecksumCacheOptions,
  type ChecksumStamp,
  listingStamps,
} from '../../packages/core/src/runtime/checksum-cache.ts'
import { ScriptDirectory } from '../../packages/core/src/script/script-directory.ts'

let root: string
let versions: string
let cacheDir: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mig-checksum-cache-'))
  versions = join(root, 'migrations')
  cacheDir = join(root, 'node_modules', '.cache', 'migraph')
  mkdirSync(versions)
})

afterEach(() => rmSync(root, { recursive: true, force: true }))

// Files written "long ago", so their entries are not racy unless a test says otherwise.
const LONG_AGO = new Date('2020-01-01T00:00:00Z')
const path = (name: string) => join(versions, name)
const write = (name: string, text: string) => writeFileSync(path(name), text)
const age = (name: string) => utimesSync(path(name), LONG_AGO, LONG_AGO)
const sum = (text: string) => revisionChecksum(text)
const cacheFiles = () => readdirSync(cacheDir).filter((f) => f.startsWith('checksums-'))

/** One run: the checksums of the named files, then the cache saved, as a command does. */
function run(names: readonly string[], options: Partial<ChecksumCacheOptions> = {}): (string | null)[] {
  const cache = new ChecksumCache({ cacheDir: () => cacheDir, ...options })
  const out = names.map((name) => cache.checksum(path(name)))
  cache.save()
  return out
}

/**
 * A file system that keeps whole seconds and a stat whose ctime never moves: an edit within the
 * same second leaves every stat field as it was, so only the racy rule can notice it.
 */
const coarseStat =
  (ctimeMs: number) =>
  (file: string): ChecksumStamp => {
    const s = statSync(file)
    return { size: s.size, mtimeMs: Math.floor(s.mtimeMs / 1000) * 1000, ctimeMs, ino: s.ino }
  }

describe('checksum cache', () => {
  test('serves the checksum of a file whose stat matches, without reading it', () => {
    write('a1.ts', 'one')
    age('a1.ts')
    const stat = coarseStat(1_577_836_800_000)
    assert.deepEqual(run(['a1.ts'], { stat }), [sum('one')])
    assert.equal(cacheFiles().length, 1)
    // Same size, same (faked) stat, entry long past racy: the cache answers.
    write('a1.ts', 'two')
    age('a1.ts')
    assert.deepEqual(run(['a1.ts'], { stat }), [sum('one')])
  })

  test("keeps each file's legacy checksum and content digest with its checksum", () => {
    write('a1.ts', 'const s = `one  \ntwo`')
    age('a1.ts')
    const stat = coarseStat(1_577_836_800_000)
    const digests = (options: Partial<ChecksumCacheOptions>) => {
      const cache = new ChecksumCache({ cacheDir: () => cacheDir, ...options })
      const file = path('a1.ts')
      const out = [cache.checksum(file), cache.legacyChecksum(file), cache.contentDigest(file)]
      cache.save()
      return out
    }
    const first = digests({ stat })
    const text = 'const s = `one  \ntwo`'
    assert.deepEqual(first, [sum(text), legacyChecksum(text), contentDigest(text)])
    // Served from the record while the stat matches, every digest.
    write('a1.ts', 'const s = `uno  \ntwo`')
    age('a1.ts')
    assert.deepEqual(digests({ stat }), first)
    write('a1.ts', 'const s = `one\ntwo`')
    age('a1.ts')
    const edited = digests({})
    assert.notEqual(edited[0], first[0], 'trailing spaces in a string are an edit')
    assert.equal(edited[1], first[1], 'the legacy rule ignored them')
    assert.notEqual(edited[2], first[2])
  })

  test('an edit that keeps the size gives the new checksum', () => {
    write('a1.ts', 'one')
    age('a1.ts')
    assert.deepEqual(run(['a1.ts']), [sum('one')])
    write('a1.ts', 'eno')
    assert.deepEqual(run(['a1.ts']), [sum('eno')])
    assert.deepEqual(run(['a1.ts']), [sum('eno')])
  })

  test('an edit within the same second, leaving every stat field equal, gives the new checksum', () => {
    write('a1.ts', 'one')
    const now = Date.now()
    const stat = coarseStat(now)
    assert.deepEqual(run(['a1.ts'], { stat }), [sum('one')])
    const before = stat(path('a1.ts'))
    write('a1.ts', 'ONE')
    utimesSync(path('a1.ts'), before.mtimeMs / 1000, before.mtimeMs / 1000)
    assert.deepEqual(stat(path('a1.ts')), before)
    assert.deepEqual(run(['a1.ts'], { stat }), [sum('ONE')])
    // The entry was recorded within 2 s of its mtime: later runs read the file again too.
    assert.deepEqual(run(['a1.ts'], { stat, nowMs: () => now + 60_000 }), [sum('ONE')])
  })

  test('a file renamed over another one is read again', () => {
    write('a1.ts', 'one')
    write('b2.ts', 'two')
    age('a1.ts')
    age('b2.ts')
    const stat = coarseStat(LONG_AGO.getTime())
    assert.deepEqual(run(['a1.ts', 'b2.ts'], { stat }), [sum('one'), sum('two')])
    // Same size, mtime and (faked) ctime: only the inode tells the two apart.
    write('c3.ts', 'six')
    age('c3.ts')
    renameSync(path('c3.ts'), path('b2.ts'))
    assert.deepEqual(run(['a1.ts', 'b2.ts'], { stat }), [sum('one'), sum('six')])
  })

  test('keeps only the files looked up in the last run that changed anything', () => {
    write('a1.ts', 'one')
    write('b2.ts', 'two')
    age('a1.ts')
    age('b2.ts')
    run(['a1.ts', 'b2.ts'])
    rmSync(path('b2.ts'))
    assert.deepEqual(run(['a1.ts', 'b2.ts']), [sum('one'), null])
    const stored = JSON.parse(readFileSync(join(cacheDir, cacheFiles()[0] as string), 'utf8'))
    assert.deepEqual(Object.keys(stored.entries), ['a1.ts'])
  })

  test('a corrupt or foreign cache file is ignored and replaced', () => {
    write('a1.ts', 'one')
    age('a1.ts')
    assert.deepEqual(run(['a1.ts']), [sum('one')])
    const cache = join(cacheDir, cacheFiles()[0] as string)
    const good = JSON.parse(readFileSync(cache, 'utf8'))
    for (const text of [
      '{"format":1,"entr',
      'null',
      '[]',
      JSON.stringify({ ...good, migraph: '0.0.0-other' }),
      JSON.stringify({ ...good, folder: '/elsewhere' }),
      JSON.stringify({ ...good, entries: { 'a1.ts': ['x'] } }),
      JSON.stringify({ ...good, entries: { 'a1.ts': [...good.entries['a1.ts'].slice(0, 4), 42] } }),
    ]) {
      writeFileSync(cache, text)
      assert.deepEqual(run(['a1.ts']), [sum('one')], text)
    }
    assert.deepEqual(JSON.parse(readFileSync(cache, 'utf8')).entries, good.entries)
  })

  test('an unreadable file has no checksum, and an unwritable cache folder fails nothing', () => {
    write('a1.ts', 'one')
    writeFileSync(join(root, 'blocker'), '')
    cacheDir = join(root, 'blocker', 'cache')
    assert.deepEqual(run(['a1.ts', 'missing.ts']), [sum('one'), null])
  })

  test("a command's folder listing stands in for stat'ing each file again, while it is fresh", async () => {
    const header = (id: string) => `export const revision = '${id}'\nexport const downRevision = null\n`
    for (const id of ['a1', 'b2', 'c3']) write(`${id}_x.ts`, header(id))
    const scripts = await ScriptDirectory.load([versions], () => Promise.reject(new Error('no import')), {
      headerCache: false,
    })
    for (const id of ['a1', 'b2', 'c3']) {
      const s = statSync(path(`${id}_x.ts`))
      assert.deepEqual(scripts.stampOf(path(`${id}_x.ts`)), {
        size: s.size,
        mtimeMs: s.mtimeMs,
        ctimeMs: s.ctimeMs,
        ino: s.ino,
      })
    }
    assert.equal(scripts.stampOf(path('zz_x.ts')), undefined)
    assert.equal(scripts.stampOf(join(root, 'a1_x.ts')), undefined)

    // The stamps used are the ones the cache records: the listing's while it is fresh, a new
    // stat's once it is not. A listing that claims another size tells them apart.
    const claimed = { size: 12_345, mtimeMs: 1, ctimeMs: 1, ino: 1 }
    const recorded = (listedAtMs: number) => {
      rmSync(cacheDir, { recursive: true, force: true })
      const listing = { stampOf: () => claimed, listedAtMs }
      assert.deepEqual(run(['a1_x.ts'], listingStamps(listing)), [sum(header('a1'))])
      return JSON.parse(readFileSync(join(cacheDir, cacheFiles()[0] as string), 'utf8'))
    }
    const fresh = recorded(Date.now())
    assert.equal(fresh.entries['a1_x.ts'][0], claimed.size)
    const stale = recorded(Date.now() - 60_000)
    assert.equal(stale.entries['a1_x.ts'][0], statSync(path('a1_x.ts')).size)
    // The run counts as started when the listing did.
    assert.ok(stale.startedMs <= Date.now() - 60_000)
  })
})

describe('revision checksums', () => {
  const sql = "await op.execute(`insert into t values ('a\nb')`)\n"
  const spaced = "await op.execute(`insert into t values ('a \nb')`)\n"

  test('line endings and a byte-order mark are not edits; anything else is', () => {
    assert.equal(revisionChecksum(sql.replaceAll('\n', '\r\n')), revisionChecksum(sql))
    assert.equal(revisionChecksum(sql.replaceAll('\n', '\r')), revisionChecksum(sql))
    assert.equal(revisionChecksum(`\uFEFF${sql}`), revisionChecksum(sql))
    assert.notEqual(revisionChecksum(spaced), revisionChecksum(sql))
    assert.notEqual(revisionChecksum(`${sql}\n`), revisionChecksum(sql))
    assert.notEqual(revisionChecksum(sql.replace('a', 'b')), revisionChecksum(sql))
  })

  test('the current rule is told apart from the first: a prefix, 46 characters', () => {
    assert.match(revisionChecksum(sql), /^v2:[A-Za-z0-9_-]{43}$/)
    assert.match(legacyChecksum(sql), /^[0-9a-f]{64}$/)
    // The first rule ignored trailing spaces and blank lines at the end.
    assert.equal(legacyChecksum(spaced), legacyChecksum(sql))
    assert.equal(legacyChecksum(`${sql}\n\n`), legacyChecksum(sql))
  })

  test('a recorded checksum is compared under the rule it was recorded by', () => {
    write('a1.ts', sql)
    const file = path('a1.ts')
    assert.ok(checksumMatches(revisionChecksum(sql), file))
    assert.ok(checksumMatches(legacyChecksum(sql), file))
    write('a1.ts', spaced)
    assert.equal(checksumMatches(revisionChecksum(sql), file), false)
    // What the first rule recorded cannot tell this edit; any other it can.
    assert.ok(checksumMatches(legacyChecksum(sql), file))
    write('a1.ts', sql.replace('a', 'b'))
    assert.equal(checksumMatches(legacyChecksum(sql), file), false)
    rmSync(file)
    assert.equal(checksumMatches(revisionChecksum(sql), file), false)
    assert.equal(checksumMatches(legacyChecksum(sql), file), false)
  })
})
