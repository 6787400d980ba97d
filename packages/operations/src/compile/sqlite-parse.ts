// SQLite keeps constraint names, CHECK expressions and AUTOINCREMENT only in the CREATE TABLE
// text of sqlite_master; the PRAGMAs do not report them. This reads just enough of that text.

interface Token {
  readonly kind: 'word' | 'quoted' | 'string' | 'other'
  /** Identifier value (quotes removed) for words and quoted names; the raw text otherwise. */
  readonly value: string
  readonly start: number
  readonly end: number
}

function tokenize(sql: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < sql.length) {
    const c = sql[i] as string
    if (/\s/.test(c)) {
      i++
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i)
      i = end === -1 ? sql.length : end
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end === -1 ? sql.length : end + 2
    } else if (c === '"' || c === '`' || c === '[' || c === "'") {
      const close = c === '[' ? ']' : c
      let j = i + 1
      let value = ''
      while (j < sql.length) {
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) {
            value += close
            j += 2
            continue
          }
          break
        }
        value += sql[j]
        j++
      }
      tokens.push({ kind: c === "'" ? 'string' : 'quoted', value, start: i, end: j + 1 })
      i = j + 1
    } else if (/[A-Za-z0-9_$\u0080-\uffff]/.test(c)) {
      let j = i
      while (j < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j] as string)) j++
      tokens.push({ kind: 'word', value: sql.slice(i, j), start: i, end: j })
      i = j
    } else {
      tokens.push({ kind: 'other', value: c, start: i, end: i + 1 })
      i++
    }
  }
  return tokens
}

const isWord = (t: Token | undefined, word: string) => t?.kind === 'word' && t.value.toLowerCase() === word

/** Splits tokens between `from` (exclusive) and the matching close paren at top-level commas. */
function splitTopLevel(tokens: readonly Token[], open: number): { items: Token[][]; close: number } {
  const items: Token[][] = [[]]
  let depth = 0
  for (let i = open + 1; i < tokens.length; i++) {
    const t = tokens[i] as Token
    if (t.kind === 'other' && t.value === '(') depth++
    if (t.kind === 'other' && t.value === ')') {
      if (depth === 0) return { items, close: i }
      depth--
    }
    if (depth === 0 && t.kind === 'other' && t.value === ',') items.push([])
    else items[items.length - 1]?.push(t)
  }
  return { items, close: tokens.length }
}

function identifierList(tokens: readonly Token[], open: number): { names: string[]; close: number } {
  const { items, close } = splitTopLevel(tokens, open)
  return { names: items.map((item) => item[0]?.value ?? ''), close }
}

function parenthesised(sql: string, tokens: readonly Token[], open: number): { text: string; close: number } {
  const { close } = splitTopLevel(tokens, open)
  const start = (tokens[open] as Token).end
  const end = tokens[close]?.start ?? sql.length
  return { text: sql.slice(start, end).trim(), close }
}

/** A constraint as written in the CREATE TABLE text. */
export interface ParsedConstraint {
  readonly type: 'primaryKey' | 'unique' | 'foreignKey' | 'check'
  readonly name: string | undefined
  /** Own columns (for column-level constraints, the column itself). */
  readonly columns: readonly string[]
  /** The CHECK expression text. */
  readonly check?: string
}

/** What the CREATE TABLE text says beyond the PRAGMAs. */
export interface ParsedTable {
  readonly constraints: readonly ParsedConstraint[]
  /** Declared column types as written (PRAGMA upper-cases the standard ones). */
  readonly types: ReadonlyMap<string, string>
  /** Columns declared `PRIMARY KEY AUTOINCREMENT`. */
  readonly autoIncrement: readonly string[]
}

const CONSTRAINT_START = new Set(['constraint', 'primary', 'unique', 'check', 'foreign'])
const COLUMN_CONSTRAINT = new Set([
  ...CONSTRAINT_START,
  'not',
  'null',
  'default',
  'collate',
  'references',
  'generated',
  'as',
])

function declaredType(sql: string, item: readonly Token[]): string {
  let end = 1
  let depth = 0
  while (end < item.length) {
    const t = item[end] as Token
    if (t.kind === 'other' && t.value === '(') depth++
    if (t.kind === 'other' && t.value === ')') depth--
    if (depth === 0 && t.kind === 'word' && COLUMN_CONSTRAINT.has(t.value.toLowerCase())) break
    end++
  }
  const first = item[1]
  const last = item[end - 1]
  return first === undefined || last === undefined || end === 1 ? '' : sql.slice(first.start, last.end)
}

/** Reads constraints out of a `CREATE TABLE` statement as stored in sqlite_master. */
export function parseCreateTable(sql: string): ParsedTable {
  const tokens = tokenize(sql)
  const open = tokens.findIndex((t) => t.kind === 'other' && t.value === '(')
  const constraints: ParsedConstraint[] = []
  const autoIncrement: string[] = []
  const types = new Map<string, string>()
  if (open === -1) return { constraints, autoIncrement, types }
  for (const item of splitTopLevel(tokens, open).items) {
    const first = item[0]
    if (first === undefined) continue
    const tableLevel = first.kind === 'word' && CONSTRAINT_START.has(first.value.toLowerCase())
    const column = tableLevel ? undefined : first.value
    if (column !== undefined) types.set(column, declaredType(sql, item))
    let name: string | undefined
    for (let i = tableLevel ? 0 : 1; i < item.length; i++) {
      const t = item[i] as Token
      if (t.kind === 'other' && t.value === '(') {
        // Type arguments, defaults and the like: nothing of interest inside.
        i = splitTopLevel(item, i).close
        continue
      }
      if (isWord(t, 'constraint')) {
        name = item[i + 1]?.value
        i++
        continue
      }
      const nextParen = () => item.findIndex((x, k) => k > i && x.kind === 'other' && x.value === '(')
      let parsed: ParsedConstraint | undefined
      if (isWord(t, 'primary') || isWord(t, 'unique')) {
        const type = isWord(t, 'primary') ? 'primaryKey' : 'unique'
        if (column !== undefined) {
          parsed = { type, name, columns: [column] }
          if (type === 'primaryKey' && item.some((x) => isWord(x, 'autoincrement')))
            autoIncrement.push(column)
        } else {
          const paren = nextParen()
          const { names, close } = identifierList(item, paren)
          parsed = { type, name, columns: names }
          i = close
        }
      } else if (isWord(t, 'check')) {
        const { text, close } = parenthesised(sql, item, nextParen())
        parsed = { type: 'check', name, columns: column === undefined ? [] : [column], check: text }
        i = close
      } else if (isWord(t, 'foreign')) {
        const { names, close } = identifierList(item, nextParen())
        parsed = { type: 'foreignKey', name, columns: names }
        i = close
      } else if (isWord(t, 'references') && column !== undefined) {
        parsed = { type: 'foreignKey', name, columns: [column] }
      }
      if (parsed !== undefined) {
        constraints.push(parsed)
        name = undefined
      }
    }
  }
  return { constraints, autoIncrement, types }
}

/** The `WHERE` clause text of a `CREATE INDEX` statement, if it is partial. */
export function parseIndexWhere(sql: string): string | undefined {
  const tokens = tokenize(sql)
  const open = tokens.findIndex((t) => t.kind === 'other' && t.value === '(')
  if (open === -1) return undefined
  const { close } = splitTopLevel(tokens, open)
  const where = tokens[close + 1]
  return isWord(where, 'where') && where !== undefined ? sql.slice(where.end).trim() : undefined
}
