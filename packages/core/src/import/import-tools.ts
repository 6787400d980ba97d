import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import { CommandError } from '../errors.js'

/** One migration of another tool's folder, in that tool's order. */
export interface ForeignMigration {
  /** What the tool's tracking table records for it once applied. */
  readonly key: string
  /** The file, relative to the folder imported. */
  readonly file: string
  /** Words for the revision's message and file name. */
  readonly name: string
  /** The file's text, as written. */
  readonly source: string
  /** How this one is written, where the tool's folders mix kinds (node-pg-migrate's `.sql` and `.js`). */
  readonly format?: ImportFormat | undefined
}

/**
 * `sql`: a `.sql` revision; `kysely`: a module holding the original code, calling its `up(db)`;
 * `knex` / `pgm`: a module importing the original file, calling its `up(knex)` / `up(pgm)`.
 */
export type ImportFormat = 'sql' | 'kysely' | 'knex' | 'pgm'

/** Where a tool records what it applied: one column of one table. */
export interface TrackingTable {
  readonly table: string
  readonly column: string
}

/** How migraph reads another migration tool's folder and tracking table. */
export interface ImportTool {
  readonly name: string
  /** What each migration becomes, unless it says otherwise. */
  readonly format: ImportFormat
  readonly tracking: TrackingTable
  /** The folder's migrations in the order the tool applies them. */
  list(folder: string): ForeignMigration[]
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function filesOf(folder: string, accept: (name: string) => boolean): string[] {
  return readdirSync(folder)
    .filter((name) => !name.startsWith('.') && accept(name) && statSync(join(folder, name)).isFile())
    .sort(byName)
}

const read = (folder: string, file: string) => readFileSync(join(folder, file), 'utf8')
const stem = (file: string) => basename(file, extname(file))

/** Kysely's `FileMigrationProvider`: every module, by name; `kysely_migration.name` is the stem. */
const kysely: ImportTool = {
  name: 'kysely',
  format: 'kysely',
  tracking: { table: 'kysely_migration', column: 'name' },
  list: (folder) =>
    filesOf(folder, (n) => /\.(ts|js|mjs|mts)$/.test(n) && !n.endsWith('.d.ts')).map((file) => ({
      key: stem(file),
      file,
      name: stem(file),
      source: read(folder, file),
    })),
}

/** pycopg's `Migrator`: `NNN_name.sql`, by version number; `schema_migrations.version`. */
const pycopg: ImportTool = {
  name: 'pycopg',
  format: 'sql',
  tracking: { table: 'schema_migrations', column: 'version' },
  list: (folder) =>
    filesOf(folder, (n) => /^\d+_.*\.sql$/.test(n))
      .map((file) => {
        const [, version = '', name = ''] = /^(\d+)_(.*)\.sql$/.exec(file) ?? []
        return { key: String(Number(version)), file, name, source: read(folder, file) }
      })
      .sort((a, b) => Number(a.key) - Number(b.key)),
}

/** Migretti: `<ULID>_name.sql`, by name; its `-- id:` line (else the stem) is what it records. */
const migretti: ImportTool = {
  name: 'migretti',
  format: 'sql',
  tracking: { table: '_migrations', column: 'id' },
  list: (folder) =>
    filesOf(folder, (n) => n.endsWith('.sql')).map((file) => {
      const source = read(folder, file)
      const id = /^--\s*id:\s*(\S+)\s*$/im.exec(source)?.[1] ?? stem(file).split('_')[0] ?? stem(file)
      const title = /^--\s*migration:\s*(.+?)\s*$/im.exec(source)?.[1]
      return { key: id, file, name: title ?? stem(file).replace(/^[^_]*_/, ''), source }
    }),
}

/**
 * node-pg-migrate: `.sql` migrations (`-- Up Migration` / `-- Down Migration`) as they are, and
 * JavaScript/TypeScript ones (`exports.up = (pgm) => ...`) as modules running its builder; by
 * name; `pgmigrations.name` is the file name without its extension.
 */
const nodePgMigrate: ImportTool = {
  name: 'node-pg-migrate',
  format: 'sql',
  tracking: { table: 'pgmigrations', column: 'name' },
  list: (folder) =>
    filesOf(folder, (n) => /\.(sql|js|ts|cjs|mjs|cts|mts)$/.test(n) && !n.endsWith('.d.ts')).map((file) => ({
      key: stem(file),
      file,
      name: stem(file).replace(/^\d+[_-]?/, ''),
      source: read(folder, file),
      format: file.endsWith('.sql') ? 'sql' : 'pgm',
    })),
}

/**
 * Knex's migrator: `YYYYMMDDHHMMSS_name.{js,ts,cjs,mjs}` by file name; `knex_migrations.name` is
 * the file name with its extension. A file that exports no `up` is not a Knex migration.
 */
const knex: ImportTool = {
  name: 'knex',
  format: 'knex',
  tracking: { table: 'knex_migrations', column: 'name' },
  list: (folder) =>
    filesOf(folder, (n) => /\.(js|ts|cjs|mjs|cts|mts)$/.test(n) && !n.endsWith('.d.ts')).map((file) => {
      const source = read(folder, file)
      if (!EXPORTS_UP.test(source)) {
        throw new CommandError(
          `${join(folder, file)}: exports no up(knex) (as 'export async function up' or 'exports.up'), so it is not a Knex migration; move it out of the folder`,
        )
      }
      return { key: file, file, name: stem(file).replace(/^\d+_/, ''), source }
    }),
}

/** `up` exported as ESM or CommonJS, the ways Knex's own templates and users write it. */
const EXPORTS_UP =
  /\bexport\s+(?:async\s+)?function\s+up\b|\bexport\s+(?:const|let|var)\s+up\b|\bexport\s*\{[^}]*\bup\b|\b(?:module\.)?exports\.up\s*=|\bmodule\.exports\s*=\s*\{[^}]*\bup\b/

/** Septentrion: version folders (`1.0`, `2.0` ...) of `.sql` files; `septentrion_migrations.name` per version. */
const septentrion: ImportTool = {
  name: 'septentrion',
  format: 'sql',
  tracking: { table: 'septentrion_migrations', column: 'name' },
  list: (folder) => {
    const versions = readdirSync(folder)
      .filter((name) => !name.startsWith('.') && statSync(join(folder, name)).isDirectory())
      .sort(compareVersions)
    return versions.flatMap((version) =>
      filesOf(join(folder, version), (n) => n.endsWith('.sql')).map((file) => ({
        key: file,
        file: join(version, file),
        name: `${version} ${file.replace(/\.(ddl|dml)?\.?sql$/, '').replace(/^\d+-/, '')}`,
        source: read(join(folder, version), file),
      })),
    )
  },
}

/** Version folder names as Septentrion orders them: dotted numbers compared part by part. */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0
    const y = pb[i] ?? 0
    if (Number.isNaN(x) || Number.isNaN(y)) return byName(a, b)
    if (x !== y) return x - y
  }
  return 0
}

/** The tools `mig import` reads, by the name given on the command line. */
export const IMPORT_TOOLS: ReadonlyMap<string, ImportTool> = new Map(
  [kysely, pycopg, migretti, nodePgMigrate, septentrion, knex].map((tool) => [tool.name, tool]),
)
