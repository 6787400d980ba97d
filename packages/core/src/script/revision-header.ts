import { type ExportDeclaration, scanExports } from './export-scanner.js'

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
  /** `export const replaces = ['a', 'b']`: the revisions a squash stands for, in order. */
  readonly replaces: readonly string[] | null
}

/** Why a header field cannot be read from the file's text. */
export interface HeaderProblem {
  /** The field: `revision`, `downRevision`, `branchLabels`, `dependsOn` or `transactional`. */
  readonly name: string
  /** What is wrong, for a message that names the file first. */
  readonly reason: string
}

/** The header fields, exported by every revision module that declares them. */
export const HEADER_FIELDS = [
  'revision',
  'downRevision',
  'branchLabels',
  'dependsOn',
  'transactional',
  'replaces',
] as const

export const HEADER_NAMES: ReadonlySet<string> = new Set(HEADER_FIELDS)

/**
 * Reads `revision`, `downRevision`, `branchLabels`, `dependsOn`, `transactional` and the
 * message from a revision file's source text, without running it. Only top-level
 * `export const NAME = <literal>` declarations count (strings, `null`, arrays of strings,
 * booleans; typed, `as const` or `satisfies` alike): text that only looks like one, in a comment,
 * a string or a template literal, does not. A field declared any other way (an expression, a
 * variable, `let`, `export { … }`) is a problem, in `problems`: graph commands never run revision
 * code to learn what it holds.
 */
export function parseRevisionHeader(source: string): {
  readonly header: Partial<RevisionHeader>
  readonly problems: readonly HeaderProblem[]
} {
  const header: Record<string, unknown> = {}
  const problems: HeaderProblem[] = []
  const declarations = scanExports(source, HEADER_NAMES)
  for (let i = 0; i < declarations.length; i++) {
    const { name, form, value } = declarations[i] as ExportDeclaration
    if (declarations.findIndex((d) => d.name === name) !== i) {
      problems.push({ name, reason: `'${name}' is exported more than once` })
    } else if (form === 'literal') {
      header[name] = value
    } else {
      problems.push({ name, reason: notLiteral(name, form) })
    }
  }
  if ('transactional' in header && typeof header.transactional !== 'boolean') {
    problems.push({
      name: 'transactional',
      reason: `'transactional' must be true or false, got ${JSON.stringify(header.transactional)}`,
    })
  }
  const doc = readDocComment(source)
  header.message = doc.message
  header.createDate = doc.createDate
  header.doc = doc.doc
  return { header: header as Partial<RevisionHeader>, problems }
}

function notLiteral(name: string, form: 'expression' | 'other'): string {
  const literal =
    name === 'transactional'
      ? 'true or false'
      : name === 'revision'
        ? 'a string'
        : 'null, a string or an array of strings'
  return form === 'expression'
    ? `header field '${name}' is not a literal (${literal}): it is read without running the file`
    : `header field '${name}' must be declared 'export const ${name} = <literal>' (${literal}): it is read without running the file`
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
