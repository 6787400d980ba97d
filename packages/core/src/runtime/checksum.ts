import { readFileSync } from 'node:fs'
import { sha256Hex } from '../digest.js'

/**
 * SHA-256 of a revision file's source, normalised so that line endings (CRLF/LF), a byte-order
 * mark and trailing whitespace are not edits, while any change to the code is.
 */
export function revisionChecksum(source: string): string {
  const normalised = source
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n+$/, '\n')
  return sha256Hex(normalised)
}

/** The checksum of a revision file on disk, or null when it cannot be read. */
export function fileChecksum(path: string): string | null {
  try {
    return revisionChecksum(readFileSync(path, 'utf8'))
  } catch {
    return null
  }
}
