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
import { contentDigest } from '../../packages/core/src/runtime/checksum.ts'
import {
  describeImportError,
  importModule,
  saveBundleCaches,
} from '../../packages/core/src/script/import-module.ts'

let root: string
let cacheDir: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mig-import-'))
  cacheDir = join(root, 'node_modules', '.cache', 'migraph')
  mkdirSync(join(root, 'node_modules'))
  mkdirSync(join(root, 'migrations'))
})

afterEach(() => rmSync(root, { recursive: true, force: true }))

/** Writes a TypeScript module under migrations/ and returns its path. */
function write(name: string, body: string): string {
  const file = join(root, 'migrations', name)
  writeFileSync(file, `${body}\n`)
  return file
}

const valueModule = (value: string) => `export const value: string = '${value}'`
const bundles = () => readdirSync(cacheDir).filter((name) => /^bundle-.*\.(?:c|m)js$/.test(name))

async function importAll(files: readonly string[]): Promise<PromiseSettledResult<Record<string, unknown>>[]> {
  assert.ok(importModule.many, 'the default importer imports several modules at once')
  return importModule.many(files)
}

function values(results: readonly (PromiseSettledResult<Record<string, unknown>> | undefined)[]): unknown[] {
  return results.map((r) => (r?.status === 'fulfilled' ? r.value.value : `rejected: ${String(r?.reason)}`))
}

