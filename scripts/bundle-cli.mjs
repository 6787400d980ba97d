// Bundles the `migraph` package (library and `mig` CLI) into one CommonJS file,
// packages/cli/bundle/migraph.cjs, with esbuild, from the JavaScript tsc emitted. Startup is most
// of what a graph-only command costs:
//
// - One file loads several times faster than hundreds of modules, and CommonJS lets `bin/mig.cjs`
//   compile it with a V8 code cache, which Node 20's ES module loader cannot (see the bin).
// - The library and the CLI are one file, so a config that `mig` loads (`import 'migraph'`)
//   gets the very modules the CLI runs, not a second copy.
// - Drivers, the TypeScript loaders and other heavy packages stay external, loaded by name at
//   run time and only when a command needs them. Kysely is bundled (below), and like every
//   module only `import()`ed, it is evaluated on first use: graph-only commands never run it.
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CLI = join(ROOT, 'packages/cli')
const OUT = join(CLI, 'bundle')

/**
 * Loaded by name at run time: drivers and embedded databases (native or WebAssembly code, and
 * optional peers), the TypeScript loaders, and packages only some commands need.
 *
 * Kysely is bundled on purpose: as published it is ~280 ES modules, and loading them costs 150+ ms
 * on every command that connects. It stays lazy all the same: only modules that commands
 * `import()` use it, and esbuild evaluates those on first use. kysely-pglite-dialect is bundled
 * with it so that the embedded dialect shares those Kysely classes.
 */
const EXTERNAL = [
  'pg',
  'pg-*',
  'mysql2',
  'mysql2/*',
  'better-sqlite3',
  '@electric-sql/pglite',
  '@electric-sql/pglite/*',
  'tsx',
  'tsx/*',
  'esbuild',
  'cosmiconfig',
  'ejs',
  // PostgreSQL's own parser in WebAssembly, for `mig lint`: its .wasm file is loaded beside it.
  'libpg-query',
]

/**
 * Source edits to bundled dependencies that drop work `mig` never uses. Each is a literal
 * replacement; a file none of them match is bundled unchanged, with a warning.
 */
const PATCHES = [
  {
    // yargs renders the full help text of every command it runs, in case the handler later
    // calls `showHelp()`. `mig` never does, and the rendering (string widths, wrapping) costs
    // more than reading a thousand revision headers. `--help` itself does not go through here.
    file: /[\\/]yargs[\\/]build[\\/]lib[\\/]command\.js$/,
    edits: [['yargs.getInternalMethods().getUsageInstance().cacheHelpMessage();', '']],
  },
  {
    // yargs guesses a version at construction by walking up from the working directory to a
    // package.json and parsing it: the user's project, not migraph. `mig` sets its own version
    // right after, so the guess is work (and a directory walk) thrown away.
    file: /[\\/]yargs[\\/]build[\\/]lib[\\/]yargs-factory\.js$/,
    edits: [['        yargs.version();\n', '']],
  },
  {
    // node:assert costs a module tree to load (~2.5 ms) for two comparisons yargs makes.
    file: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/,
    edits: [
      [
        "import { notStrictEqual, strictEqual } from 'assert'",
        `const assertionFailed = (message) => Object.assign(new Error(message ?? 'Assertion failed'), { code: 'ERR_ASSERTION' })
const notStrictEqual = (actual, expected, message) => { if (Object.is(actual, expected)) throw assertionFailed(message) }
const strictEqual = (actual, expected, message) => { if (!Object.is(actual, expected)) throw assertionFailed(message) }`,
      ],
      [
        // Read when yargs loads, this makes Node build process.stdout and load its stream
        // library (a few milliseconds); only help output needs the width.
        "stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null",
        "get stdColumns() { return typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null }",
      ],
    ],
  },
  {
    // string-width builds an `Intl.Segmenter` and an RGI_Emoji regular expression when it loads
    // (10+ ms each); only help output measures text, so both are built on first use.
    file: /[\\/]string-width[\\/]index\.js$/,
    edits: [
      [
        'const segmenter = new Intl.Segmenter();',
        'let segmenterInstance;\nconst segmenter = { segment: (text) => (segmenterInstance ??= new Intl.Segmenter()).segment(text) };',
      ],
      [
        String.raw`const rgiEmojiRegex = /^\p{RGI_Emoji}$/v;`,
        String.raw`let rgiEmojiInstance;
const rgiEmojiRegex = { test: (text) => (rgiEmojiInstance ??= new RegExp('^\\p{RGI_Emoji}$', 'v')).test(text) };`,
      ],
    ],
  },
]

/** A dependency's source with the {@link PATCHES} meant for it applied. */
function patched(file, source) {
  let out = source
  for (const patch of PATCHES) {
    if (!patch.file.test(file)) continue
    let applied = 0
    for (const [from, to] of patch.edits) {
      if (!out.includes(from)) continue
      out = out.replace(from, () => to)
      applied++
    }
    // Older copies (nested under other packages) may need fewer of the edits; none at all
    // means the package changed shape.
    if (applied === 0) console.warn(`bundle-cli: ${relative(ROOT, file)} changed; not patched`)
  }
  return out
}

/**
 * `import.meta.url` in one of migraph's modules becomes the URL that module has in the package
 * layout (`<package>/dist/...`), so `new URL('../package.json', import.meta.url)` and the like
 * resolve in the published package whichever workspace package the module came from. In a
 * dependency it becomes the bundle's own URL, as it was when the bundle was ES modules.
 */
