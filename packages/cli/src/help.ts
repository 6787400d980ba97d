import type { Argv } from 'yargs'
import { GLOBAL_OPTIONS_LINE } from './global-options.js'

/** What `mig --help` shows under "Examples:". */
export const EXAMPLES: [string, string][] = [
  ['mig init', 'write migrate.config.ts and migrations/ here'],
  ['mig revision -m "create account table"', 'a new revision after the current head'],
  ['mig upgrade head', 'apply every pending revision'],
  ['mig downgrade -1', 'revert the last revision'],
  ['mig history -r-3:current', 'the last revisions, newest first'],
  ['mig upgrade head --sql > upgrade.sql', 'the SQL instead of running it'],
  ['mig --url postgres://app@db/app check', 'CI: fail when revisions are pending'],
]

/** The last lines of `mig --help`. */
export const EPILOG =
  'The database URL comes from --url, else MIG_DATABASE_URL, else the config, else the embedded ' +
  "database in .migraph/pglite. 'mig <command> --help' shows a command's own options."

/** What each command's help shows under "Examples:". */
const COMMAND_EXAMPLES: Readonly<Record<string, [string, string][]>> = {
  init: [
    ['mig init', 'here: migrate.config.ts, migrations/, and .gitignore entries'],
    ['mig init db -t generic', 'in a new folder db/'],
  ],
  'list-templates': [['mig list-templates', 'the templates init -t accepts']],
  seed: [
    ['mig seed', 'run every seed file, in name order'],
    ['mig seed create "admin account"', 'a new TypeScript seed (--sql for SQL)'],
  ],
  config: [
    ['mig config', 'every setting, with where it came from'],
    ['mig --env production config', "as the 'production' profile resolves it"],
  ],
  revision: [
    ['mig revision -m "add account"', 'after the current head'],
    ['mig revision -m "billing" --head base --branch-label billing', 'a new branch, labelled'],
    ['mig revision -m "index" --depends-on ae10', 'one that needs ae10 applied first'],
    ['mig revision --autogenerate -m "add invoice"', 'ops from the database vs config schema'],
  ],
  diff: [
    ['mig diff', 'each difference between the database and config schema'],
    ['mig diff --sql', 'the SQL that would make the database match'],
    ['mig diff --from base --to head', 'what the revisions build, from nothing'],
    ['mig diff --from head --to -1 --json', 'what the last revision does, undone'],
    ['mig revision -m "add account" --format sql', 'a .sql revision'],
  ],
  merge: [['mig merge heads -m "merge"', 'one revision joining every head']],
  squash: [['mig squash ae10:c4f2 -m "squash the start"', 'one revision in place of ae10 up to c4f2']],
  upgrade: [
    ['mig upgrade head', 'every pending revision'],
    ['mig upgrade +1', 'the next one only'],
    ['mig upgrade billing@head', 'one branch'],
    ['mig upgrade head --sql', 'print the SQL; never connects'],
  ],
  downgrade: [
    ['mig downgrade -1', 'revert the last revision'],
    ['mig downgrade base', 'revert them all'],
    ['mig downgrade ae10:base --sql', 'print the SQL; never connects'],
  ],
  stamp: [
    ['mig stamp head', 'record the head as applied, running nothing'],
    ['mig stamp --purge ae10', 'empty the version table first'],
  ],
  current: [['mig current -v', 'with each revision in full']],
  import: [
    ['mig import kysely src/migrations', 'Kysely Migrator files as revisions'],
    ['mig import pycopg migrations --stamp', 'and stamp what schema_migrations records'],
    ['mig import knex db/migrations --stamp', 'Knex files, stamping what knex_migrations records'],
    ['mig import alembic alembic --stamp', "Alembic's graph with its ids; stamps alembic_version's heads"],
  ],
  status: [
    ['mig status', 'every revision, [X] applied or [ ] pending, with counts'],
    ['mig status --json', 'the same as data'],
  ],
  history: [
    ['mig history -r-3:current', 'the three revisions before the current one, and it'],
    ['mig history -i', 'marking the current revision'],
  ],
  graph: [
    ['mig graph', 'a Mermaid flowchart, for a ```mermaid block in Markdown'],
    ['mig graph --format html -i > graph.html', 'a page marking the current and pending revisions'],
    ['mig graph -r billing@base:billing@head --format dot | dot -Tsvg', 'one branch, through Graphviz'],
  ],
  lint: [
    ['mig lint', 'every revision'],
    ['mig lint ae10:head --json', 'from ae10 on, as JSON'],
  ],
  heads: [['mig heads -v', 'with each head in full']],
  branches: [['mig branches -v', 'with each branch point in full']],
  show: [['mig show head', 'the head revision in full']],
  edit: [['mig edit head', 'open the head revision in $EDITOR']],
  'ensure-version': [['mig ensure-version --sql', 'print the CREATE TABLE']],
  check: [
    ['mig check', 'exit 0 only when the database is at the heads, and vouched for'],
    ['mig check --json', 'what is pending, changed or unknown, as JSON'],
    ['mig check --schema', 'also exit 9 when the schema drifted from config schema'],
  ],
  resolve: [['mig resolve ae10 --applied', 'the failed revision is now wholly in the database']],
  schema: [
    ['mig schema dump schema.sql', 'the schema the revisions produce, as SQL headed by the heads'],
    ['mig schema types src/db.ts', 'the same schema as a Kysely Database interface'],
    ['mig schema dump --from-database', "the project's database (at the heads) instead"],
  ],
  setup: [
    ['mig setup schema.sql', 'an empty database at the heads, without replaying the revisions'],
    ['mig --url postgres://app@db/new setup', "the config's schemaDump into a new database"],
  ],
  test: [
    ['mig test', 'every revision: upgrade, downgrade, upgrade again, schema compared each time'],
    ['mig test ae10:head --json', 'from ae10 on, as JSON'],
    ['mig --url postgres://app@localhost/postgres test', 'on a database created for the run, then dropped'],
  ],
}

/**
 * A command's help: its examples, then one line naming the global options in place of their
 * list (`mig --help` has it).
 */
export function commandHelp<T>(y: Argv<T>, command: string): Argv<T> {
  return y
    .example(COMMAND_EXAMPLES[command] ?? [])
    .epilog(GLOBAL_OPTIONS_LINE)
    .hide('version')
}
