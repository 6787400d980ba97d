import { EOF, Lexer, PUNCT, STRING, WORD } from './source-lexer.js'
import { scanCode, shebangEnd, skipRegex, slashStartsRegex } from './source-scanner.js'

/** A literal value a declaration can hold and be read without running it. */
export type LiteralValue = string | readonly string[] | boolean | null

/** One name a module exports at its top level, as its text declares it. */
export interface ExportDeclaration {
  readonly name: string
  /**
   * `literal`: `export const NAME = <literal>` (optionally typed, `as const` or `satisfies`);
   * `expression`: `export const NAME = <anything else>`; `other`: exported in another way
   * (`let`, `var`, a function, a class, `export { … }`, a destructuring pattern).
   */
  readonly form: 'literal' | 'expression' | 'other'
  /** The value of a `literal`. */
  readonly value?: LiteralValue
}

/**
 * The top-level exports named in `names` that a JavaScript or TypeScript module's text declares,
 * in the order written, without running or fully parsing it. Comments, strings, template
 * literals and regular expressions are skipped and brackets counted, so text that only looks like
 * a declaration (in a comment, a string, a template, a function body or a namespace) is not one.
 *
 * Literals are strings (quoted, or templates without substitutions), `null`, `undefined` (read as
 * null), `true`, `false` and arrays of strings.
 *
 * @example
 * scanExports("// export const a = 1\nexport const b = 'x' as const", new Set(['a', 'b']))
 * // → [{ name: 'b', form: 'literal', value: 'x' }]
 */
export function scanExports(text: string, names: ReadonlySet<string>): ExportDeclaration[] {
  // Every line terminator as LF, so that comments and strings end at one character: in code they
  // all end lines, and a template's value is the same with LF (JavaScript reads CRLF in it so).
  const src =
    text.includes('\r') || text.includes('\u2028') || text.includes('\u2029')
      ? text.replace(/\r\n?|[\u2028\u2029]/g, '\n')
      : text
  const out: ExportDeclaration[] = []
  scanCode(src, shebangEnd(src), (end) => readExport(new Lexer(src, end), names, out))
  return out
}

/**
 * Reads what follows an `export` keyword at the top level (`lex` stands just after it), and
 * returns where the scan of the module resumes.
 */
function readExport(lex: Lexer, names: ReadonlySet<string>, out: ExportDeclaration[]): number {
  const plain = readPlainConst(lex.src, lex.pos, names, out)
  if (plain !== -1) return plain
  lex.next()
  if (lex.kind === WORD) {
    switch (lex.value) {
      case 'const':
        return readDeclarators(lex, 'literal', names, out)
      case 'let':
      case 'var':
        return readDeclarators(lex, 'other', names, out)
      case 'async':
      case 'function':
      case 'class':
      case 'abstract':
      case 'enum': {
        // The declared name: the first word after the keywords (`function*` has a star).
        do lex.next()
        while ((lex.kind === WORD && DECLARATION_KEYWORDS.has(lex.value as string)) || lex.is('*'))
        if (lex.kind === WORD) record(out, names, lex.value as string, 'other')
        return lex.start
      }
      default:
        // `default`, `type`, `interface`, `declare`, `namespace`, `import x =`, `as namespace`:
        // no value under a name of its own, or none at run time.
        return lex.pos
    }
  }
  if (lex.is('{')) {
    // `export { a, b as c }`: each specifier's words (or quoted names), split at commas.
    let specifier: (string | undefined)[] = []
    for (lex.next(); lex.kind !== EOF; lex.next()) {
      if (lex.is(',') || lex.is('}')) {
        const name = exportedName(specifier)
        if (name !== undefined) record(out, names, name, 'other')
        specifier = []
        if (lex.is('}')) break
      } else {
        specifier.push(lex.kind === WORD || lex.kind === STRING ? lex.value : undefined)
      }
    }
    return lex.pos
  }
  return lex.start
}

// `const NAME[: T] = <literal>[ as const]` on one line, the literal a string without escapes,
// null, undefined, a boolean or an array of such strings, ending the statement: the shapes the
// revision template writes. One regular expression reads them several times faster than the
// lexer, which reads everything else (comments between the tokens, escapes, values across lines,
// several declarators) to the same result. The type may hold no quote, slash, `=` or line break,
// so no comment or string hides in it.
const STRING_LITERAL = String.raw`'[^'\\\n]*'|"[^"\\\n]*"`
const PLAIN_CONST = new RegExp(
  String.raw`\s+const\s+([A-Za-z_$][\w$]*)[ \t]*(?::[^=\n'"\u0060/]*)?=[ \t]*` +
    String.raw`(?:(${STRING_LITERAL})|(null|undefined|true|false)(?![\w$])|\[[ \t]*((?:${STRING_LITERAL})(?:[ \t]*,[ \t]*(?:${STRING_LITERAL}))*[ \t]*,?[ \t]*)?\])` +
    // Then the end of the statement: `;`, the end of the file, or a line break before a word that
    // starts another statement (not one that continues the expression).
    String.raw`[ \t]*(?:as[ \t]+const[ \t]*)?(?:;|$|(?=\n\s*(?:(?!(?:as|satisfies|in|instanceof)(?![\w$]))[A-Za-z_$]|$)))`,
  'y',
)
const STRING_ITEM = new RegExp(STRING_LITERAL, 'g')
const WORD_VALUES: Readonly<Record<string, LiteralValue>> = {
  null: null,
  undefined: null,
  true: true,
  false: false,
}

