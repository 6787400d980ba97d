import type { SchemaDialect } from './model.js'

// Databases print back what they were given in their own way: SQLite keeps the text as written,
// PostgreSQL adds casts and parentheses, MySQL adds display widths. Comparison happens on a
// canonical spelling so only real changes count.

interface Token {
  readonly kind: 'word' | 'quoted' | 'string' | 'number' | 'punct'
  readonly text: string
}

function tokenize(text: string, dialect: SchemaDialect): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) {
      i++
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i)
      i = end === -1 ? text.length : end
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end === -1 ? text.length : end + 2
    } else if (c === "'" || c === '"' || c === '`' || (c === '[' && dialect === 'sqlite')) {
      const close = c === '[' ? ']' : c
      let j = i + 1
      while (j < text.length) {
        if (text[j] === '\\' && dialect === 'mysql' && c === "'") {
          j += 2
          continue
        }
        if (text[j] === close) {
          if (close !== ']' && text[j + 1] === close) {
            j += 2
            continue
          }
          break
        }
        j++
      }
      const raw = text.slice(i, j + 1)
      if (c === "'") tokens.push({ kind: 'string', text: raw })
      else tokens.push({ kind: 'quoted', text: unquote(raw) })
      i = j + 1
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      let j = i
      while (j < text.length && /[0-9.eE]/.test(text[j] as string)) j++
      tokens.push({ kind: 'number', text: text.slice(i, j) })
      i = j
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i
      while (j < text.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(text[j] as string)) j++
      tokens.push({ kind: 'word', text: text.slice(i, j).toLowerCase() })
      i = j
    } else {
      // Multi-character operators stay one token so `a <> b` and `a<>b` compare equal.
      const two = text.slice(i, i + 2)
      if (['<>', '<=', '>=', '!=', '::', '||', '->', '~~'].includes(two)) {
        tokens.push({ kind: 'punct', text: two })
        i += 2
      } else {
        tokens.push({ kind: 'punct', text: c })
        i++
      }
    }
  }
  return tokens
}

function unquote(raw: string): string {
  const q = raw[0] === '[' ? ']' : (raw[0] as string)
  return raw.slice(1, -1).replaceAll(q + q, q)
}

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/

function render(tokens: readonly Token[]): string {
  let out = ''
  let previous: Token | undefined
  for (const token of tokens) {
    const text =
      token.kind === 'quoted'
        ? PLAIN_IDENTIFIER.test(token.text)
          ? token.text
          : `"${token.text}"`
        : token.text
    const wordy = (t: Token | undefined) => t !== undefined && t.kind !== 'punct'
    const closes = previous?.kind === 'punct' && previous.text === ')'
    if (previous !== undefined && (wordy(previous) || closes) && wordy(token)) out += ' '
    else if (previous !== undefined && (isSpacedPunct(previous) || isSpacedPunct(token))) out += ' '
    out += text
    previous = token
  }
  return out
}

function isSpacedPunct(token: Token): boolean {
  return token.kind === 'punct' && !['(', ')', ',', '.', '::', '[', ']'].includes(token.text)
}

/** True when the whole token list is wrapped in one pair of parentheses. */
function wrapped(tokens: readonly Token[]): boolean {
  if (tokens[0]?.text !== '(' || tokens[tokens.length - 1]?.text !== ')') return false
  let depth = 0
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token
    if (t.kind !== 'punct') continue
    if (t.text === '(') depth++
    if (t.text === ')') depth--
    if (depth === 0 && i < tokens.length - 1) return false
  }
  return true
}

/**
 * The canonical spelling of a SQL expression: keywords and unquoted names lower-cased, quotes
 * dropped from names that do not need them, whitespace and comments collapsed, outer
 * parentheses removed. String literals are kept byte for byte.
 *
 * @example
 * ```ts
 * normalizeSql('( "price"  >  0 )', 'sqlite') // => 'price > 0'
 * ```
 */
export function normalizeSql(text: string, dialect: SchemaDialect): string {
  let tokens = tokenize(text, dialect)
  while (tokens.length > 2 && wrapped(tokens)) tokens = tokens.slice(1, -1)
  return render(tokens)
}

const MYSQL_DISPLAY_WIDTH = /^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)/

/**
 * The canonical spelling of a column type: lower case, single spaces, and without what the
 * database reports but does not mean (MySQL integer display widths, except `tinyint(1)`, the
 * conventional boolean).
 *
 * @example
 * ```ts
 * normalizeType('INT(11) UNSIGNED', 'mysql') // => 'int unsigned'
 * ```
 */
export function normalizeType(text: string, dialect: SchemaDialect): string {
  let type = normalizeSql(text, dialect)
  if (dialect === 'mysql' && !/^tinyint\(1\)/.test(type)) type = type.replace(MYSQL_DISPLAY_WIDTH, '$1')
  if (dialect === 'mysql') type = type.replace(/^integer\b/, 'int')
  return type
}
