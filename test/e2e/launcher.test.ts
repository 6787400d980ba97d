import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import {
  closeSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { MIG_BIN, ROOT, tempProject } from '../helpers/mig.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'

const CLI = join(ROOT, 'packages/cli')
const { version } = JSON.parse(readFileSync(join(CLI, 'package.json'), 'utf8')) as { version: string }

describe('the published package', () => {
  test('its ES module face exports every name of the bundle, the same values', () => {
    const script = `
      import { createRequire } from 'node:module'
      import * as face from 'migraph'
      const bundle = createRequire(import.meta.url)('migraph')
      const names = Object.keys(face).sort()
      const expected = Object.keys(bundle).filter((n) => n !== 'default').sort()
      const same = names.every((n) => face[n] === bundle[n])
      console.log(JSON.stringify({ names, expected, same }))
    `
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    assert.equal(run.status, 0, run.stderr)
    const { names, expected, same } = JSON.parse(run.stdout) as {
      names: string[]
      expected: string[]
      same: boolean
    }
    assert.deepEqual(names, expected)
    assert.ok(names.includes('defineConfig') && names.includes('upgrade'))
    assert.equal(same, true)
  })
})

describe('mig code cache', () => {
  // An installed copy of the package, with a node_modules of its own for the cache.
  let root: string
  let bin: string
  let cacheDir: string

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'mig-launcher-'))
    const pkg = join(root, 'node_modules', 'migraph')
    mkdirSync(pkg, { recursive: true })
    for (const part of ['bin', 'bundle', 'templates', 'package.json'])
      cpSync(join(CLI, part), join(pkg, part), { recursive: true })
    bin = join(pkg, 'bin', 'mig.cjs')
    cacheDir = join(root, 'node_modules', '.cache', 'migraph')
  })

  after(() => rmSync(root, { recursive: true, force: true }))

  const run = (...args: string[]) => {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' })
    assert.equal(result.status, 0, result.stderr)
    assert.equal(result.stderr, '')
    return result.stdout.trim()
  }
  const caches = () => readdirSync(cacheDir).sort()
  const cacheOf = (command: string) => {
    const found = caches().filter(
      (f) => f.startsWith(`code-${process.version}-`) && f.endsWith(`-${command}.bin`),
    )
    assert.equal(found.length, 1, `one cache of ${command} in ${caches().join(', ')}`)
    return join(cacheDir, found[0] as string)
  }

  test('is written by the first run of each command, reused after, and rebuilt when unusable', () => {
    assert.equal(run('--version'), version)
    const data = cacheOf('-')
    const first = statSync(data)
    assert.ok(first.size > 10_000, `a code cache of ${first.size} bytes`)

    // The same command again starts from the cache and leaves it alone.
    assert.equal(run('--version'), version)
    assert.equal(statSync(data).mtimeMs, first.mtimeMs)

    // Another command keeps a cache of its own; the first one stays as it was.
    run('list-templates')
    assert.ok(statSync(cacheOf('list-templates')).size > 10_000)
    assert.equal(statSync(data).mtimeMs, first.mtimeMs)

    // A failed command writes nothing: a mistyped command name leaves no file behind.
    const typo = spawnSync(process.execPath, [bin, 'hedas'], { cwd: root, encoding: 'utf8' })
    assert.notEqual(typo.status, 0)
    assert.equal(caches().filter((f) => f.includes('hedas')).length, 0)

    // A cache V8 cannot use (damaged, or from another build) is ignored, then written again;
    // the caches of older builds for this Node go, those of other Nodes stay.
    writeFileSync(data, Buffer.alloc(first.size, 7))
    const olderBuild = join(cacheDir, `code-${process.version}-${process.arch}-1-2-3--.bin`)
    const otherNode = join(cacheDir, 'code-v0.0.0-x64-1-2-3--.bin')
    writeFileSync(olderBuild, 'old')
    writeFileSync(otherNode, 'other')
    assert.equal(run('--version'), version)
    assert.notDeepEqual(readFileSync(data), Buffer.alloc(first.size, 7))
    assert.equal(existsSync(olderBuild), false)
    assert.equal(existsSync(otherNode), true)
    assert.ok(existsSync(cacheOf('list-templates')))
  })
})

describe('mig output', () => {
  /** A project of `count` revisions in a line. */
  const linearProject = (prefix: string, count: number) => {
    const project = tempProject(prefix)
    writeConfig(project.dir)
    let down: string | null = null
    for (let i = 1; i <= count; i++) {
      const id = `rev${String(i).padStart(4, '0')}`
      writeRevision(project.dir, 'migrations', { id, down, message: `step ${i}` })
      down = id
    }
    return project
  }

  test("a reader that closes early ends the output quietly, with the command's own status", async () => {
    const project = linearProject('mig-epipe-', 50)
    try {
      const child = spawn(process.execPath, [MIG_BIN, 'history'], { cwd: project.dir })
      // Closed before mig has started: its first write to stdout fails with EPIPE.
      child.stdout.destroy()
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      assert.equal(stderr, '')
      assert.equal(code, 0)
    } finally {
      project.cleanup()
    }
  })

  const python = spawnSync('python3', ['-c', 'import fcntl'], { stdio: 'ignore' }).status === 0
  test('a full pipe that another process made non-blocking delays the output and loses none of it', {
    skip: python ? false : 'needs python3 to make a pipe non-blocking',
  }, async () => {
    // Verbose blocks of 800 revisions: more than twice what a pipe holds.
    const project = linearProject('mig-nonblocking-', 800)
    try {
      const expected = spawnSync(process.execPath, [MIG_BIN, 'history', '-v'], {
        cwd: project.dir,
        encoding: 'utf8',
      })
      assert.equal(expected.status, 0, expected.stderr)
      assert.ok(expected.stdout.length > 2 * 65536, `${expected.stdout.length} bytes`)

      const fifo = join(project.dir, 'out.fifo')
      execFileSync('mkfifo', [fifo])
      const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
      const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
      // Node makes a child's stdio blocking when it spawns it; Python sets it back, then runs mig.
      const nonBlocking =
        'import fcntl, os, sys; fcntl.fcntl(1, fcntl.F_SETFL, fcntl.fcntl(1, fcntl.F_GETFL) | os.O_NONBLOCK); os.execv(sys.argv[1], sys.argv[1:])'
      const child = spawn('python3', ['-c', nonBlocking, process.execPath, MIG_BIN, 'history', '-v'], {
        cwd: project.dir,
        stdio: ['ignore', writer, 'pipe'],
      })
      closeSync(writer)
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
      // Nothing is read until mig has long filled the pipe.
      await sleep(500)
      const chunks: Buffer[] = []
      const buffer = Buffer.alloc(65536)
      for (;;) {
        let read: number
        try {
          read = readSync(reader, buffer)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
          await sleep(5)
          continue
        }
        if (read === 0) break
        chunks.push(Buffer.from(buffer.subarray(0, read)))
      }
      closeSync(reader)
      assert.equal(await exited, 0, stderr)
      assert.equal(stderr, '')
      assert.equal(Buffer.concat(chunks).toString('utf8'), expected.stdout)
    } finally {
      project.cleanup()
    }
  })
})
