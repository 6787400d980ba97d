// One token at a time, for the few declarations the export scanner reads closely.
import { blockEnd, isIdentPart, isSpace, lineEnd, stringEnd, templateEnd } from './source-scanner.js'

const LF = 10
const DQUOTE = 34
const SQUOTE = 39
const STAR = 42
const SLASH = 47
const EQ = 61
const GT = 62
const BACKTICK = 96

// Token kinds of {@link Lexer}, typed `number` so that a check of `kind` survives `next()`.
export const EOF: number = 0
export const WORD: number = 1
/** A quoted string or a template literal without substitutions; `value` is its text, or undefined when malformed. */
export const STRING: number = 2
/** A template literal with substitutions: an expression. */
export const TEMPLATE: number = 3
export const PUNCT: number = 4

/**
 * Reads one token at a time from `pos`, skipping whitespace and comments, for the declarations
 * the export scanner reads closely. Punctuation is one character, except `=>`.
 */
export class Lexer {
  readonly src: string
  /** Where the token ends, and the next is read from. */
  pos: number
  kind = EOF
  /** Where the token starts. */
  start = 0
  /** Whether a line ended between the previous token and this one. */
  newline = false
  /** For a {@link STRING}: whether it is terminated, so that it has a value. */
  #terminated = false

  constructor(src: string, pos: number) {
    this.src = src
    this.pos = pos
  }

  next(): void {
    const src = this.src
    const n = src.length
    let i = this.pos
    let newline = false
    while (i < n) {
      const c = src.charCodeAt(i)
      if (c === LF) newline = true
      else if (c === SLASH && src.charCodeAt(i + 1) === SLASH) {
        i = lineEnd(src, i + 2)
        continue
      } else if (c === SLASH && src.charCodeAt(i + 1) === STAR) {
        const end = blockEnd(src, i + 2)
        // A comment spanning lines counts as a line ending, as for semicolon insertion.
        if (!newline && src.lastIndexOf('\n', end - 1) > i) newline = true
        i = end
        continue
      } else if (!isSpace(c)) break
      i++
    }
    this.newline = newline
    this.start = i
    if (i >= n) {
      this.kind = EOF
      this.pos = n
      return
    }
    const c = src.charCodeAt(i)
    if (isIdentPart(c)) {
      let end = i + 1
      while (end < n && isIdentPart(src.charCodeAt(end))) end++
      this.kind = WORD
      this.pos = end
    } else if (c === SQUOTE || c === DQUOTE) {
      const end = stringEnd(src, i)
      this.kind = STRING
      this.#terminated = end >= 0
      this.pos = end < 0 ? ~end : end
    } else if (c === BACKTICK) {
      const { end, substituted } = templateEnd(src, i)
      this.kind = substituted ? TEMPLATE : STRING
      this.#terminated = end >= 0
      this.pos = end < 0 ? ~end : end
    } else {
      this.kind = PUNCT
      this.pos = c === EQ && src.charCodeAt(i + 1) === GT ? i + 2 : i + 1
    }
  }

  /**
   * The token's text (a word, a punctuator), or a string's value (undefined when it is
   * unterminated or has an escape that is not well-formed).
   */
  get value(): string | undefined {
    if (this.kind === STRING)
      return this.#terminated ? cook(this.src, this.start + 1, this.pos - 1) : undefined
    return this.kind === EOF || this.kind === TEMPLATE ? undefined : this.src.slice(this.start, this.pos)
  }

  /** Whether the token is the punctuator `p`. */
  is(p: string): boolean {
    return this.kind === PUNCT && this.#text(p)
  }

  /** Whether the token is the word `w`. */
  isWord(w: string): boolean {
    return this.kind === WORD && this.#text(w)
  }

  #text(text: string): boolean {
    return this.pos - this.start === text.length && this.src.startsWith(text, this.start)
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
}

/**
 * The value of a string's text between `start` and `end`, escapes decoded; undefined for an
 * escape that is not well-formed (then it is not a literal we read).
 */
function cook(src: string, start: number, end: number): string | undefined {
  const slash = src.indexOf('\\', start)
  if (slash === -1 || slash >= end) return src.slice(start, end)
  let out = src.slice(start, slash)
  let i = slash
  while (i < end) {
    const c = src[i] as string
    if (c !== '\\') {
      out += c
      i++
      continue
    }
    const e = src[i + 1] as string
    i += 2
    if (e === '\n') continue
    if (e === 'x' || e === 'u') {
      const braced = e === 'u' && src[i] === '{'
      const close = braced ? src.indexOf('}', i) : -1
      const hex = braced ? src.slice(i + 1, close) : src.slice(i, i + (e === 'x' ? 2 : 4))
      if (!/^[0-9a-fA-F]+$/.test(hex) || (!braced && hex.length !== (e === 'x' ? 2 : 4))) return undefined
      const code = Number.parseInt(hex, 16)
      if (code > 0x10ffff) return undefined
      out += String.fromCodePoint(code)
      i = braced ? close + 1 : i + hex.length
      continue
    }
    if (e >= '1' && e <= '9') return undefined
    out += SIMPLE_ESCAPES[e] ?? e
  }
  return out
}