describe('importModule.many', () => {
  test('imports several TypeScript modules through one cached bundle', async () => {
    const files = ['a', 'b', 'c'].map((v) => write(`${v}.ts`, valueModule(v)))
    assert.deepEqual(values(await importAll(files)), ['a', 'b', 'c'])
    assert.equal(bundles().length, 1)
    // Warm: the same bundle, no new one.
    assert.deepEqual(values(await importAll(files)), ['a', 'b', 'c'])
    assert.equal(bundles().length, 1)
  })

  test('the bundle is CommonJS with a V8 code cache, written once and then used', async () => {
    const files = ['a', 'b'].map((v) => write(`${v}.ts`, valueModule(v)))
    assert.deepEqual(values(await importAll(files)), ['a', 'b'])
    const caches = () => readdirSync(cacheDir).filter((name) => /^bundle-.*\.cjs\..*\.bin$/.test(name))
    assert.deepEqual(
      bundles().map((name) => name.slice(-4)),
      ['.cjs'],
    )
    // Written once the modules have run, so that it holds their functions too.
    assert.equal(caches().length, 0)
    saveBundleCaches()
    assert.equal(caches().length, 1)
    const cache = join(cacheDir, caches()[0] as string)
    const written = statSync(cache).mtimeMs
    assert.deepEqual(values(await importAll(files)), ['a', 'b'])
    saveBundleCaches()
    // A cache V8 accepted is not written again.
    assert.equal(statSync(cache).mtimeMs, written)
  })

  test('modules with top-level await or import() get an ES module bundle', async () => {
    for (const body of [
      'export const value = await Promise.resolve("late")',
      'export const value = "late"\nexport const later = () => import("node:os")',
    ]) {
      rmSync(cacheDir, { recursive: true, force: true })
      const files = [write('a.ts', valueModule('a')), write('late.ts', body)]
      assert.deepEqual(values(await importAll(files)), ['a', 'late'])
      assert.deepEqual(
        bundles().map((name) => name.slice(-4)),
        ['.mjs'],
      )
    }
  })

  test('a package that needs import() turns the bundle into an ES module before any module runs', async () => {
    const pkg = join(root, 'node_modules', 'awaiting')
    mkdirSync(pkg)
    writeFileSync(join(pkg, 'package.json'), '{ "name": "awaiting", "type": "module", "main": "index.js" }')
    writeFileSync(join(pkg, 'index.js'), 'export const ready = await Promise.resolve("ready")\n')
    const runs = (globalThis as { __bundleRuns?: number }).__bundleRuns ?? 0
    const files = [
      write(
        'counted.ts',
        'const g = globalThis as { __bundleRuns?: number }\ng.__bundleRuns = (g.__bundleRuns ?? 0) + 1\nexport const value = "counted"',
      ),
      write('uses.ts', "import { ready } from 'awaiting'\nexport const value = ready"),
    ]
    assert.deepEqual(values(await importAll(files)), ['counted', 'ready'])
    assert.equal((globalThis as { __bundleRuns?: number }).__bundleRuns, runs + 1)
    assert.deepEqual(
      bundles().map((name) => name.slice(-4)),
      ['.mjs'],
    )
  })

  test('never uses a bundle compiled from other text, even when size and times match', async () => {
    const a = write('a.ts', valueModule('one'))
    const b = write('b.ts', valueModule('two'))
    const { mtime } = statSync(a)
    assert.deepEqual(values(await importAll([a, b])), ['one', 'two'])
    write('a.ts', valueModule('uno'))
    utimesSync(a, mtime, mtime)
    assert.deepEqual(values(await importAll([a, b])), ['uno', 'two'])
  })

  test("given each file's content digest, modules compiled from those texts load without reading the files", async () => {
    const files = ['a', 'b'].map((v) => write(`${v}.ts`, valueModule(v)))
    const digests = files.map((file) => contentDigest(readFileSync(file, 'utf8')))
    assert.deepEqual(values(await importAll(files)), ['a', 'b'])
    // Moved away: what loads now can only come from the compiled bundle.
    for (const file of files) renameSync(file, `${file}.moved`)
    assert.ok(importModule.many)
    assert.deepEqual(values(await importModule.many(files, digests)), ['a', 'b'])
    assert.equal(bundles().length, 1)
  })

  test('digests of texts no bundle holds yet, even a change of trailing spaces in a string: the files are read', async () => {
    const a = write('a.ts', 'export const value: string = `one  \ntwo`')
    const b = write('b.ts', valueModule('b'))
    assert.deepEqual(values(await importAll([a, b])), ['one  \ntwo', 'b'])
    write('a.ts', 'export const value: string = `one\ntwo`')
    const digests = [a, b].map((file) => contentDigest(readFileSync(file, 'utf8')))
    assert.ok(importModule.many)
    assert.deepEqual(values(await importModule.many([a, b], digests)), ['one\ntwo', 'b'])
    assert.deepEqual(values(await importModule.many([a, b], [null, undefined])), ['one\ntwo', 'b'])
    assert.equal(bundles().length, 2)
  })

  test('keeps the newest eight bundles of a cache folder', async () => {
    const a = write('a.ts', valueModule('a'))
    for (let i = 0; i < 10; i++) {
      const b = write('b.ts', valueModule(`b${i}`))
      assert.deepEqual(values(await importAll([a, b])), ['a', `b${i}`])
    }
    assert.equal(bundles().length, 8)
    assert.equal(readdirSync(cacheDir).filter((name) => /^bundle-.*\.(?:c|m)js\.map$/.test(name)).length, 8)
  })

  test('a syntax error fails only its own file, with file, line and column', async () => {
    const a = write('a.ts', valueModule('a'))
    const broken = write('broken.ts', 'export const value = (')
    const c = write('c.ts', valueModule('c'))
    const results = await importAll([a, broken, c])
    assert.deepEqual(values([results[0], results[2]]), ['a', 'c'])
    const failure = results[1]
    assert.ok(failure?.status === 'rejected')
    assert.match(describeImportError(broken, failure.reason), /broken\.ts:2:\d+: /)
  })

  test('a module that throws while loading fails alone', async () => {
    const a = write('a.ts', valueModule('a'))
    const throwing = write('throwing.ts', "throw new Error('no such luck')\nexport const value = 1")
    const results = await importAll([a, throwing])
    assert.deepEqual(values(results), ['a', 'rejected: Error: no such luck'])
  })

  test('imports inside the modules stay imports: one package instance for all', async () => {
    const pkg = join(root, 'node_modules', 'counter')
    mkdirSync(pkg)
    writeFileSync(join(pkg, 'package.json'), '{ "name": "counter", "type": "module", "main": "index.js" }')
    writeFileSync(join(pkg, 'index.js'), 'export const box = { loads: 0 }\nbox.loads++\n')
    const files = ['a', 'b'].map((v) =>
      write(`${v}.ts`, `import { box } from 'counter'\nexport const value = box`),
    )
    const [a, b] = values(await importAll(files))
    assert.equal(a, b)
    assert.deepEqual(a, { loads: 1 })
  })

  test('a module imported alone before is not evaluated again', async () => {
    const counted = write('counted.ts', 'export const value = { id: Math.random() }')
    const other = write('other.ts', valueModule('other'))
    const alone = await importModule(counted)
    const [again] = values(await importAll([counted, other]))
    assert.equal(again, alone.value)
  })

  test('modules that depend on where they sit are imported in place', async () => {
    write('shared.ts', "export const shared = 'relative'")
    const relative = write('relative.ts', "export { shared as value } from './shared.ts'")
    const plain = write('plain.ts', valueModule('plain'))
    assert.deepEqual(values(await importAll([relative, plain])), ['relative', 'plain'])
  })
})

