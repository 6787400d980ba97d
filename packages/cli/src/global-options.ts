import type { Options } from 'yargs'
import { secondsOption } from './timeout-option.js'

/**
 * The options every command takes. `mig --help` lists them once, in a group of their own; a
 * command's help hides them (`hidden`) and names them in one line instead, so that it shows what
 * is particular to the command.
 */
export function globalOptions(hidden: boolean): Record<string, Options> {
  const options: Record<string, Options> = {
    config: {
      alias: 'c',
      type: 'string',
      describe: 'config file (default: migrate.config.ts, searched upward)',
    },
    url: { type: 'string', describe: 'database URL (overrides MIG_DATABASE_URL and the config)' },
    env: {
      type: 'string',
      describe: "environment profile of the config's 'environments' (default: MIG_ENV)",
    },
    'env-file': { type: 'string', describe: 'variables file to read (default: .env beside the config)' },
    yes: { alias: 'y', type: 'boolean', describe: 'confirm a write to a production environment' },
    x: {
      type: 'string',
      array: true,
      // One value per -x, so `mig -x k=v upgrade head` leaves the command alone (Alembic's order).
      nargs: 1,
      describe: 'key=value passed to revisions (repeatable)',
    },
    db: {
      type: 'string',
      array: true,
      nargs: 1,
      describe: "with 'databases' in the config: the database to act on (repeatable; default: each)",
    },
    json: { type: 'boolean', describe: 'print one JSON document on stdout' },
    'log-format': {
      type: 'string',
      choices: ['text', 'json'],
      describe: 'stderr as text lines (default) or one JSON event per line',
    },
    quiet: { alias: 'q', type: 'boolean', describe: 'print nothing but the result and errors' },
    // No default: an explicit --color colours even off a terminal; unset, the terminal decides.
    color: { type: 'boolean', describe: 'colour stderr (default: on a terminal; NO_COLOR, FORCE_COLOR)' },
    'lock-timeout': {
      // Read as text: yargs would turn 'abc' into NaN and '' into 0.
      type: 'string',
      coerce: secondsOption('lock-timeout', 'lock'),
      describe: 'seconds to wait for the migration lock; 0 does not wait (default 60)',
    },
    'connect-timeout': {
      type: 'string',
      coerce: secondsOption('connect-timeout', 'connect'),
      describe: 'seconds to wait for a connection, more than 0 (default 10)',
    },
  }
  return Object.fromEntries(
    Object.entries(options).map(([name, option]) => [name, { ...option, global: true, hidden }]),
  )
}

/** The global options' names, for the group `mig --help` shows them in. */
export const GLOBAL_OPTION_NAMES: string[] = Object.keys(globalOptions(false))

/** What a command's help says instead of listing the global options. */
export const GLOBAL_OPTIONS_LINE =
  'Global options: -c/--config, --url, -x, --db, --json, -q, --[no-]color, --lock-timeout, --connect-timeout,\n' +
  '--env, --env-file, -y/--yes, --log-format (see mig --help)'

/** The global options that take a value, so the command word is not mistaken for one. */
const TAKES_VALUE = new Set([
  '-c',
  '--config',
  '--url',
  '--env',
  '--env-file',
  '-x',
  '--db',
  '--lock-timeout',
  '--connect-timeout',
])

/** The first word of `args` that is neither an option nor an option's value: the command. */
export function commandWord(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (arg === '--') return args[i + 1]
    if (!arg.startsWith('-')) return arg
    if (TAKES_VALUE.has(arg)) i++
  }
  return undefined
}
