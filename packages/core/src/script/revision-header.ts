/** What a revision file declares about its place in the graph, read without running it. */
export interface RevisionHeader {
  readonly revision: string
  readonly downRevision: string | readonly string[] | null
  readonly branchLabels: readonly string[] | null
  readonly dependsOn: readonly string[] | null
  readonly message: string | null
  readonly createDate: string | null
  /** The whole leading comment (message, Revision ID, Revises, Create Date), for `-v` output. */
  readonly doc: string | null
  /** `export const transactional = false` opts the revision out of its transaction. */
  readonly transactional: boolean
}

type Literal = string | readonly string[] | null | boolean

const EXPORT_RE = /export\s+const\s+([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=\s*/g

/**
 * Reads `revision`, `downRevision`, `branchLabels`, `dependsOn`, `transactional` and the
 * message from a revision file's source text. Only literals count (strings, `null`, arrays of
 * strings, booleans), so reading never executes the file. Returns the names it could not read
 * statically in `dynamic`; the caller then imports the file once to learn them.
 */
export function parseRevisionHeader(source: string): {
  readonly header: Partial<RevisionHeader>
  readonly dynamic: readonly string[]
} {
  const values = new Map<string, Literal>()
  const dynamic: string[] = []
  EXPORT_RE.lastIndex = 0
  for (let match = EXPORT_RE.exec(source); match !== null; match = EXPORT_RE.exec(source)) {
    const name = match[1] as string
    if (!HEADER_NAMES.has(name)) continue
    const parsed = readLiteral(source, EXPORT_RE.lastIndex)
    if (parsed === undefined) dynamic.push(name)
    else values.set(name, parsed.value)
  }
  const doc = readDocComment(source)
  const header: Record<string, unknown> = {}
  for (const [name, value] of values) header[name] = value
  if (values.has('transactional')) header.transactional = values.get('transactional') !== false
  header.message = doc.message
  header.createDate = doc.createDate
  header.doc = doc.doc
  return { header: header as Partial<RevisionHeader>, dynamic }
}

const HEADER_NAMES = new Set(['revision', 'downRevision', 'branchLabels', 'dependsOn', 'transactional'])

// The shapes the revision template writes (a quoted id without escapes, null, a list of plain
// quoted strings, a boolean), ending the declaration. Matching them with one regular expression is
// several times faster than the general reader below, which handles everything else (escapes,
// comments, template strings) and decides what is not a literal.
const PLAIN_STRING = String.raw`'[^'\

]*'|"[^"\

]*"`
const PLAIN_LITERAL = new RegExp(
  String.raw`(?:(${PLAIN_STRING})|(null|undefined|true|false)(?![\w$])|\[\s*((?:${PLAIN_STRING})\s*(?:,\s*(?:${PLAIN_STRING})\s*)*,?\s*)?\])[ 	]*(?:as const)?[ 	]*(?=$|[;

]|//)`,
  'y',
)
const PLAIN_ITEM = new RegExp(PLAIN_STRING, 'g')

/** Parses one literal at `start`; undefined when the value is not a plain literal. */
function readLiteral(source: string, start: number): { value: Literal; end: number } | undefined {
  PLAIN_LITERAL.lastIndex = start
  const plain = PLAIN_LITERAL.exec(source)
  if (plain !== null) {
    const [, string, word, items] = plain
    const end = PLAIN_LITERAL.lastIndex
    if (string !== undefined) return { value: string.slice(1, -1), end }
    if (word !== undefined) return { value: word === 'true' ? true : word === 'false' ? false : null, end }
    const list = items === undefined ? [] : (items.match(PLAIN_ITEM) ?? []).map((item) => item.slice(1, -1))
    return { value: Object.freeze(list), end }
  }
  let i = skipSpace(source, start)
  const ch = source[i]
  if (ch === "'" || ch === '"' || ch === '`') {
    const str = readString(source, i)
    if (str === undefined) return undefined
    return finish(source, str.value, str.end)
  }
  if (ch === '[') {
    const items: string[] = []
    i = skipSpace(source, i + 1)
    while (source[i] !== ']') {
      const str = readString(source, i)
      if (str === undefined) return undefined
      items.push(str.value)
      i = skipSpace(source, str.end)
      if (source[i] === ',') i = skipSpace(source, i + 1)
      else if (source[i] !== ']') return undefined
    }
    return finish(source, Object.freeze(items), i + 1)
  }
  for (const [word, value] of WORDS) {
    if (source.startsWith(word, i) && !/[\w$]/.test(source[i + word.length] ?? '')) {
      return finish(source, value, i + word.length)
    }
  }
  return undefined
}

const WORDS: readonly (readonly [string, Literal])[] = [
  ['null', null],
  ['undefined', null],
  ['true', true],
  ['false', false],
]

/** A literal must end the declaration (`;`, newline, or `as const`), else it is an expression. */
function finish(source: string, value: Literal, end: number): { value: Literal; end: number } | undefined {
  let i = end
  while (source[i] === ' ' || source[i] === '\t') i++
  if (source.startsWith('as const', i)) i += 'as const'.length
  while (source[i] === ' ' || source[i] === '\t') i++
  const next = source[i]
  if (next === undefined || next === ';' || next === '\n' || next === '\r') return { value, end: i }
  if (source.startsWith('//', i)) return { value, end: i }
  return undefined
}

function skipSpace(source: string, start: number): number {
  let i = start
  for (;;) {
    while (i < source.length && /\s/.test(source[i] as string)) i++
    if (source.startsWith('//', i)) {
      const nl = source.indexOf('\n', i)
      i = nl === -1 ? source.length : nl + 1
    } else if (source.startsWith('/*', i)) {
      const close = source.indexOf('*/', i + 2)
      i = close === -1 ? source.length : close + 2
    } else {
      return i
    }
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '0': '\0',
  b: '\b',
  f: '\f',
  v: '\v',
}

function readString(source: string, start: number): { value: string; end: number } | undefined {
  const quote = source[start]
  if (quote !== "'" && quote !== '"' && quote !== '`') return undefined
  let value = ''
  for (let i = start + 1; i < source.length; i++) {
    const ch = source[i] as string
    if (ch === quote) return { value, end: i + 1 }
    if (quote === '`' && ch === '$' && source[i + 1] === '{') return undefined
    if (ch === '\n' && quote !== '`') return undefined
    if (ch === '\\') {
      const next = source[++i]
      if (next === undefined) return undefined
      if (next === 'u' || next === 'x') return undefined
      value += ESCAPES[next] ?? next
    } else {
      value += ch
    }
  }
  return undefined
}

/**
 * The leading block comment holds the message (its first paragraph) and Alembic's
 * `Create Date:` line, as the revision template writes them.
 */
function readDocComment(source: string): {
  message: string | null
  createDate: string | null
  doc: string | null
} {
  const match = /^\s*(?:#![^\n]*\n\s*)?\/\*\*?([\s\S]*?)\*\//.exec(source)
  if (match === null) return { message: null, createDate: null, doc: null }
  const lines = (match[1] as string)
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, '').replace(/\r$/, ''))
  const messageLines: string[] = []
  let createDate: string | null = null
  let inMessage = true
  for (const line of lines) {
    const date = /^Create Date:\s*(.*)$/.exec(line)
    if (date !== null) createDate = (date[1] as string).trim()
    if (/^(Revision ID|Revises|Create Date):/.test(line)) inMessage = false
    if (!inMessage) continue
    if (line.trim() === '' && messageLines.length > 0) inMessage = false
    else if (line.trim() !== '') messageLines.push(line.trim())
  }
  const unescapeComment = (text: string) => text.replaceAll('*\\/', '*/')
  const message = unescapeComment(messageLines.join('\n'))
  const doc = unescapeComment(lines.join('\n').replace(/^\n+|\s+$/g, ''))
  return { message: message === '' ? null : message, createDate, doc: doc === '' ? null : doc }
}
