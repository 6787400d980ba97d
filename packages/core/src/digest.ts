import type * as Crypto from 'node:crypto'

/**
 * `node:crypto`, loaded on first use. Loading it costs a module tree (~4 ms, streams included)
 * that graph-only commands never need: they name their cache files with {@link fingerprint}.
 */
export function nodeCrypto(): typeof Crypto {
  return process.getBuiltinModule('node:crypto')
}

/** SHA-256 of text, as 64 hex digits. */
export function sha256Hex(text: string): string {
  return nodeCrypto().createHash('sha256').update(text).digest('hex')
}

const TWO_32 = 2 ** 32
/** FNV-1a's 64-bit prime is 2^40 + 0x1b3; its offset basis is 0xcbf29ce484222325. */
const PRIME_LOW = 0x1b3
const OFFSET_HIGH = 0xcbf29ce4
const OFFSET_LOW = 0x84222325

/**
 * A 64-bit FNV-1a digest of `parts` (each UTF-16 code unit taken as two bytes, parts separated by
 * a zero unit), as 16 hex digits. It names cache entries whose input is the user's own text (a
 * folder's path, a config's source): a chance collision between two of them is 2^-64, and,
 * unlike {@link sha256Hex}, it needs no module loaded. Not for anything an adversary chooses.
 */
export function fingerprint(...parts: readonly string[]): string {
  let high = OFFSET_HIGH
  let low = OFFSET_LOW
  // h × (2^40 + 0x1b3) mod 2^64, on two 32-bit halves: 2^40 × low lands in the high half.
  const step = (byte: number): void => {
    low = (low ^ byte) >>> 0
    const product = low * PRIME_LOW
    high = (Math.imul(high, PRIME_LOW) + Math.floor(product / TWO_32) + (low << 8)) >>> 0
    low = product >>> 0
  }
  for (let p = 0; p < parts.length; p++) {
    if (p > 0) {
      step(0)
      step(0)
    }
    const text = parts[p] as string
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i)
      step(unit & 0xff)
      step(unit >>> 8)
    }
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0')
}