const sourceEdits = {
  name: 'source-edits',
  setup(b) {
    b.onLoad({ filter: /\.m?js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
      const ours = /[\\/]packages[\\/][^\\/]+[\\/]dist[\\/]/.test(args.path)
      // A dependency's own source map may name sources it does not ship (get-caller-file's
      // index.ts): the bundle's map points at its JavaScript as installed instead.
      const edited = ours ? patched(args.path, source) : withoutSourceMap(patched(args.path, source))
      if (!edited.includes('import.meta'))
        return edited === source ? undefined : { contents: edited, loader: 'js' }
      const url = ours
        ? relative(packageRoot(args.path), args.path).split('\\').join('/')
        : 'bundle/migraph.cjs'
      return {
        contents: edited.replaceAll('import.meta.url', `__migraphFileUrl(${JSON.stringify(url)})`),
        loader: 'js',
      }
    })
  },
}

function withoutSourceMap(source) {
  return source.replace(/^\/\/# sourceMappingURL=.*$/m, '')
}

function packageRoot(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
  }
  throw new Error(`bundle-cli: no package.json above ${file}`)
}

/**
 * The bundle's source map as published: source paths as they are in the package's own terms
 * (`../src/core/runtime/runner.ts`, `../node_modules/kysely/...`) rather than this repository's
 * layout, so a resolved stack frame says which package and file a line came from.
 */
function publishedSourceMap(text) {
  const map = JSON.parse(text)
  map.file = basename(OUT_FILE)
  map.sources = map.sources.map((source) => {
    const absolute = join(OUT, source)
    const ours = /[\\/]packages[\\/]([^\\/]+)[\\/]src[\\/](.*)$/.exec(absolute)
    if (ours !== null) return `../src/${ours[1]}/${ours[2].split('\\').join('/')}`
    const dependency = /[\\/]node_modules[\\/](.*)$/.exec(absolute)
    if (dependency !== null) return `../node_modules/${dependency[1].split('\\').join('/')}`
    return relative(OUT, absolute).split('\\').join('/')
  })
  const missing = map.sources.filter((_, i) => typeof map.sourcesContent?.[i] !== 'string')
  if (missing.length > 0) throw new Error(`bundle-cli: the source map lacks ${missing.join(', ')}`)
  return JSON.stringify(map)
}

// Written beside the live bundle and renamed over it, so a `mig` started meanwhile never finds
// it half written.
const OUT_FILE = join(OUT, 'migraph.cjs')
const STAGING = `${OUT_FILE}.${process.pid}.tmp`
const result = await build({
  entryPoints: [join(CLI, 'dist/bundle.js')],
  outfile: STAGING,
  absWorkingDir: ROOT,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: !process.argv.includes('--no-minify'),
  // Classes and functions keep their names (`error.constructor.name`, stack frames, profiles)
  // although the minifier renames their bindings: esbuild wraps each renamed one in a call that
  // sets its `name`.
  keepNames: true,
  // bundle/migraph.cjs.map, with the sources inside it: esbuild follows tsc's maps back to the
  // TypeScript, so a stack trace resolved through it names migraph's .ts files and lines. Node
  // reads it only with source maps enabled (`mig` enables them under MIG_DEBUG).
  sourcemap: 'external',
  sourcesContent: true,
  legalComments: 'eof',
  // bin/mig.cjs reads the bundle as latin1, which is right for ASCII only.
  charset: 'ascii',
  external: EXTERNAL,
  plugins: [sourceEdits],
  banner: {
    // The package root, taken before any module runs: a bundled dependency may declare a
    // top-level `__dirname` of its own, which in one file is the same variable.
    js: [
      'var __migraphRoot = require("node:path").join(__dirname, "..");',
      'var __migraphFileUrl = (file) => require("node:url").pathToFileURL(require("node:path").join(__migraphRoot, file)).href;',
    ].join('\n'),
  },
  metafile: true,
  logLevel: 'warning',
})

let text = readFileSync(STAGING, 'utf8')
if (/\bimport\.meta\b/.test(text)) {
  rmSync(STAGING, { force: true })
  throw new Error('bundle-cli: import.meta left in the bundle')
}
// `charset: 'ascii'` escapes code, not the comments an unminified build keeps (Kysely's docs
// hold a few non-breaking spaces); escaped there too, the file is ASCII for the bin to read.
if (/[^\p{ASCII}]/u.test(text)) {
  text = text.replace(/[^\p{ASCII}]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`)
  writeFileSync(STAGING, text)
}
// A previous layout's files (ES module entry points and chunks) must not linger beside it.
for (const stale of ['main.js', 'index.js', 'chunks'])
  rmSync(join(OUT, stale), { recursive: true, force: true })
const MAP_FILE = `${OUT_FILE}.map`
writeFileSync(MAP_FILE, publishedSourceMap(readFileSync(`${STAGING}.map`, 'utf8')))
rmSync(`${STAGING}.map`, { force: true })
appendFileSync(STAGING, `//# sourceMappingURL=${basename(MAP_FILE)}\n`)
renameSync(STAGING, OUT_FILE)

// The ES module face of the package. Importing the CommonJS bundle directly would make Node scan
// all of its source for export names (cjs-module-lexer, ~50 ms for this file) on every import,
// so the names are listed here once and the bundle is reached through `require`, which also
// shares the copy `mig` already loaded.
const names = Object.keys(createRequire(import.meta.url)(OUT_FILE)).filter((name) => name !== 'default')
writeFileSync(
  join(OUT, 'index.mjs'),
  `import { createRequire } from 'node:module'
const migraph = createRequire(import.meta.url)('./migraph.cjs')
export const { ${names.join(', ')} } = migraph
`,
)
const bytes = result.metafile.outputs[relative(ROOT, STAGING)]?.bytes ?? text.length
console.log(`bundle-cli: ${relative(ROOT, OUT_FILE)} (${Math.round(bytes / 1024)} KiB)`)
