import type { SqlFlavour } from '@migraph/operations'

/** One statement of a SQL text, as written, without its delimiter. */
export interface SqlStatement {
  /** The statement's text from its first token to the end of its last, comments inside kept. */
  readonly text: string
  /** The 1-based line of the statement's first token in the text split. */
  readonly line: number
  /** Its first words outside strings and comments, lower-cased (at most {@link WORDS_KEPT}). */
  readonly words: readonly string[]
}

/** Why a SQL text cannot be split: what is wrong, and the 1-based line where it starts. */
export class SqlSyntaxProblem {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {}
}

/** How a text is read: which quotes escape with a backslash, which comments nest. */
export interface SplitOptions {
  /**
   * `postgres`: dollar quotes, `E''` strings, nested block comments. `mysql`: backslash escapes in
   * `'` and `"` strings, `#` comments. `sqlite`: standard strings. Every flavour reads `DELIMITER`
   * lines (the mysql client's) and `CREATE TRIGGER ... BEGIN ... END;` bodies.
   */
  readonly flavour: SqlFlavour
  /** Added to every line number: where the text starts in its file, less one. */
  readonly lineOffset?: number | undefined
}

const WORDS_KEPT = 8
/** `END IF`, `END LOOP` ... close blocks a trigger body opens without BEGIN or CASE. */
const CLOSES_UNCOUNTED = /^\s+(?:if|loop|while|repeat)\b/i

const isWordStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127
const isWordChar = (c: number) => isWordStart(c) || (c >= 48 && c <= 57) || c === 36

/**
 * Splits SQL text into statements the way the database's own client does, so that a `;` inside a
 * string, a quoted identifier, a comment, a dollar-quoted body, a `DELIMITER` block or a trigger's
 * `BEGIN ... END` does not end a statement. Text that holds only comments and blanks yields no
 * statement. An unterminated string, quoted identifier, dollar quote or block comment is a
 * {@link SqlSyntaxProblem} (thrown), naming the line where it opens.
 *
 * @example
 * ```ts
 * splitSql("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; SELECT ';'", { flavour: 'postgres' })
 * // → two statements
 * ```
 */
export function splitSql(source: string, options: SplitOptions): SqlStatement[] {
  const { flavour } = options
  const pg = flavour === 'postgres'
  const my = flavour === 'mysql'
  const statements: SqlStatement[] = []
  const n = source.length
  let line = 1 + (options.lineOffset ?? 0)
  let i = 0
  let delimiter = ';'
  // The statement being read: where its first token starts (-1: none yet), its line, its words.
  let start = -1
  let startLine = 0
  let lastEnd = -1
  let words: string[] = []
  // Inside `CREATE TRIGGER`: the depth of BEGIN/CASE ... END blocks.
  let trigger = false
  let depth = 0

  const advanceLines = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (source.charCodeAt(k) === 10) line++
  }
  const begin = () => {
    if (start === -1) {
      start = i
      startLine = line
    }
  }
  const finish = () => {
    if (start !== -1) {
      statements.push(Object.freeze({ text: source.slice(start, lastEnd), line: startLine, words }))
    }
    start = -1
    lastEnd = -1
    words = []
    trigger = false
    depth = 0
  }
  /** Skips a quoted run that opened at `i` with `quote`; doubled quotes (and backslashes) escape. */
  const skipQuoted = (quote: number, backslash: boolean, what: string) => {
    const openLine = line
    let k = i + 1
    for (;;) {
      if (k >= n) throw new SqlSyntaxProblem(openLine, `unterminated ${what}`)
      const c = source.charCodeAt(k)
      if (c === 10) line++
      if (backslash && c === 92) {
        if (source.charCodeAt(k + 1) === 10) line++
        k += 2
        continue
      }
      if (c === quote) {
        if (source.charCodeAt(k + 1) === quote) {
          k += 2
          continue
        }
        i = k + 1
        return
      }
      k++
    }
  }

  while (i < n) {
    const c = source.charCodeAt(i)
    // A DELIMITER line (the mysql client's), only where a statement may start.
    if (start === -1 && (c === 68 || c === 100) && atLineStart(source, i)) {
      const match = /^delimiter[ \t]+(\S+)[ \t]*(?:\r?\n|$)/i.exec(source.slice(i, i + 80))
      if (match !== null) {
        delimiter = match[1] as string
        advanceLines(i, i + match[0].length)
        i += match[0].length
        continue
      }
    }
    if (c === 10) {
      line++
      i++
      continue
    }
    if (c === 32 || c === 9 || c === 13 || c === 12) {
      i++
      continue
    }
    // Comments: kept inside a statement, never one by themselves.
    if (c === 45 && source.charCodeAt(i + 1) === 45) {
      const end = source.indexOf('\n', i)
      i = end === -1 ? n : end
      continue
    }
    if (my && c === 35) {
      const end = source.indexOf('\n', i)
      i = end === -1 ? n : end
      continue
    }
    if (c === 47 && source.charCodeAt(i + 1) === 42) {
      const openLine = line
      let nesting = 1
      let k = i + 2
      while (nesting > 0) {
        if (k >= n) throw new SqlSyntaxProblem(openLine, 'unterminated /* comment')
        const d = source.charCodeAt(k)
        if (d === 10) line++
        if (d === 42 && source.charCodeAt(k + 1) === 47) {
          nesting--
          k += 2
        } else if (pg && d === 47 && source.charCodeAt(k + 1) === 42) {
          nesting++
          k += 2
        } else k++
      }
      i = k
      continue
    }
    // The delimiter ends the statement, unless inside a trigger's BEGIN ... END.
    if (source.startsWith(delimiter, i) && !(trigger && depth > 0 && delimiter === ';')) {
      finish()
      i += delimiter.length
      continue
    }
    begin()
    if (c === 39) {
      // 'string': E'...' (PostgreSQL) and every MySQL string take backslash escapes.
      skipQuoted(39, my, 'string')
    } else if (c === 34) {
      skipQuoted(34, my, my ? 'string' : 'quoted identifier')
    } else if (c === 96 && !pg) {
      skipQuoted(96, false, 'quoted identifier')
    } else if (pg && c === 36 && !isWordChar(source.charCodeAt(i - 1))) {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(source.slice(i, i + 64))
      if (tag === null) i++
      else {
        const close = source.indexOf(tag[0], i + tag[0].length)
        if (close === -1) throw new SqlSyntaxProblem(line, `unterminated dollar quote ${tag[0]}`)
        advanceLines(i, close)
        i = close + tag[0].length
      }
    } else if (isWordStart(c)) {
      let k = i + 1
      // A word ends at a custom delimiter (`END$$`), as the mysql client reads it.
      const custom = delimiter !== ';'
      while (k < n && isWordChar(source.charCodeAt(k)) && !(custom && source.startsWith(delimiter, k))) k++
      const word = source.slice(i, k).toLowerCase()
      if (pg && word === 'e' && source.charCodeAt(k) === 39) {
        // E'...': a string with backslash escapes.
        i = k
        skipQuoted(39, true, 'string')
        lastEnd = i
        continue
      }
      if (words.length < WORDS_KEPT) {
        words.push(word)
        if (word === 'trigger' && words[0] === 'create') trigger = true
      }
      if (trigger) {
        if (word === 'begin' || word === 'case') depth++
        else if (word === 'end' && depth > 0 && !CLOSES_UNCOUNTED.test(source.slice(k, k + 12))) depth--
      }
      i = k
    } else {
      i++
    }
    lastEnd = i
  }
  finish()
  return statements
}

