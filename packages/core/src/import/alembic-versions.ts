import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { RevisionFileError } from '../errors.js'

/** One Alembic revision file, read without running Python. */
export interface AlembicRevision {
  /** The file, relative to the versions folder. */
  readonly file: string
  readonly revision: string
  readonly downRevision: string | readonly string[] | null
  readonly branchLabels: readonly string[] | null
  readonly dependsOn: readonly string[] | null
  /** The docstring's `Create Date:` line, when it has one. */
  readonly createDate: string | null
  /** The docstring's first line: the `-m` message. */
  readonly message: string
  /** The `upgrade()` / `downgrade()` bodies as SQL texts when they only `op.execute` literals. */
  readonly upgradeSql: readonly string[] | null
  readonly downgradeSql: readonly string[] | null
  /** The Python bodies, kept as a comment for the revision to be ported by hand. */
  readonly upgradeBody: string
  readonly downgradeBody: string
}

/**
 * Reads an Alembic `versions/` folder: every `.py` file but `__init__.py`, each header a literal
 * (`revision = 'ae1027a6acf'`, `down_revision = ('a', 'b')` for a merge). A header that is not a
 * literal is an error naming the file and the field: Alembic's files are read, never run.
 */
export function readAlembicVersions(folder: string): AlembicRevision[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.py') && name !== '__init__.py' && statSync(join(folder, name)).isFile())
    .sort()
    .map((file) => readAlembicRevision(join(folder, file), file, readFileSync(join(folder, file), 'utf8')))
}

/** One file's header, message and bodies; `path` names it in errors. */
export function readAlembicRevision(path: string, file: string, source: string): AlembicRevision {
  const field = (name: string): unknown => {
    const match = new RegExp(`^${name}\\s*(?::[^=\\n]*)?=[ \\t]*`, 'm').exec(source)
    if (match === null) return undefined
    const literal = parsePythonLiteral(source, match.index + match[0].length)
    if (literal === undefined) {
      throw new RevisionFileError(
        path,
        `${path}: ${name} is not a literal (None, a string, or a tuple or list of strings); migraph reads Alembic headers without running Python`,
      )
    }
    return literal
  }
  const revision = field('revision')
  if (typeof revision !== 'string' || revision === '') {
    throw new RevisionFileError(path, `${path}: no "revision = '<id>'" line; is it an Alembic revision file?`)
  }
  const ids = (name: string): readonly string[] | null => {
    const value = field(name)
    if (value === undefined || value === null) return null
    return Object.freeze(typeof value === 'string' ? [value] : (value as string[]))
  }
  const down = ids('down_revision')
  const upgrade = functionBody(source, 'upgrade')
  const downgrade = functionBody(source, 'downgrade')
  return Object.freeze({
    file,
    revision,
    downRevision: down === null ? null : down.length === 1 ? (down[0] as string) : down,
    branchLabels: ids('branch_labels'),
    dependsOn: ids('depends_on'),
    createDate: /^Create Date:\s*(.+?)\s*$/m.exec(source)?.[1] ?? null,
    message: /^\s*(?:#[^\n]*\n\s*)*[rRuU]?("""|''')\s*([^\n]*?)\s*(?:\n|\1)/.exec(source)?.[2] ?? file,
    upgradeSql: literalSql(upgrade),
    downgradeSql: literalSql(downgrade),
    upgradeBody: upgrade,
    downgradeBody: downgrade,
  })
}

/** The indented block of `def name(...):` at the top level, as written; '' when absent. */
function functionBody(source: string, name: string): string {
  const def = new RegExp(`^def ${name}\\s*\\([^)]*\\)[^:\\n]*:[ \\t]*\\n`, 'm').exec(source)
  if (def === null) return ''
  const lines = source.slice(def.index + def[0].length).split('\n')
  const end = lines.findIndex((line) => line !== '' && !/^\s/.test(line))
  return (end === -1 ? lines : lines.slice(0, end)).join('\n').replace(/\s+$/, '')
}

/**
 * The SQL of a body made only of `op.execute("...")` calls with literal strings (and `pass` or
 * comments), in order; null when it does anything else, so it must be ported by hand.
 */
function literalSql(body: string): string[] | null {
  const statements: string[] = []
  let at = 0
  for (;;) {
    at = skipBlank(body, at)
    if (at >= body.length) return statements
    if (/^pass\b/.test(body.slice(at, at + 5))) {
      at += 4
      continue
    }
    const call = /^op\.execute\(\s*/.exec(body.slice(at))
    if (call === null) return null
    at += call[0].length
    let text = ''
    let parsed = 0
    for (;;) {
      const literal = readString(body, at)
      if (literal === undefined) break
      text += literal.value
      at = skipBlank(body, literal.end)
      parsed++
    }
    if (parsed === 0 || body[at] !== ')') return null
    at++
    statements.push(dedent(text))
  }
}

/** A triple-quoted SQL text as it would read unindented: blank edges and common indent gone. */
function dedent(text: string): string {
  const lines = text
    .replace(/^\s*\n/, '')
    .trimEnd()
    .split('\n')
  const indent = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0),
  )
  return lines.map((l) => l.slice(indent)).join('\n')
}

function skipBlank(text: string, from: number): number {
  let at = from
  while (at < text.length) {
    if (/\s/.test(text[at] as string)) at++
    else if (text[at] === '#') while (at < text.length && text[at] !== '\n') at++
    else break
  }
  return at
}

/**
 * A Python literal at `from`: None, a string, or a tuple, list or set of strings; undefined for
 * anything else (a name, a call, an f-string).
 */
export function parsePythonLiteral(
  text: string,
  from: number,
): string | readonly string[] | null | undefined {
  if (/^None\b/.test(text.slice(from, from + 5))) return null
  const open = text[from]
  if (open === '(' || open === '[' || open === '{') {
    const close = open === '(' ? ')' : open === '[' ? ']' : '}'
    const items: string[] = []
    let at = skipBlank(text, from + 1)
    while (text[at] !== close) {
      const item = readString(text, at)
      if (item === undefined) return undefined
      items.push(item.value)
      at = skipBlank(text, item.end)
      if (text[at] === ',') at = skipBlank(text, at + 1)
      else if (text[at] !== close) return undefined
    }
    return Object.freeze(items)
  }
  return readString(text, from)?.value
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '\n': '',
}

/** A Python string literal (plain or raw, single or triple quoted) at `from`; undefined when none. */
function readString(text: string, from: number): { value: string; end: number } | undefined {
  const head = /^([rRuU]?)('''|"""|'|")/.exec(text.slice(from, from + 4))
  if (head === null) return undefined
  const raw = /r/i.test(head[1] as string)
  const quote = head[2] as string
  let at = from + head[0].length
  let value = ''
  while (at < text.length) {
    if (text.startsWith(quote, at)) return { value, end: at + quote.length }
    const ch = text[at] as string
    if (ch === '\n' && quote.length === 1) return undefined
    if (ch === '\\' && !raw) {
      const escaped = ESCAPES[text[at + 1] ?? '']
      if (escaped === undefined) return undefined
      value += escaped
      at += 2
      continue
    }
    value += ch
    at++
  }
  return undefined
}
