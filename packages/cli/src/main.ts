import { readFileSync } from 'node:fs'
import yargs, { type CommandModule } from 'yargs'
import { normalizeArgv, restoreArguments } from './argv.js'
import { checkCommand, resolveCommand } from './commands/check-command.js'
import { configCommand } from './commands/config-command.js'
import { diffCommand } from './commands/diff-command.js'
import { graphCommand } from './commands/graph-command.js'
import { editCommand, historyCommand } from './commands/history-command.js'
import { importCommand } from './commands/import-command.js'
import { initCommand, listTemplatesCommand } from './commands/init-command.js'
import { branchesCommand, currentCommand, headsCommand, showCommand } from './commands/inspect-commands.js'
import { lintCommand } from './commands/lint-command.js'
import { downgradeCommand, upgradeCommand } from './commands/migrate-commands.js'
import { mergeCommand, revisionCommand } from './commands/revision-command.js'
import { schemaCommand, setupCommand } from './commands/schema-command.js'
import { seedCommand } from './commands/seed-command.js'
import { squashCommand } from './commands/squash-command.js'
import { ensureVersionCommand, stampCommand } from './commands/stamp-command.js'
import { statusCommand } from './commands/status-command.js'
import { testCommand } from './commands/test-command.js'
import { ExitCode } from './exit-codes.js'
import { commandWord, GLOBAL_OPTION_NAMES, GLOBAL_OPTIONS_LINE, globalOptions } from './global-options.js'
import { EPILOG, EXAMPLES } from './help.js'
import type { Streams } from './reporter.js'
import { type CliState, type GlobalArgv, stderrPaint, UsageError } from './run.js'
import { closeCommands } from './suggest.js'

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
  const helpCommand = wantsHelp ? commandWord(args) : undefined
  const commands = commandModules(state)
  const parser = yargs(normalizeArgv(args))
    .middleware(restoreArguments, true)
    .scriptName('mig')
    .usage('mig <command> [options]')
    .options(globalOptions(helpCommand !== undefined))
    .group(GLOBAL_OPTION_NAMES, 'Global options:')
    .command(commands)
    .completion('completion', 'Print a bash/zsh completion script (mig completion >> ~/.bashrc)')
    .demandCommand(1, 'a command is required')
    .strict()
    .version(VERSION)
    .help()
    .alias('help', 'h')
    .example(EXAMPLES)
    .epilog(helpCommand === undefined ? EPILOG : GLOBAL_OPTIONS_LINE)
    .wrap(wantsHelp ? Math.min(110, streams.stdout.columns ?? 110) : 110)
    .exitProcess(false)
    .fail((message, error) => {
      // yargs may report several problems for one mistake (an unknown command, then its
      // arguments); they are joined into the one line the user sees.
      failures.push(
        unknownCommand(args, commandNames(commands)) ?? error?.message ?? message ?? 'invalid arguments',
      )
      // Throwing stops yargs here: without it, the command would still run.
      throw new UsageError(failures.at(-1) ?? 'invalid arguments')
    })
  try {
    await parser.parseAsync()
  } catch (error) {
    if (!(error instanceof UsageError)) {
      state.exitCode = ExitCode.error
      const text = oneLine(error instanceof Error ? error.message : String(error))
      streams.stderr.write(`${stderrPaint(streams, colorFlag(args))('red', 'error:')} ${text}\n`)
    }
  }
  if (failures.length > 0) {
    state.exitCode = ExitCode.error
    const text = [...new Set(failures.map(oneLine))].reverse().join('; ')
    if (args.includes('--json')) {
      streams.stdout.write(`${JSON.stringify({ error: { code: 'usage', message: text } })}\n`)
    }
    streams.stderr.write(
      `${stderrPaint(streams, colorFlag(args))('red', 'error:')} ${text} (see mig --help)\n`,
    )
  }
  return state.exitCode
}

export type { GlobalArgv }

/** Every command, in the order `mig --help` lists them. */
function commandModules(state: CliState): CommandModule<GlobalArgv, never>[] {
  return [
    initCommand(state),
    listTemplatesCommand(state),
    revisionCommand(state),
    mergeCommand(state),
    squashCommand(state),
    upgradeCommand(state),
    downgradeCommand(state),
    stampCommand(state),
    currentCommand(state),
    statusCommand(state),
    importCommand(state),
    historyCommand(state),
    graphCommand(state),
    lintCommand(state),
    headsCommand(state),
    branchesCommand(state),
    showCommand(state),
    editCommand(state),
    ensureVersionCommand(state),
    checkCommand(state),
    diffCommand(state),
    testCommand(state),
    schemaCommand(state),
    setupCommand(state),
    resolveCommand(state),
    configCommand(state),
    seedCommand(state),
  ] as CommandModule<GlobalArgv, never>[]
}

/** The names a command word may be: each module's, and yargs' own `completion`. */
function commandNames(commands: readonly CommandModule<GlobalArgv, never>[]): string[] {
  return [...commands.map((c) => String(c.command).split(' ')[0] as string), 'completion']
}

/** `unknown command 'upgade' (did you mean 'upgrade'?)`, when the command word is not one. */
function unknownCommand(args: readonly string[], names: readonly string[]): string | undefined {
  const word = commandWord(args)
  if (word === undefined || names.includes(word)) return undefined
  const close = closeCommands(word, names)
  const hint = close.length === 0 ? '' : ` (did you mean ${close.map((c) => `'${c}'`).join(' or ')}?)`
  return `unknown command '${word}'${hint}`
}

/** `--color`/`--no-color` as given, for errors found before yargs has parsed them. */
function colorFlag(args: readonly string[]): boolean | undefined {
  const last = args.findLast((arg) => arg === '--color' || arg === '--no-color')
  return last === undefined ? undefined : last === '--color'
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .join(' ')
}
