import { closeSync, openSync, readSync } from 'node:fs'
import { RevisionFileError } from '../errors.js'
import { parseRevisionHeader, type RevisionHeader } from './revision-header.js'
import { isSqlRevisionFile, outsideTransactionStatement, parseSqlRevision } from './sql-revision.js'

/** One revision file: its header, read statically, and where it lives. */
export interface RevisionScript extends RevisionHeader {
  readonly path: string
  readonly versionLocation: string
}

let readBuffer = Buffer.allocUnsafe(64 * 1024)

/**
 * A revision file's text. One open, one read and one close per file: `readFileSync` spends a
 * second read (and option handling) per file, which shows at thousands of revisions. A read that
 * returns less than was asked for is the end of a regular file; a file that fills the buffer
 * grows it and reads on.
 */
export function readSource(file: string): string {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (error) {
    throw new RevisionFileError(file, `cannot read ${file}: ${(error as Error).message}`)
  }
  try {
    let length = 0
    for (;;) {
      const read = readSync(fd, readBuffer, length, readBuffer.length - length, length)
      length += read
      if (read === 0 || length < readBuffer.length) break
      const larger = Buffer.allocUnsafe(readBuffer.length * 2)
      readBuffer.copy(larger, 0, 0, length)
      readBuffer = larger
    }
    return readBuffer.toString('utf8', 0, length)
  } catch (error) {
    throw new RevisionFileError(file, `cannot read ${file}: ${(error as Error).message}`)
  } finally {
    closeSync(fd)
  }
}

/** The header of a revision file, read from its text; every field must be a literal. */
export function readHeader(file: string, source: string): Partial<RevisionHeader> {
  if (isSqlRevisionFile(file)) {
    const parsed = parseSqlRevision(file, source)
    const transactional = !parsed.noTransaction && outsideTransactionStatement(parsed) === undefined
    return { ...parsed.header, transactional }
  }
  const { header, problems } = parseRevisionHeader(source)
  const problem = problems[0]
  if (problem !== undefined) throw new RevisionFileError(file, `${file}: ${problem.reason}`)
  if (header.revision === undefined) {
    throw new RevisionFileError(file, `${file}: missing export 'revision' (a string literal id)`)
  }
  return header
}

export function checkHeader(file: string, location: string, h: Partial<RevisionHeader>): RevisionScript {
  const revision = h.revision
  if (typeof revision !== 'string' || revision === '') {
    throw new RevisionFileError(
      file,
      `${file}: 'revision' must be a non-empty string, got ${JSON.stringify(revision)}`,
    )
  }
  return Object.freeze({
    revision,
    downRevision: idList(file, 'downRevision', h.downRevision, true),
    branchLabels: idList(file, 'branchLabels', h.branchLabels, false) as readonly string[] | null,
    dependsOn: idList(file, 'dependsOn', h.dependsOn, false) as readonly string[] | null,
    message: h.message ?? null,
    createDate: h.createDate ?? null,
    doc: h.doc ?? null,
    transactional: h.transactional ?? true,
    replaces: idList(file, 'replaces', h.replaces, false) as readonly string[] | null,
    path: file,
    versionLocation: location,
  })
}

function idList(
  file: string,
  name: string,
  value: unknown,
  allowSingle: boolean,
): string | readonly string[] | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string' && (allowSingle || value !== ''))
    return allowSingle ? value : Object.freeze([value])
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '')) {
    return Object.freeze([...value])
  }
  throw new RevisionFileError(
    file,
    `${file}: '${name}' must be ${allowSingle ? 'null, a revision id or an array of ids' : 'null or an array of strings'}, got ${JSON.stringify(value)}`,
  )
}
