import {
  defaultEnvironment,
  type Environment,
  type GlobalOptions,
  MigraphError,
  Project,
  redactSecrets,
  urlSecrets,
} from '@migraph/core'
import { colorEnabled, type Paint, painter } from './color.js'
import { terminalConfirm } from './confirm-prompt.js'
import { exitCodeFor } from './exit-codes.js'
import { jsonLogReporter } from './json-log.js'
import { type CliReporter, type Streams, stderrReporter } from './reporter.js'

/** The global options every command module receives from yargs. */
export interface GlobalArgv {
  readonly config?: string | undefined
  readonly url?: string | undefined
  readonly env?: string | undefined
  readonly envFile?: string | undefined
  readonly yes?: boolean | undefined
  readonly logFormat?: 'text' | 'json' | undefined
  readonly x?: readonly string[] | undefined
  readonly json?: boolean | undefined
  readonly quiet?: boolean | undefined
  readonly color?: boolean | undefined
  readonly lockTimeout?: number | undefined
  readonly connectTimeout?: number | undefined
}

/** What a command handler gets: the output helpers, and the project when it needs one. */
export interface CommandIo {
  readonly json: boolean
  readonly streams: Streams
  /** Styles text for stderr: colour on a terminal, unless told otherwise. */
  readonly paint: Paint
  /**
   * Writes text and a newline to stdout, as Alembic's `print_stdout` does: a verbose block, which
   * ends in a newline of its own, is followed by a blank line.
   */
  print(text: string): void
  /** Writes the command's JSON document to stdout. */
  printJson(value: unknown): void
  /** Writes a line that reports rather than answers (`Generating …`) to stdout; `-q` drops it. */
  say(text: string): void
  /** Writes a line of progress (a run's summary) to stderr; `-q` and `--json` drop it. */
  note(text: string): void
}

/** Shared between the command modules and `main`: where output goes, and the exit status. */
export interface CliState {
  readonly streams: Streams
  exitCode: number
}

function parseX(pairs: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`-x expects key=value, got '${pair}'`)
    out[pair.slice(0, at)] = pair.slice(at + 1)
  }
  return out
}

/** A mistake in how `mig` was called. */
export class UsageError extends MigraphError {
  override readonly name = 'UsageError'

  constructor(message: string) {
    super('usage', message)
  }
}

/** The command's output; progress held back by `reporter` goes first, as it happened first. */
function makeIo(
  state: CliState,
  json: boolean,
  quiet: boolean,
  reporter: CliReporter,
  paint: Paint,
): CommandIo {
  const print = (text: string) => {
    reporter.flush()
    state.streams.stdout.write(`${text}\n`)
  }
  return {
    json,
    streams: state.streams,
    paint,
    print,
    printJson: (value) => {
      reporter.flush()
      state.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
    },
    say: (text) => {
      if (!quiet) print(text)
    },
    note: (text) => reporter.info(text),
  }
}

/** Colour for stderr as the flags and the environment ask, decided on first use. */
export function stderrPaint(streams: Streams, flag: boolean | undefined): Paint {
  return painter(() => colorEnabled(streams.stderr, flag, process.env))
}

/**
 * Runs one command: builds the environment and (unless `needsProject` is false) the project,
 * calls the handler, and turns any error into one line on stderr (or a JSON error document with
 * `--json`) and a non-zero exit status. Passwords are masked in every message.
 */
async function runCommand(
  state: CliState,
  argv: GlobalArgv,
  handler: (context: {
    project: Project | undefined
    io: CommandIo
    environment: Environment
  }) => Promise<void>,
  needsProject: boolean,
): Promise<void> {
  const json = argv.json === true
  const quiet = argv.quiet === true
  const paint = stderrPaint(state.streams, argv.color)
  const log = argv.logFormat === 'json' ? jsonLogReporter(state.streams) : undefined
  const reporter = log ?? stderrReporter(state.streams, quiet || json, paint, !quiet)
  const started = performance.now()
  log?.emit('run-start', {
    command: String((argv as { _?: unknown[] })._?.[0] ?? ''),
    pid: process.pid,
    ...(argv.env === undefined ? {} : { environment: argv.env }),
  })
  const io = makeIo(state, json, quiet, reporter, paint)
  const secrets = new Set<string>()
  const remember = (url: string | undefined) => {
    if (url === undefined) return
    for (const secret of urlSecrets(url)) secrets.add(secret)
  }
  remember(argv.url)
  remember(process.env.MIG_DATABASE_URL)
  try {
    const options: GlobalOptions = {
      config: argv.config,
      url: argv.url,
      environment: argv.env,
      envFile: argv.envFile,
      yes: argv.yes,
      x: parseX(argv.x),
      lockTimeoutMs: argv.lockTimeout === undefined ? undefined : argv.lockTimeout * 1000,
      connectTimeoutMs: argv.connectTimeout === undefined ? undefined : argv.connectTimeout * 1000,
    }
    const environment = defaultEnvironment({
      reporter,
      confirm: terminalConfirm(state.streams, paint, () => reporter.flush()),
    })
    let project: Project | undefined
    if (needsProject) {
      project = await Project.open(options, environment)
      remember(project.config.url)
    }
    await handler({ project, io, environment })
  } catch (error) {
    reporter.flush()
    state.exitCode = exitCodeFor(error)
    const code = String((error as { code?: unknown })?.code ?? 'error')
    const raw = error instanceof Error ? error.message : String(error)
    const message = redactSecrets(oneLine(raw), [...secrets])
    if (json) state.streams.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`)
    if (log !== undefined) log.emit('error', { code, message })
    else state.streams.stderr.write(`${paint('red', 'error:')} ${message}\n`)
    if (process.env.MIG_DEBUG === '1' && error instanceof Error && error.stack !== undefined) {
      state.streams.stderr.write(`${redactSecrets(error.stack, [...secrets])}\n`)
    }
  } finally {
    reporter.flush()
    log?.emit('run-end', {
      exitCode: state.exitCode,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    })
  }
}

function oneLine(message: string): string {
  const lines = message.split('\n').filter((line) => line.trim() !== '')
  return lines.length <= 1 ? (lines[0] ?? message) : lines.join(' | ')
}

/** Runs a command that works on a configured project (every command but init/list-templates). */
export function withProject(
  state: CliState,
  argv: GlobalArgv,
  handler: (project: Project, io: CommandIo) => Promise<void>,
): Promise<void> {
  return runCommand(
    state,
    argv,
    async ({ project, io }) => {
      if (project !== undefined) await handler(project, io)
    },
    true,
  )
}

/** Runs a command that needs no config (init, list-templates). */
export function withoutProject(
  state: CliState,
  argv: GlobalArgv,
  handler: (io: CommandIo, environment: Environment) => Promise<void>,
): Promise<void> {
  return runCommand(state, argv, ({ io, environment }) => handler(io, environment), false)
}
