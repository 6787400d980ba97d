// The lexical layer under the export scanner: skipping whitespace, comments, strings, template
// literals and regular expressions in JavaScript and TypeScript source, and counting brackets, to
// find what stands at a module's top level. Positions are UTF-16 indices into the source, whose
// line endings are all LF (the export scanner makes them so).

const LF = 10
const SPACE = 32
const BANG = 33
const DQUOTE = 34
const HASH = 35
const DOLLAR = 36
const SQUOTE = 39
const LPAREN = 40
const RPAREN = 41
const STAR = 42
const DOT = 46
const SLASH = 47
const LBRACKET = 91
const BACKSLASH = 92
const RBRACKET = 93
const BACKTICK = 96
const LBRACE = 123
const RBRACE = 125

/** Whether `c`, at or above 0x80, is one of Unicode's spaces (any other counts as a letter). */
function isUnicodeSpace(c: number): boolean {
  return (
    c === 0xa0 ||
    c === 0xfeff ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  )
}

// Character classes of ASCII, one table lookup per character in the scanning loops.
const OTHER = 0
const BLANK = 1
const IDENT = 2
const ASCII = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  ASCII[c] =
    c <= SPACE || c === 127
      ? BLANK
      : ((c | 32) >= 97 && (c | 32) <= 122) || (c >= 48 && c <= 57) || c === 95 || c === DOLLAR
        ? IDENT
        : OTHER
}

function classOf(c: number): number {
  return c < 128 ? (ASCII[c] as number) : isUnicodeSpace(c) ? BLANK : IDENT
}

/** Whether `c` is whitespace: ASCII controls and space, and Unicode's spaces. */
export function isSpace(c: number): boolean {
  return classOf(c) === BLANK
}

/**
 * Whether `c` can be part of an identifier, or of a number (which the scan reads as a word: it
 * only needs to know that a value ended).
 */
export function isIdentPart(c: number): boolean {
  return classOf(c) === IDENT
}

/** The end of a `//` comment starting at `i`: its line feed (line endings are LF by now). */
export function lineEnd(src: string, i: number): number {
  const nl = src.indexOf('\n', i)
  return nl === -1 ? src.length : nl
}

/** The position after the `*\/` closing a block comment whose text starts at `i`. */
export function blockEnd(src: string, i: number): number {
  const close = src.indexOf('*/', i)
  return close === -1 ? src.length : close + 2
}

/**
 * The position after a quoted string starting at `i`. An unterminated one ends at its line's
 * end, as a string cannot span lines: a stray quote never hides more than its line.
 */
export function skipString(src: string, i: number): number {
  const end = stringEnd(src, i)
  return end < 0 ? ~end : end
}

/** Like {@link skipString}, but the bitwise complement of where it stops when unterminated. */
export function stringEnd(src: string, i: number): number {
  const quote = src.charCodeAt(i)
  const n = src.length
  let j = i + 1
  while (j < n) {
    const c = src.charCodeAt(j)
    if (c === quote) return j + 1
    if (c === BACKSLASH) j += 2
    else if (c === LF) return ~j
    else j++
  }
  return ~n
}

/** The position after a template literal starting at `i`, its `${…}` substitutions included. */
export function skipTemplate(src: string, i: number): number {
  const { end } = templateEnd(src, i)
  return end < 0 ? ~end : end
}

/**
 * Like {@link skipTemplate}, but the bitwise complement of the end when unterminated; and
 * whether the template has a substitution.
 */
export function templateEnd(src: string, i: number): { end: number; substituted: boolean } {
  const n = src.length
  let j = i + 1
  let found = false
  while (j < n) {
    const c = src.charCodeAt(j)
    if (c === BACKTICK) return { end: j + 1, substituted: found }
    if (c === BACKSLASH) j += 2
    else if (c === DOLLAR && src.charCodeAt(j + 1) === LBRACE) {
      found = true
      j = scanCode(src, j + 2)
    } else j++
  }
  return { end: ~n, substituted: found }
}

/**
 * The position after a regular expression literal starting at `i` (flags included), or -1 when
 * none ends on this line, which makes the slash a division after all.
 */
export function skipRegex(src: string, i: number): number {
  const n = src.length
  let inClass = false
  for (let j = i + 1; j < n; j++) {
    const c = src.charCodeAt(j)
    if (c === LF) return -1
    if (c === BACKSLASH) j++
    else if (inClass) inClass = c !== RBRACKET
    else if (c === LBRACKET) inClass = true
    else if (c === SLASH) {
      let end = j + 1
      while (end < n && isIdentPart(src.charCodeAt(end))) end++
      return end
    }
  }
  return -1
}

