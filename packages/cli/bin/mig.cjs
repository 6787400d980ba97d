#!/usr/bin/env node
// The `mig` command. It loads the bundle (../bundle/migraph.cjs) itself rather than with
// `require`, to give it a V8 code cache: compiling the bundle is most of what `mig` costs on a
// small project, and Node 20 keeps no compile cache of its own (22.1 added
// `module.enableCompileCache`). The cache lives in node_modules/.cache/migraph/, keyed by the Node
// version and the bundle's stat, so a rebuilt or upgraded bundle never meets an older cache;
// V8 rejects one that does not fit anyway, and it is then written again. Each command keeps its
// own cache, holding the functions it compiled: `mig heads` does not deserialize the query
// builder and the drivers that `mig upgrade` compiled.
'use strict'
const {
  existsSync,
  writeSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} = require('node:fs')
const Module = require('node:module')
const { basename, dirname, join } = require('node:path')
const { setFlagsFromString } = require('node:v8')
const { Script } = require('node:vm')

// V8 hands a function to its optimizing compiler once the function has run through a budget of
// bytecode. A `mig` command lives for a second or so, and most of its code runs a few thousand
// times at most, so compiling it costs more than it saves: applying 1,000 revisions, the compile
// jobs were over a third of the instructions the process ran. With nine times Node 20's budget,
// only what truly runs hot is compiled (measured: 5% fewer instructions for `mig history` on
// 5,000 revisions, 13% less time for `mig upgrade` on 1,000). Set before the bundle is compiled,
// in every run, so that the code caches, which V8 keys by its flags, always fit. Left alone on a
// V8 newer than Node 24's, which might have dropped the flag: V8 would print an error for it.
//
// The same holds for the embedded database's WebAssembly (PGlite): V8 runs it through its baseline
// compiler, then hands each function that has run through a budget of code to its optimizing
// compiler. Opening a database runs thousands of functions a little, and with Node 20's budget
// the optimizing jobs were a third of the time `mig current` took; even a revision writing
// 300,000 rows ran faster without most of them. With a budget 500 times larger, only loops that
// truly run hot are optimized.
if (Number(process.versions.v8.split('.')[0]) <= 13) {
  setFlagsFromString(`--interrupt-budget=${576 * 1024}`)
  setFlagsFromString(`--wasm-tiering-budget=${1000 * 1000 * 1000}`)
}

const bundle = join(__dirname, '..', 'bundle', 'migraph.cjs')
const args = process.argv.slice(2)

// A shell can sit in a folder deleted (or moved) under it; Node then cannot tell where it is, and
// code in the bundle asks as it loads. One line, as for every other error (the same words as
// `workingDirectory()` in @migraph/core).
try {
  process.cwd()
} catch (error) {
  if (error.code !== 'ENOENT') throw error
  const message =
    'the working directory no longer exists (it was deleted or moved); cd to an existing folder and run the command again'
  if (args.includes('--json'))
    writeSync(1, `${JSON.stringify({ error: { code: 'cwd-missing', message } })}\n`)
  writeSync(2, `error: ${message}\n`)
  process.exit(1)
}

// The bundle's own `import()`s (drivers, loaders, the user's config and revisions) cannot run in
// code compiled by `vm.Script` on Node 20 without an experimental flag; they run from here.
const importModule = (specifier) => import(specifier)

/** `<nearest node_modules>/.cache/migraph`, seen from the package; undefined when none. */
function cacheDir() {
  for (let dir = join(__dirname, '..'); dir !== dirname(dir); dir = dirname(dir)) {
    if (basename(dirname(dir)) === 'node_modules') return join(dirname(dir), '.cache', 'migraph')
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'migraph')
  }
  return undefined
}

/**
 * The command a run's code cache is kept for: the first word that is not an option, when it looks
 * like a command name (an option's value, such as a config path, falls back to `-`).
 */
const command = ((word) => (word !== undefined && /^[a-z][a-z-]*$/.test(word) ? word : '-'))(
  args.find((arg) => !arg.startsWith('-')),
)

/**
 * With MIG_DEBUG=1 (which prints an error's stack), the bundle is loaded by `require` with source
 * maps enabled, so stack frames name migraph's TypeScript files and lines through
 * bundle/migraph.cjs.map. Node 20 applies no source map to code compiled by `vm.Script`, and
 * reading the map costs every command that loads it; a debugging run does without the code cache.
 */
function loadForDebugging() {
  process.setSourceMapsEnabled(true)
  return { exports: require(bundle), save: () => undefined }
}

