import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { extname, join, relative } from 'node:path'
import type { Project } from '../context.js'
import { CommandError, MigraphError } from '../errors.js'
import { slugify } from '../script/revision-file-name.js'
import { confirmWrite, requireConfirmable } from './deploy-guard.js'

/** The file kinds a seed may be: a module exporting `seed(db)`, or SQL. */
const SEED_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.sql'])

/** One seed run by `mig seed`. */
export interface SeedResult {
  readonly file: string
  readonly durationMs: number
}

/** A seed file threw: its transaction was rolled back and the run stopped. */
export class SeedError extends MigraphError {
  override readonly name = 'SeedError'
  readonly file: string

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super('seed-failed', message, options)
    this.file = file
  }
}

/** The seed files of the config's `seeds` folders, in name order across them. */
export function listSeeds(project: Project): readonly string[] {
  const files: string[] = []
  for (const folder of project.config.production.seedLocations) {
    if (!existsSync(folder)) continue
    for (const name of readdirSync(folder)) {
      if (SEED_EXTENSIONS.has(extname(name)) && !name.endsWith('.d.ts')) files.push(join(folder, name))
    }
  }
  return files.sort((a, b) => {
    const [x, y] = [a.slice(a.lastIndexOf('/') + 1), b.slice(b.lastIndexOf('/') + 1)]
    return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0
  })
}

/**
 * `mig seed`: runs every seed file in name order, each in a transaction of its own. A TS or JS
 * seed exports `seed(db)` and gets a Kysely transaction; a `.sql` seed is run statement by
 * statement (each ending with `;` at the end of a line). The version table is never touched. A
 * seed that throws is rolled back and stops the run.
 */
export async function seed(project: Project): Promise<readonly SeedResult[]> {
  const files = listSeeds(project)
  if (files.length === 0) {
    throw new CommandError(
      `no seed files in ${project.config.production.seedLocations.join(', ')} (create one with 'mig seed create NAME')`,
    )
  }
  // Every module is imported before the first seed runs: a broken file changes nothing.
  const modules = new Map<string, (db: unknown) => unknown>()
  for (const file of files) {
    if (extname(file) === '.sql') continue
    let mod: Record<string, unknown>
    try {
      mod = await project.environment.importModule(file)
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
      throw new SeedError(file, `cannot load seed ${file}: ${message}`, { cause: error })
    }
    const fn = mod.seed ?? (mod.default as Record<string, unknown> | undefined)?.seed
    if (typeof fn !== 'function') {
      throw new SeedError(file, `seed ${file} does not export a function 'seed(db)'`)
    }
    modules.set(file, fn as (db: unknown) => unknown)
  }
  if (requireConfirmable(project, 'seed')) await confirmWrite(project, 'seed', [])
  const { withSession } = await import('../runtime/session.js')
  const { sql } = await import('kysely')
  const reporter = project.environment.reporter
  return withSession(project, { lock: true }, async (session) => {
    const done: SeedResult[] = []
    for (const file of files) {
      const name = relative(project.config.baseDir, file)
      const started = performance.now()
      try {
        await session.connection.db.transaction().execute(async (trx) => {
          const fn = modules.get(file)
          if (fn !== undefined) {
            await fn(trx)
            return
          }
          for (const statement of splitStatements(readFileSync(file, 'utf8'))) {
            await sql.raw(statement).execute(trx)
          }
        })
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
        const before =
          done.length === 0 ? 'none' : done.map((d) => relative(project.config.baseDir, d.file)).join(', ')
        throw new SeedError(
          file,
          `seed ${name} failed: ${message}; its transaction was rolled back and the run stopped (seeds applied before it: ${before})`,
          { cause: error },
        )
      }
      const durationMs = performance.now() - started
      reporter.info(`Running seed ${name} (${Math.round(durationMs)} ms)`)
      done.push({ file, durationMs })
    }
    return done
  })
}

/** Statements of a SQL script: split after each `;` that ends a line; comments-only parts dropped. */
function splitStatements(text: string): string[] {
  return text
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((part) => part.trim())
    .filter((part) => part.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--')))
}

/** `mig seed create NAME`: a new seed file, `<yyyymmddHHMMSS>_<slug>.ts` (or `.sql`). */
export function createSeed(
  project: Project,
  args: { readonly name: string; readonly sql?: boolean | undefined },
): { readonly path: string } {
  const slug = slugify(args.name, project.config.truncateSlugLength)
  if (slug === '')
    throw new CommandError(`seed name '${args.name}' has no letters or digits to name a file by`)
  const folder = project.config.production.seedLocations[0] as string
  const stamp = project.environment.now().toISOString().replace(/\D/g, '').slice(0, 14)
  const path = join(folder, `${stamp}_${slug}.${args.sql === true ? 'sql' : 'ts'}`)
  const body =
    args.sql === true
      ? `-- ${args.name}\n-- Each statement ends with ';' at the end of a line; the file runs in one transaction.\n`
      : `import type { Kysely } from 'migraph'\n\n/** ${args.name} */\nexport async function seed(db: Kysely<any>): Promise<void> {\n  // await db.insertInto('account').values({ name: 'admin' }).execute()\n}\n`
  mkdirSync(folder, { recursive: true })
  writeFileSync(path, body, { flag: 'wx' })
  return { path }
}