function atLineStart(source: string, at: number): boolean {
  for (let k = at - 1; k >= 0; k--) {
    const c = source.charCodeAt(k)
    if (c === 10) return true
    if (c !== 32 && c !== 9) return false
  }
  return true
}

/** The first PostgreSQL release whose `ALTER TYPE ... ADD VALUE` runs inside a transaction. */
export const ADD_VALUE_IN_TRANSACTION_SINCE = 120000

/**
 * Why a statement cannot run inside a transaction on PostgreSQL (or SQLite, for `VACUUM`), from
 * its first words; undefined when it can. `ALTER TYPE ... ADD VALUE` counts only on a server
 * older than PostgreSQL 12 (`serverVersionNum` below 120000, as `server_version_num` reads): from
 * 12 on it runs in a transaction, and without a version it is taken to.
 */
export function outsideTransactionReason(
  statement: SqlStatement,
  serverVersionNum?: number,
): string | undefined {
  const w = statement.words
  const [first, second] = w
  if (first === 'alter' && second === 'type' && addsValue(w)) {
    return serverVersionNum !== undefined && serverVersionNum < ADD_VALUE_IN_TRANSACTION_SINCE
      ? 'ALTER TYPE ... ADD VALUE before PostgreSQL 12'
      : undefined
  }
  if (first === 'vacuum') return 'VACUUM'
  if (first === 'create' && second === 'database') return 'CREATE DATABASE'
  if (first === 'drop' && second === 'database') return 'DROP DATABASE'
  if (first === 'alter' && second === 'system') return 'ALTER SYSTEM'
  if (first === 'reindex' && w.includes('concurrently')) return 'REINDEX CONCURRENTLY'
  if (first === 'create' && (second === 'index' || (second === 'unique' && w[2] === 'index'))) {
    if (w[second === 'index' ? 2 : 3] === 'concurrently') return 'CREATE INDEX CONCURRENTLY'
  }
  if (first === 'drop' && second === 'index' && w[2] === 'concurrently') return 'DROP INDEX CONCURRENTLY'
  return undefined
}

/** `ALTER TYPE name ADD VALUE`, not `ALTER TYPE name ADD ATTRIBUTE` (a composite type's). */
function addsValue(words: readonly string[]): boolean {
  const add = words.indexOf('add', 2)
  return add !== -1 && words[add + 1] === 'value'
}
