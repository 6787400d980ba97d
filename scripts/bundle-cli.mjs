// Bundles the `mig` bin and the `migraph` entry into packages/cli/bundle with esbuild, from the
// JavaScript tsc emitted. Startup is most of what a graph-only command costs, and one minified
// file graph loads several times faster than hundreds of separate modules.
//
// - `main` (the bin) and `index` (what `import 'migraph'` in a config file loads) share chunks, so
//   a config loaded by the bin reuses the modules the bin already evaluated: one copy of core.
// - Drivers, the TypeScript loaders and other heavy packages stay external, loaded by name at
//   run time and only when a command needs them. Kysely is bundled, into lazy chunks (below).
// - Shared chunks sit one folder down (bundle/chunks/), where core's `../../templates/` lands on
//   packages/cli/templates; the entry files sit where `../package.json` is the package's own.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
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
 * on every command that connects, against ~15 ms as one chunk. It stays lazy all the same (only
 * the runtime chunks import it, and graph-only commands never load them). kysely-pglite-dialect
 * is bundled with it so that the embedded dialect shares those Kysely classes.
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

const patchDependencies = {
  name: 'patch-dependencies',
  setup(b) {
    for (const patch of PATCHES) {
      b.onLoad({ filter: patch.file }, (args) => {
        let source = readFileSync(args.path, 'utf8')
        let applied = 0
        for (const [from, to] of patch.edits) {
          if (!source.includes(from)) continue
          source = source.replace(from, () => to)
          applied++
        }
        // Older copies (nested under other packages) may need fewer of the edits; none at all
        // means the package changed shape.
        if (applied === 0) console.warn(`bundle-cli: ${relative(ROOT, args.path)} changed; not patched`)
        return { contents: source, loader: 'js' }
      })
    }
  },
}

// Built beside the live bundle and swapped in, so a `mig` started meanwhile never finds it half
// written or missing.
const STAGING = `${OUT}.${process.pid}.tmp`
rmSync(STAGING, { recursive: true, force: true })
const result = await build({
  entryPoints: { main: join(CLI, 'dist/main.js'), index: join(CLI, 'dist/index.js') },
  outdir: STAGING,
  chunkNames: 'chunks/[name]-[hash]',
  absWorkingDir: ROOT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // `--no-minify` keeps names readable in a CPU profile.
  minify: !process.argv.includes('--no-minify'),
  keepNames: true,
  legalComments: 'eof',
  external: EXTERNAL,
  plugins: [patchDependencies],
  metafile: true,
  logLevel: 'warning',
})

// The two relative URLs in the code must resolve from where esbuild put them (see above).
for (const file of Object.keys(result.metafile.outputs)) {
  if (!file.endsWith('.js')) continue
  const text = readFileSync(join(ROOT, file), 'utf8')
  const where = relative(STAGING, join(ROOT, file))
  if (text.includes('../../templates/') && !where.startsWith('chunks')) {
    throw new Error(`bundle-cli: the templates URL ended up in ${where}, outside bundle/chunks/`)
  }
  if (text.includes('../package.json') && where.startsWith('chunks')) {
    throw new Error(`bundle-cli: the package.json URL ended up in ${where}, not in an entry file`)
  }
}
const files = readdirSync(STAGING, { recursive: true }).filter((f) => String(f).endsWith('.js'))
const retired = `${OUT}.${process.pid}.old`
if (existsSync(OUT)) renameSync(OUT, retired)
renameSync(STAGING, OUT)
rmSync(retired, { recursive: true, force: true })
console.log(`bundle-cli: ${files.length} files in ${relative(ROOT, OUT)}`)