/**
 * Reads a declaration of the plain shape at `at` (just after `export`); returns where the scan
 * resumes, or -1 when the declaration has another shape.
 */
function readPlainConst(
  src: string,
  at: number,
  names: ReadonlySet<string>,
  out: ExportDeclaration[],
): number {
  PLAIN_CONST.lastIndex = at
  const match = PLAIN_CONST.exec(src)
  if (match === null) return -1
  const [, name, string, word, items] = match
  if (names.has(name as string)) {
    const value: LiteralValue =
      string !== undefined
        ? string.slice(1, -1)
        : word !== undefined
          ? (WORD_VALUES[word] as LiteralValue)
          : Object.freeze((items?.match(STRING_ITEM) ?? []).map((item) => item.slice(1, -1)))
    out.push({ name: name as string, form: 'literal', value })
  }
  return PLAIN_CONST.lastIndex
}

const DECLARATION_KEYWORDS = new Set(['async', 'function', 'class', 'abstract', 'enum'])

/**
 * The name a specifier of `export { … }` exports: `a`, `a as b`, `'a' as b`; none for a type
 * (`type a`, `type a as b`), which has no value.
 */
function exportedName(words: readonly (string | undefined)[]): string | undefined {
  if (words[0] === 'type' && words.length > 1 && words[1] !== 'as') return undefined
  return words.length >= 3 && words[words.length - 2] === 'as' ? words[words.length - 1] : words[0]
}

function record(
  out: ExportDeclaration[],
  names: ReadonlySet<string>,
  name: string,
  form: ExportDeclaration['form'],
  value?: LiteralValue,
): void {
  if (names.has(name)) out.push(form === 'literal' ? { name, form, value } : { name, form })
}

/** Marks a value that is not a literal. */
const NOT_LITERAL = Symbol('not a literal')

/**
 * Reads the declarators of a `const` (`literal`: a literal initializer makes a literal) or of a
 * `let` or `var` (`other`), from `lex`, which stands before the first binding, to the end of the
 * statement; returns where the statement ends.
 */
function readDeclarators(
  lex: Lexer,
  form: 'literal' | 'other',
  names: ReadonlySet<string>,
  out: ExportDeclaration[],
): number {
  for (;;) {
    lex.next()
    let valueStart: number
    if (lex.is('{') || lex.is('[')) {
      // A destructuring pattern: every name in it is bound from an expression.
      const close = lex.value === '{' ? '}' : ']'
      let nesting = 0
      for (lex.next(); lex.kind !== EOF; lex.next()) {
        if (lex.is('{') || lex.is('[')) nesting++
        else if (lex.is('}') || lex.is(']')) {
          if (nesting === 0 && lex.value === close) break
          nesting--
        } else if (lex.kind === WORD) record(out, names, lex.value as string, 'other')
      }
      valueStart = lex.pos
    } else {
      if (lex.kind !== WORD) return lex.start
      const name = lex.value as string
      lex.next()
      if (lex.is('!')) lex.next()
      if (lex.is(':')) {
        lex.next()
        skipType(lex, true)
      }
      if (!lex.is('=')) {
        // No initializer: `export let a;` (a syntax error for a const).
        record(out, names, name, 'other')
        if (lex.is(',')) continue
        return lex.kind === PUNCT && lex.value === ';' ? lex.pos : lex.start
      }
      valueStart = lex.pos
      const value = readLiteral(lex)
      if (value !== NOT_LITERAL && endsDeclarator(lex)) {
        record(out, names, name, form, value)
        if (lex.is(',')) continue
        return lex.is(';') ? lex.pos : lex.start
      }
      record(out, names, name, form === 'literal' ? 'expression' : 'other')
    }
    const end = skipExpression(lex.src, valueStart)
    if (!end.more) return end.resume
    lex.pos = end.resume
  }
}

/**
 * Whether the tokens after a literal end its declarator: after an optional `as const`, `as T`
 * or `satisfies T`, a `,`, a `;`, the end of the file, or a new line that starts a statement.
 */
function endsDeclarator(lex: Lexer): boolean {
  while (lex.isWord('as') || lex.isWord('satisfies')) {
    const as = lex.value === 'as'
    lex.next()
    if (as && lex.isWord('const')) lex.next()
    else skipType(lex, false)
  }
  return lex.is(',') || lex.is(';') || lex.kind === EOF || (lex.newline && startsStatement(lex))
}

