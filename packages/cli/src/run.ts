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
  readonly db?: readonly string[] | undefined
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
  options: { readonly oneDatabase?: string } = {},
): Promise<void> {
  return runCommand(
    state,
    argv,
    async ({ project, io }) => {
      if (project === undefined) return
      const selected = selectDatabases(project, argv, options.oneDatabase)
      if (selected === undefined) return handler(project, io)
      await eachDatabase(selected, io, handler)
    },
    true,
  )
}

/**
 * The databases a command acts on in a multi-database config: those `--db` names, else every
 * one, in the config's order; undefined for a single-database config.
 */
function selectDatabases(
  project: Project,
  argv: GlobalArgv,
  oneDatabase: string | undefined,
): Project[] | undefined {
  const names = [...new Set(argv.db ?? [])]
  const known = project.databaseNames
  const where = project.config.file ?? 'the config'
  if (known.length === 0) {
    if (names.length > 0) {
      throw new UsageError(`--db selects one of the config's 'databases', and ${where} has none`)
    }
    return undefined
  }
  const chosen = names.length > 0 ? names : known
  const databases = chosen.map((name) => project.database(name))
  if (chosen.length > 1) {
    const pick = `pass --db NAME (databases: ${known.join(', ')})`
    if (oneDatabase !== undefined) throw new UsageError(`mig ${oneDatabase} works on one database: ${pick}`)
    // One URL for several databases would run each one's revisions against the same database.
    if (argv.url !== undefined) throw new UsageError(`--url names one database: ${pick}`)
    if (project.environment.env.MIG_DATABASE_URL !== undefined) {
      throw new UsageError(`MIG_DATABASE_URL would replace the URL of every database: unset it, or ${pick}`)
    }
  }
  return databases
}

/**
 * Runs the handler once per database, in order, saying which: a `Database NAME:` line before
 * each one's output (several databases), one JSON document keyed by database (`--json`), and
 * the database named in an error, which stops the run there.
 */
async function eachDatabase(
  databases: readonly Project[],
  io: CommandIo,
  handler: (project: Project, io: CommandIo) => Promise<void>,
): Promise<void> {
  const several = databases.length > 1
  const documents: Record<string, unknown> = {}
  for (const project of databases) {
    const name = project.databaseName as string
    const collect = (value: unknown) => {
      documents[name] = value
    }
    const own: CommandIo = several && io.json ? { ...io, printJson: collect } : io
    if (several && !io.json) io.print(`Database ${name}:`)
    try {
      await handler(project, own)
    } catch (error) {
      if (error instanceof Error && !error.message.startsWith('database ')) {
        error.message = `database '${name}': ${error.message}`
      }
      throw error
    }
  }
  if (several && io.json) io.printJson(documents)
}

/** Runs a command that needs no config (init, list-templates). */
export function withoutProject(
  state: CliState,
  argv: GlobalArgv,
  handler: (io: CommandIo, environment: Environment) => Promise<void>,
): Promise<void> {
  return runCommand(state, argv, ({ io, environment }) => handler(io, environment), false)
}
