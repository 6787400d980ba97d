import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { driverBundle, evaluateDriverBundle } from '../../packages/core/src/dialects/driver-bundle.ts'
import { ROOT } from '../helpers/mig.ts'

let root: string
let driver: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mig-driver-'))
  driver = join(root, 'node_modules', 'fake-driver')
  mkdirSync(join(driver, 'lib'), { recursive: true })
  writeFileSync(join(driver, 'package.json'), '{ "name": "fake-driver", "main": "lib/index.js" }')
  writeFileSync(
    join(driver, 'lib', 'index.js'),
    "const { greet } = require('./greet')\nlet optional\ntry { optional = require('fake-native') } catch { optional = null }\nmodule.exports = { greet, optional }\n",
  )
  writeFileSync(join(driver, 'lib', 'greet.js'), "exports.greet = () => 'hello'\n")
})

afterEach(() => rmSync(root, { recursive: true, force: true }))

const requireHere = () => createRequire(join(root, 'index.js'))
type FakeDriver = { greet(): string; optional: unknown }

describe('driver bundles', () => {
  test('a driver is bundled once into the cache folder beside its node_modules, and runs as installed', async () => {
    const bundle = await driverBundle('fake-driver', ['fake-native'], requireHere())
    assert.ok(bundle !== undefined)
    assert.equal(join(bundle, '..'), join(root, 'node_modules', '.cache', 'migraph'))
    const loaded = evaluateDriverBundle(bundle) as FakeDriver
    assert.equal(loaded.greet(), 'hello')
    // An optional package left out of the bundle is still required as usual: here, it is absent.
    assert.equal(loaded.optional, null)
    const made = statSync(bundle).mtimeMs
    assert.equal(await driverBundle('fake-driver', ['fake-native'], requireHere()), bundle)
    assert.equal(statSync(bundle).mtimeMs, made)
  })

  test('editing any file of the driver makes a new bundle before the next use', async () => {
    const bundle = await driverBundle('fake-driver', ['fake-native'], requireHere())
    assert.ok(bundle !== undefined)
    writeFileSync(join(driver, 'lib', 'greet.js'), "exports.greet = () => 'patched'\n")
    assert.equal(await driverBundle('fake-driver', ['fake-native'], requireHere()), bundle)
    assert.equal((evaluateDriverBundle(bundle) as FakeDriver).greet(), 'patched')
  })

  test('an optional package that is installed is loaded from where the driver would find it', async () => {
    const native = join(root, 'node_modules', 'fake-native')
    mkdirSync(native)
    writeFileSync(join(native, 'package.json'), '{ "name": "fake-native", "main": "index.js" }')
    writeFileSync(join(native, 'index.js'), "module.exports = 'native'\n")
    const bundle = await driverBundle('fake-driver', ['fake-native'], requireHere())
    assert.ok(bundle !== undefined)
    assert.equal((evaluateDriverBundle(bundle) as FakeDriver).optional, 'native')
  })

  test('where the cache folder cannot be made, there is no bundle: the driver is required as installed', async () => {
    writeFileSync(join(root, 'node_modules', '.cache'), 'a file where the folder would go')
    assert.equal(await driverBundle('fake-driver', ['fake-native'], requireHere()), undefined)
  })

  test('a driver that is not installed gives no bundle', async () => {
    assert.equal(await driverBundle('not-installed', [], requireHere()), undefined)
  })

  test('the code cache is written as the process exits, and used by the next one', async () => {
    const bundle = await driverBundle('fake-driver', ['fake-native'], requireHere())
    assert.ok(bundle !== undefined)
    const script = `
      import { evaluateDriverBundle } from ${JSON.stringify(join(ROOT, 'packages/core/src/dialects/driver-bundle.ts'))}
      const loaded = evaluateDriverBundle(process.env.BUNDLE)
      console.log(loaded.greet())`
    const run = () =>
      spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, BUNDLE: bundle },
      })
    const caches = () => readdirSync(join(bundle, '..')).filter((name) => name.endsWith('.bin'))
    assert.deepEqual(caches(), [])
    const first = run()
    assert.equal(first.status, 0, first.stderr)
    assert.equal(first.stdout.trim(), 'hello')
    assert.equal(caches().length, 1)
    const cache = join(bundle, '..', caches()[0] as string)
    const written = statSync(cache).mtimeMs
    const second = run()
    assert.equal(second.stdout.trim(), 'hello')
    // Accepted by V8, so not written again.
    assert.equal(statSync(cache).mtimeMs, written)
    assert.ok(existsSync(cache))
  })
})