/**
 * Reads a literal from `lex` (standing before it) and leaves `lex` on the token after it;
 * {@link NOT_LITERAL} when the value is not one (then `lex` stands anywhere within it).
 */
function readLiteral(lex: Lexer): LiteralValue | typeof NOT_LITERAL {
  lex.next()
  let value: LiteralValue | typeof NOT_LITERAL = NOT_LITERAL
  if (lex.kind === STRING) {
    value = lex.value ?? NOT_LITERAL
  } else if (lex.kind === WORD) {
    const word = lex.value
    value =
      word === 'null' || word === 'undefined'
        ? null
        : word === 'true'
          ? true
          : word === 'false'
            ? false
            : NOT_LITERAL
  } else if (lex.is('[')) {
    const items: string[] = []
    for (lex.next(); !lex.is(']'); lex.next()) {
      if (lex.kind !== STRING || lex.value === undefined) return NOT_LITERAL
      items.push(lex.value)
      lex.next()
      if (lex.is(']')) break
      if (!lex.is(',')) return NOT_LITERAL
    }
    value = Object.freeze(items)
  }
  if (value !== NOT_LITERAL) lex.next()
  return value
}

/**
 * Skips an initializer that is not a literal, from `start` (just after its `=`): to the `,` that
 * starts the next declarator (`more`), or to the end of the statement, at a `;` or where a
 * semicolon would be inserted (a new line that starts a statement after a complete value).
 */
function skipExpression(src: string, start: number): { resume: number; more: boolean } {
  const lex = new Lexer(src, start)
  let complete = false
  for (lex.next(); lex.kind !== EOF; lex.next()) {
    if (lex.newline && complete && startsStatement(lex)) return { resume: lex.start, more: false }
    if (lex.kind === PUNCT) {
      const p = lex.value
      if (p === ',' || p === ';') return { resume: lex.pos, more: p === ',' }
      if (p === '(' || p === '[' || p === '{') {
        lex.pos = scanCode(src, lex.pos)
        complete = true
        continue
      }
      if (p === ')' || p === ']' || p === '}') return { resume: lex.start, more: false }
      if (p === '/' && slashStartsRegex(src, lex.start)) {
        const close = skipRegex(src, lex.start)
        if (close !== -1) {
          lex.pos = close
          complete = true
          continue
        }
      }
      complete = false
    } else {
      complete = lex.kind !== WORD || !EXPECTS_OPERAND.has(lex.value as string)
    }
  }
  return { resume: lex.pos, more: false }
}

/** Words after which an expression goes on, whatever follows on the next line. */
const EXPECTS_OPERAND = new Set([
  'new',
  'typeof',
  'void',
  'delete',
  'await',
  'yield',
  'function',
  'class',
  'async',
  'in',
  'of',
  'instanceof',
  'as',
  'satisfies',
  'extends',
  'keyof',
])

/**
 * Whether a token on a new line, after a complete value, starts another statement (a semicolon
 * is inserted before it) rather than continuing the expression (`.join('')`, `+ x`, `[0]`, a
 * call, a tagged template).
 */
function startsStatement(lex: Lexer): boolean {
  if (lex.kind === WORD) return !CONTINUES_EXPRESSION.has(lex.value as string)
  // A quoted string; a template there would be tagged: `'a'\n\`b\`` calls 'a'.
  if (lex.kind === STRING) return lex.src.charCodeAt(lex.start) !== BACKTICK
  return (
    lex.kind === PUNCT && (lex.value === '{' || lex.value === '}' || lex.value === '@' || lex.value === '#')
  )
}

const BACKTICK = 96

const CONTINUES_EXPRESSION = new Set(['as', 'satisfies', 'in', 'instanceof'])

/**
 * Skips a type from `lex` (standing on its first token), leaving `lex` on the token after it:
 * the `=` of an annotation (`annotation`), else a `,`, a `;` or the first token of the next
 * statement.
 */
function skipType(lex: Lexer, annotation: boolean): void {
  let nesting = 0
  let complete = false
  for (; lex.kind !== EOF; lex.next()) {
    if (nesting === 0) {
      if (lex.is(',') || lex.is(';') || (annotation && lex.is('='))) return
      if (!annotation && complete && lex.newline && startsStatement(lex)) return
    }
    if (lex.kind === PUNCT) {
      const p = lex.value
      if (p === '(' || p === '[' || p === '{' || p === '<') nesting++
      else if (p === ')' || p === ']' || p === '}' || p === '>') nesting--
      complete = p === ')' || p === ']' || p === '}' || p === '>'
    } else {
      complete = lex.kind !== WORD || !TYPE_OPERATORS.has(lex.value as string)
    }
  }
}

const TYPE_OPERATORS = new Set(['keyof', 'typeof', 'readonly', 'unique', 'infer', 'extends', 'is', 'asserts'])