describe('importModule', () => {
  const copies = (extension: string) => readdirSync(cacheDir).filter((name) => name.endsWith(extension))

  /** A package in the project's node_modules: `import x from 'name'` finds it. */
  function writePackage(name: string, type: 'module' | 'commonjs', main: string): void {
    const dir = join(root, 'node_modules', name)
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, type, main: 'index.js' }))
    writeFileSync(join(dir, 'index.js'), `${main}\n`)
  }

  test('loads a TypeScript module through a cached CommonJS copy, strict, with its default export', async () => {
    const file = write(
      'config.ts',
      [
        "export default { migrations: 'migrations', strict: (function (this: unknown) { return this === undefined })() }",
        'export const named: number = 7',
      ].join('\n'),
    )
    const mod = await importModule(file)
    assert.deepEqual(mod.default, { migrations: 'migrations', strict: true })
    assert.equal(mod.named, 7)
    assert.equal(copies('.cjs').length, 1)
    assert.equal(copies('.mjs').length, 0)
  })

  test('imports packages from the CommonJS copy, ES-only ones included', async () => {
    writePackage('esm-only', 'module', 'export default function greet() { return "hello" }')
    writePackage('plain-cjs', 'commonjs', 'module.exports = { answer: 42 }')
    const file = write(
      'uses-packages.ts',
      "import greet from 'esm-only'\nimport cjs from 'plain-cjs'\nexport const value = greet() + ' ' + cjs.answer",
    )
    assert.equal((await importModule(file)).value, 'hello 42')
    assert.equal(copies('.cjs').length, 1)
  })

  test('a module with top-level await gets an ES copy', async () => {
    const file = write('awaits.ts', "export const value: string = await Promise.resolve('awaited')")
    assert.equal((await importModule(file)).value, 'awaited')
    assert.deepEqual([copies('.cjs').length, copies('.mjs').length], [0, 1])
  })

  test('a module whose package awaits at the top level is imported as an ES module', async () => {
    writePackage('awaits-inside', 'module', "export const ready = await Promise.resolve('ready')")
    const file = write('needs-esm.ts', "import { ready } from 'awaits-inside'\nexport const value = ready")
    assert.equal((await importModule(file)).value, 'ready')
    assert.equal(copies('.mjs').length, 1)
  })

  test('a syntax error names the file, line and column', async () => {
    const file = write('broken.ts', 'export const value = {\n  a: 1,,\n}')
    await assert.rejects(importModule(file), (error) => {
      assert.match(describeImportError(file, error), /broken\.ts:2:\d+: /)
      return true
    })
  })
})