// Keywords after which a slash starts a regular expression rather than dividing.
const REGEX_AFTER = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
  'extends',
])

/**
 * Whether the `/` at `at` (not a comment) starts a regular expression rather than dividing,
 * judged by the token before it: a value (a name, a number, a string, `)` or `]`) is divided,
 * after anything else (an operator, `(`, `,`, `{`, `}`, a keyword such as `return`) an expression
 * starts. The grammar alone cannot always tell (`if (x) /re/.test(s)`); this is the usual guess,
 * and a wrong one is bounded: a regular expression ends on its line, or the slash divides.
 */
export function slashStartsRegex(src: string, at: number): boolean {
  let k = previousNonSpace(src, at)
  // Before a block comment, the token before it.
  while (k > 0 && src.charCodeAt(k) === SLASH && src.charCodeAt(k - 1) === STAR) {
    k = previousNonSpace(src, src.lastIndexOf('/*', k - 2))
  }
  if (k < 0) return true
  const c = src.charCodeAt(k)
  if (isIdentPart(c)) {
    let start = k
    while (start > 0 && isIdentPart(src.charCodeAt(start - 1))) start--
    return k + 1 - start <= 10 && REGEX_AFTER.has(src.slice(start, k + 1))
  }
  return !(c === RPAREN || c === RBRACKET || c === SQUOTE || c === DQUOTE || c === BACKTICK)
}

// The next character that matters to a scan: the regular expression engine skips everything
// else (names, numbers, operators, spaces) in native code, several times faster than a loop over
// every character in JavaScript; `test` with the global flag moves `lastIndex` without making a
// match object.
const NEXT = /['"\u0060/{}()[\]]/g

/**
 * Scans code from `i`, skipping strings, templates, comments and regular expressions and counting
 * brackets. Without `onExport`, the code is the inside of brackets (of a `${…}`, say): returns
 * the position after the closing bracket that does not match one inside. With it, the code is a
 * module from its start, and the scan runs to the end: `onExport` hears of each `export` keyword
 * at the top level (its end), and returns where to resume.
 */
export function scanCode(src: string, i: number, onExport?: (end: number) => number): number {
  const n = src.length
  let depth = 0
  let nextExport = onExport === undefined ? -1 : src.indexOf('export', i)
  while (i < n) {
    NEXT.lastIndex = i
    const found = NEXT.test(src)
    const at = found ? NEXT.lastIndex - 1 : n
    // An `export` before the next character that matters lies in plain code.
    if (nextExport !== -1 && nextExport < at) {
      const end = nextExport + 6
      nextExport = src.indexOf('export', end)
      if (depth === 0 && onExport !== undefined && isKeywordAt(src, end - 6, end)) {
        i = onExport(end)
        if (nextExport !== -1 && nextExport < i) nextExport = src.indexOf('export', i)
      }
      continue
    }
    if (!found) return n
    const c = src.charCodeAt(at)
    i = at + 1
    switch (c) {
      case SQUOTE:
      case DQUOTE:
        i = skipString(src, at)
        break
      case BACKTICK:
        i = skipTemplate(src, at)
        break
      case SLASH: {
        const next = src.charCodeAt(i)
        if (next === SLASH) i = lineEnd(src, i + 1)
        else if (next === STAR) i = blockEnd(src, i + 1)
        else if (slashStartsRegex(src, at)) {
          const close = skipRegex(src, at)
          if (close !== -1) i = close
        }
        break
      }
      case LBRACE:
      case LPAREN:
      case LBRACKET:
        depth++
        break
      case RBRACE:
      case RPAREN:
      case RBRACKET:
        if (depth === 0 && onExport === undefined) return i
        if (depth > 0) depth--
        break
    }
    if (nextExport !== -1 && nextExport < i) nextExport = src.indexOf('export', i)
  }
  return n
}

/** Whether the word at `start`..`end` stands alone, not as part of a name or after a dot. */
function isKeywordAt(src: string, start: number, end: number): boolean {
  return (
    !isIdentPart(src.charCodeAt(end)) &&
    (start === 0 || !isIdentPart(src.charCodeAt(start - 1))) &&
    src.charCodeAt(previousNonSpace(src, start)) !== DOT
  )
}

/** The position of the last character before `i` that is not a space (-1 when none). */
function previousNonSpace(src: string, i: number): number {
  let k = i - 1
  while (k >= 0 && isSpace(src.charCodeAt(k))) k--
  return k
}

/** Characters of the shebang line `#!`, ignored at the very start of a file. */
export function shebangEnd(src: string): number {
  return src.charCodeAt(0) === HASH && src.charCodeAt(1) === BANG ? lineEnd(src, 2) : 0
}
