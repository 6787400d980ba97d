import { readFileSync } from 'node:fs'
import { nodeCrypto, sha256Hex } from '../digest.js'

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

/**
 * A digest of a revision file's exact text (SHA-1: it only tells texts apart, it vouches for
 * nothing), what names its compiled form: unlike {@link revisionChecksum}, any change to the text
 * changes it, trailing spaces in a multi-line string included.
 */
export function contentDigest(source: string): string {
  return nodeCrypto().hash('sha1', source)
}

/** The checksum of a revision file on disk, or null when it cannot be read. */
export function fileChecksum(path: string): string | null {
  return fileDigests(path)?.checksum ?? null
}

/** A revision file's {@link revisionChecksum} and {@link contentDigest}, or null when it cannot be read. */
export function fileDigests(path: string): { checksum: string; content: string } | null {
  let source: string
  try {
    source = readFileSync(path, 'utf8')
  } catch {
    return null
  }
  return { checksum: revisionChecksum(source), content: contentDigest(source) }
}
