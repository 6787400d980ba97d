/**
 * Rewrites the command line into the forms yargs reads unambiguously, so that `mig` accepts what
 * any argparse program (Alembic's `alembic` among them) accepts:
 *
 * - an option's value glued to its short name, `-rbase:heads`, `-mmessage`, `-cconf.ts`, or
 *   after boolean flags, `-vrcurrent:` (yargs would read `-rbase:heads` as the flags
 *   `-r -b -a -s -e` and `-rhead:` as a request for help);
 * - a value that starts with `-`, after its option: `-r -3:current`, `--rev-range -3:current`;
 * - a revision argument that starts with `-`, `mig downgrade -1`, `mig upgrade -1:head --sql`.
 *
 * Values become `--name=value`. An argument that starts with `-` and a digit (no option does) is
 * marked so that yargs takes it as an argument, and {@link restoreArguments} removes the mark
 * once yargs has parsed. Everything else is passed on unchanged, so yargs still reports an
 * unknown option in the user's own words.
 */
export function normalizeArgv(args: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (arg === '--') {
      out.push(...args.slice(i))
      break
    }
    if (/^-\d/.test(arg)) {
      out.push(`${MARK}${arg}`)
      continue
    }
    if (arg.startsWith('--')) {
      const next = args[i + 1]
      // Only a value yargs would not take is glued: an array option keeps its own form.
      if (LONG_WITH_VALUE.has(arg.slice(2)) && next?.startsWith('-') === true) {
        out.push(`${arg}=${next}`)
        i++
      } else {
        out.push(arg)
      }
      continue
    }
    const expanded = arg.startsWith('-') ? expandShortGroup(arg, args[i + 1]) : undefined
    if (expanded === undefined) {
      out.push(arg)
      continue
    }
    out.push(...expanded.tokens)
    if (expanded.consumedNext) i++
  }
  return out
}

/**
 * yargs middleware: removes the mark {@link normalizeArgv} put on arguments that start with `-`,
 * wherever yargs stored them (a positional, an array of them, `_`).
 */
export function restoreArguments(argv: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(argv)) {
    if (typeof value === 'string' && value.startsWith(MARK)) argv[key] = value.slice(MARK.length)
    else if (Array.isArray(value)) {
      argv[key] = value.map((v) => (typeof v === 'string' && v.startsWith(MARK) ? v.slice(MARK.length) : v))
    }
  }
}

/** Never the first character of an argument a user can type. */
const MARK = '\u0000'

/** Short options that take a value, by the long name yargs knows them by. */
const SHORT_WITH_VALUE: Readonly<Record<string, string>> = {
  c: 'config',
  m: 'message',
  r: 'rev-range',
  t: 'template',
  x: 'x',
}

/** Short options that are flags, which argparse lets a group carry before a valued option. */
const SHORT_FLAGS = new Set(['h', 'i', 'q', 'v', 'y'])

/** Long options that take a value, which may start with `-` (`--rev-range -3:current`). */
const LONG_WITH_VALUE = new Set([
  'branch-label',
  'config',
  'connect-timeout',
  'depends-on',
  'env',
  'env-file',
  'head',
  'lock-timeout',
  'log-format',
  'message',
  'rev-id',
  'rev-range',
  'template',
  'url',
  'version-path',
  'x',
])

/**
 * `-vrVALUE` → `-v --rev-range=VALUE`; `-r VALUE` → `--rev-range=VALUE`. Undefined when the
 * group holds a letter that is no known short option, left to yargs to report.
 */
function expandShortGroup(
  arg: string,
  next: string | undefined,
): { tokens: string[]; consumedNext: boolean } | undefined {
  const tokens: string[] = []
  for (let at = 1; at < arg.length; at++) {
    const letter = arg[at] as string
    if (SHORT_FLAGS.has(letter)) {
      tokens.push(`-${letter}`)
      continue
    }
    const long = SHORT_WITH_VALUE[letter]
    if (long === undefined) return undefined
    const rest = arg.slice(at + 1)
    // argparse reads `-r=VALUE` as `VALUE`, as it does `--rev-range=VALUE`.
    if (rest !== '')
      return { tokens: [...tokens, `--${long}=${rest.replace(/^=/, '')}`], consumedNext: false }
    if (next === undefined) return { tokens: [...tokens, `-${letter}`], consumedNext: false }
    return { tokens: [...tokens, `--${long}=${next}`], consumedNext: true }
  }
  return { tokens, consumedNext: false }
}
