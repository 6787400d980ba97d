import { readFileSync } from 'node:fs'
import yargs from 'yargs'
import { normalizeArgv, restoreArguments } from './argv.js'
import { checkCommand, resolveCommand } from './commands/check-command.js'
import { editCommand, historyCommand } from './commands/history-command.js'
import { initCommand, listTemplatesCommand } from './commands/init-command.js'
import { branchesCommand, currentCommand, headsCommand, showCommand } from './commands/inspect-commands.js'
import { downgradeCommand, upgradeCommand } from './commands/migrate-commands.js'
import { mergeCommand, revisionCommand } from './commands/revision-command.js'
import { ensureVersionCommand, stampCommand } from './commands/stamp-command.js'
import { ExitCode } from './exit-codes.js'
import type { Streams } from './reporter.js'
import { type CliState, type GlobalArgv, UsageError } from './run.js'
import { secondsOption } from './timeout-option.js'

const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/**
 * Parses the arguments, runs one command and returns the exit status. Nothing here exits the
 * process; `bin/mig.cjs` sets `process.exitCode` from the result.
 */
export async function main(args: readonly string[], streams: Streams = process): Promise<number> {
  const state: CliState = { streams, exitCode: ExitCode.ok }
  const failures: string[] = []
  // Only help is wrapped to the terminal; asking for its width can cost the other commands.
  const wantsHelp = args.includes('--help') || args.includes('-h')
  const parser = yargs(normalizeArgv(args))
    .middleware(restoreArguments, true)
    .scriptName('mig')
    .usage('mig <command> [options]')
    .option('config', {
      alias: 'c',
      type: 'string',
      describe: 'config file (default: migrate.config.ts, searched upward)',
      global: true,
    })
    .option('url', {
      type: 'string',
      describe: 'database URL (overrides MIG_DATABASE_URL and the config)',
      global: true,
    })
    .option('x', {
      type: 'string',
      array: true,
      // One value per -x, so `mig -x k=v upgrade head` leaves the command alone (Alembic's order).
      nargs: 1,
      describe: 'key=value passed to revisions (repeatable)',
      global: true,
    })
    .option('json', { type: 'boolean', describe: 'print one JSON document on stdout', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress output', global: true })
    .option('color', {
      type: 'boolean',
      default: true,
      describe: 'colored output (--no-color to disable)',
      global: true,
    })
    .option('lock-timeout', {
      // Read as text: yargs would turn 'abc' into NaN and '' into 0.
      type: 'string',
      coerce: secondsOption('lock-timeout', 'lock'),
      describe: 'seconds to wait for the migration lock; 0 does not wait (default 60)',
      global: true,
    })
    .option('connect-timeout', {
      type: 'string',
      coerce: secondsOption('connect-timeout', 'connect'),
      describe: 'seconds to wait for a connection, more than 0 (default 10)',
      global: true,
    })
    .command(initCommand(state))
    .command(listTemplatesCommand(state))
    .command(revisionCommand(state))
    .command(mergeCommand(state))
    .command(upgradeCommand(state))
    .command(downgradeCommand(state))
    .command(stampCommand(state))
    .command(currentCommand(state))
    .command(historyCommand(state))
    .command(headsCommand(state))
    .command(branchesCommand(state))
    .command(showCommand(state))
    .command(editCommand(state))
    .command(ensureVersionCommand(state))
    .command(checkCommand(state))
    .command(resolveCommand(state))
    .demandCommand(1, 'a command is required')
    .recommendCommands()
    .strict()
    .version(VERSION)
    .help()
    .alias('help', 'h')
    .wrap(wantsHelp ? Math.min(110, streams.stdout.columns ?? 110) : 110)
    .exitProcess(false)
    .fail((message, error) => {
      // yargs may report several problems for one mistake (an unknown command, then its
      // arguments); they are joined into the one line the user sees.
      const text = error?.message ?? message ?? 'invalid arguments'
      failures.push(text.startsWith('Did you mean') ? `unknown command '${args[0]}'. ${text}` : text)
      // Throwing stops yargs here: without it, the command would still run.
      throw new UsageError(failures.at(-1) ?? 'invalid arguments')
    })
  try {
    await parser.parseAsync()
  } catch (error) {
    if (!(error instanceof UsageError)) {
      state.exitCode = ExitCode.error
      streams.stderr.write(`error: ${oneLine(error instanceof Error ? error.message : String(error))}\n`)
    }
  }
  if (failures.length > 0) {
    state.exitCode = ExitCode.error
    const text = [...new Set(failures.map(oneLine))].reverse().join('; ')
    if (args.includes('--json')) {
      streams.stdout.write(`${JSON.stringify({ error: { code: 'usage', message: text } })}\n`)
    }
    streams.stderr.write(`error: ${text} (see mig --help)\n`)
  }
  return state.exitCode
}

export type { GlobalArgv }

function oneLine(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .join(' ')
}
