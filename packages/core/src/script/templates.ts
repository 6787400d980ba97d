import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { importExternal } from '../external-import.js'

/** The folder of built-in templates shipped with the package (`revision.ts.ejs`, `init/<name>/`). */
export const TEMPLATES_DIR: string = fileURLToPath(new URL('../../templates/', import.meta.url))

/** Renders a TypeScript literal: strings single-quoted and escaped, arrays, null. */
export function tsLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return quote(value)
  if (typeof value === 'boolean' || typeof value === 'number') return String(value)
  if (Array.isArray(value)) {
    if (value.length === 1 && typeof value[0] === 'string') return `[${quote(value[0])}]`
    return `[${value.map((v) => tsLiteral(v)).join(', ')}]`
  }
  throw new TypeError(`cannot render ${typeof value} as a literal`)
}

function quote(value: string): string {
  let out = "'"
  for (const ch of value) {
    if (ch === "'" || ch === '\\') out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\u2028' || ch === '\u2029' || ch < ' ')
      out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
    else out += ch
  }
  return `${out}'`
}

/** Renders text as the lines of a block comment; `*\/` cannot close the comment early. */
export function commentLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => ` * ${line.replaceAll('*/', '*\\/')}`.trimEnd())
    .join('\n')
}

/** Renders text as `--` comment lines, for the header of a `.sql` revision. */
export function sqlCommentLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `-- ${line}`.trimEnd())
    .join('\n')
}

/** Renders an ejs template file with migraph's helpers (`literal`, `comment`, `sqlComment`) in scope. */
export async function renderTemplate(file: string, data: Record<string, unknown>): Promise<string> {
  const ejs = await importExternal<typeof import('ejs')>('ejs')
  const source = readFileSync(file, 'utf8')
  return ejs.render(
    source,
    { literal: tsLiteral, comment: commentLines, sqlComment: sqlCommentLines, ...data },
    { filename: file, async: false },
  )
}