function load() {
  // esbuild writes ASCII only, so latin1 reads it right, and faster than utf8 decoding.
  const source = readFileSync(bundle, 'latin1')
  const stat = statSync(bundle)
  const dir = cacheDir()
  const runtime = `code-${process.version}-${process.arch}-`
  const key = `${runtime}${stat.size}-${stat.ino}-${stat.mtimeMs}`.replace(/[^\w.-]/g, '_')
  const file = dir === undefined ? undefined : join(dir, `${key}-${command}.bin`)
  let cachedData
  if (file !== undefined) {
    try {
      cachedData = readFileSync(file)
    } catch {
      // No cache yet, or an unreadable one: compile from source.
    }
  }
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname, __migraphImport, __migraphSelf) {${source}\n})`,
    { filename: bundle, cachedData },
  )
  const mod = new Module(bundle, module)
  mod.filename = bundle
  // Registered first, as `require` does: `import 'migraph'` in a config gets this very module.
  require.cache[bundle] = mod
  try {
    script.runInThisContext().call(
      mod.exports,
      mod.exports,
      Module.createRequire(bundle),
      mod,
      bundle,
      dirname(bundle),
      importModule,
      // A config or revision in a project with no migraph installed imports this package.
      bundle,
    )
  } catch (error) {
    delete require.cache[bundle]
    throw error
  }
  mod.loaded = true
  /** Writes this command's cache after a successful run that had none it could use. */
  const save = (code) => {
    if (file === undefined || code !== 0) return
    if (cachedData !== undefined && script.cachedDataRejected !== true) return
    try {
      mkdirSync(dir, { recursive: true })
      // Write then rename, so a concurrent `mig` reads an old cache or a new one, never half.
      const temporary = `${file}.${process.pid}.tmp`
      writeFileSync(temporary, script.createCachedData())
      renameSync(temporary, file)
      // The caches of earlier builds for this Node are dead weight (other Nodes keep theirs).
      for (const name of readdirSync(dir)) {
        if (name.startsWith(runtime) && !name.startsWith(`${key}-`)) rmSync(join(dir, name), { force: true })
      }
    } catch {
      // A read-only node_modules: the next run compiles from source again.
    }
  }
  return { exports: mod.exports, save }
}

/** Lets a write to a full non-blocking pipe wait a moment before it tries again. */
const pause = new Int32Array(new SharedArrayBuffer(4))

/**
 * stdout or stderr, written with `fs.writeSync`. `process.stdout` would load Node's stream library
 * (a few milliseconds, every command) for what is at most a few writes. A reader that goes away
 * (`mig history | head`) ends the output quietly, not the command: what was asked of the
 * database still completes, as it would had the output gone to a file.
 */
function output(fd) {
  let open = true
  return {
    write(text) {
      if (!open) return true
      const data = Buffer.from(text, 'utf8')
      for (let done = 0; done < data.length; ) {
        try {
          done += writeSync(fd, data, done, data.length - done)
        } catch (error) {
          if (error.code === 'EAGAIN') {
            // A pipe another process made non-blocking, and full: its reader is behind.
            Atomics.wait(pause, 0, 0, 1)
          } else if (error.code === 'EPIPE') {
            open = false
            return true
          } else {
            throw error
          }
        }
      }
      return true
    },
    get isTTY() {
      return require('node:tty').isatty(fd)
    },
    get columns() {
      return require('node:tty').isatty(fd) ? process[fd === 1 ? 'stdout' : 'stderr'].columns : undefined
    },
  }
}

/**
 * Exits once the command is done. What the event loop could still hold is V8 finishing a garbage
 * collection and tearing the heap down: 10 to 15 ms after `mig history` on 5,000 revisions. Where
 * `process.stdout` may write asynchronously (not on Linux), what a revision printed through it is
 * flushed first.
 */
function exitWhenFlushed(code) {
  const pending =
    process.platform === 'linux'
      ? []
      : [process.stdout, process.stderr].filter((stream) => !stream.destroyed && stream.writableLength > 0)
  let left = pending.length
  if (left === 0) process.exit(code)
  for (const stream of pending) {
    let flushed = false
    const done = () => {
      if (flushed) return
      flushed = true
      if (--left === 0) process.exit(code)
    }
    stream.once('drain', done)
    stream.once('close', done)
    stream.once('error', done)
  }
}

const { exports: migraph, save } = process.env.MIG_DEBUG === '1' ? loadForDebugging() : load()
migraph.main(args, { stdout: output(1), stderr: output(2) }).then((code) => {
  save(code)
  exitWhenFlushed(code)
})
