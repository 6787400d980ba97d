import { readFileSync } from 'node:fs'
import { nodeCrypto } from '../digest.js'

/**
 * What marks a checksum taken under the current rule (see {@link revisionChecksum}); one recorded
 * without it, 64 hex digits, was taken under the first rule ({@link legacyChecksum}).
 */
const CHECKSUM_PREFIX = 'v2:'

/**
 * The checksum recorded for a revision file: SHA-256 of its text with line endings (CRLF, CR)
 * made LF and a leading byte-order mark dropped, which never change what the code does; any
 * other edit changes it, trailing spaces included (inside a multi-line SQL string they change
 * the SQL). Written as `v2:` and the digest in base64url, 46 characters.
 */
export function revisionChecksum(source: string): string {
  const normalised = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  return CHECKSUM_PREFIX + nodeCrypto().createHash('sha256').update(normalised).digest('base64url')
}

/**
 * The checksum under the first rule, which also ignored trailing spaces and blank lines at the
 * end: 64 hex digits. A history entry recorded under it is compared under it (see
 * {@link checksumMatches}), so that a database migrated before the rule changed does not report
 * every applied revision as changed; it cannot tell a trailing-space edit, as it never could.
 */
export function legacyChecksum(source: string): string {
  const normalised = source
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n+$/, '\n')
  return nodeCrypto().createHash('sha256').update(normalised).digest('hex')
}

/** Whether a recorded checksum was taken under the first rule. */
export function isLegacyChecksum(recorded: string): boolean {
  return !recorded.startsWith(CHECKSUM_PREFIX)
}

/** A function giving a revision file's checksum, or null when it cannot be read. */
export type ChecksumOf = (file: string) => string | null

/** Where a file's checksums come from: under the current rule, and under the first. */
export interface ChecksumSource {
  readonly checksum: ChecksumOf
  readonly legacyChecksum: ChecksumOf
}

/** Whether a file still has the checksum recorded for it, under the rule it was recorded by. */
export function checksumMatches(
  recorded: string,
  file: string,
  source: Partial<ChecksumSource> = {},
): boolean {
  const of = isLegacyChecksum(recorded)
    ? (source.legacyChecksum ?? fileLegacyChecksum)
    : (source.checksum ?? fileChecksum)
  return of(file) === recorded
}

/**
 * A digest of a revision file's exact text (SHA-1: it only tells texts apart, it vouches for
 * nothing), what names its compiled form: unlike {@link revisionChecksum}, any change to the text
 * changes it, line endings included.
 */
export function contentDigest(source: string): string {
  return nodeCrypto().hash('sha1', source)
}

/** The checksum of a revision file on disk, or null when it cannot be read. */
export function fileChecksum(path: string): string | null {
  return fileDigests(path)?.checksum ?? null
}

/** The {@link legacyChecksum} of a revision file on disk, or null when it cannot be read. */
export function fileLegacyChecksum(path: string): string | null {
  return fileDigests(path)?.legacy ?? null
}

/**
 * A revision file's {@link revisionChecksum}, {@link legacyChecksum} and {@link contentDigest},
 * or null when it cannot be read.
 */
export function fileDigests(path: string): { checksum: string; legacy: string; content: string } | null {
  let source: string
  try {
    source = readFileSync(path, 'utf8')
  } catch {
    return null
  }
  return {
    checksum: revisionChecksum(source),
    legacy: legacyChecksum(source),
    content: contentDigest(source),
  }
}
