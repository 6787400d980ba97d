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
  // The two halves live in a typed array: kept in variables a closure updates, every update
  // would box a number, which made this hash a revision's source at tens of ns a character.
  const h = new Uint32Array([OFFSET_HIGH, OFFSET_LOW])
  for (let p = 0; p < parts.length; p++) {
    if (p > 0) {
      step(h, 0)
      step(h, 0)
    }
    const text = parts[p] as string
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i)
      step(h, unit & 0xff)
      step(h, unit >>> 8)
    }
  }
  return (h[0] as number).toString(16).padStart(8, '0') + (h[1] as number).toString(16).padStart(8, '0')
}

/**
 * One FNV-1a step on `h` = [high, low]: h = (h xor byte) × (2^40 + 0x1b3) mod 2^64, on 32-bit
 * halves (2^40 × low lands in the high half). Stores into the array keep each half mod 2^32.
 */
function step(h: Uint32Array, byte: number): void {
  const low = ((h[1] as number) ^ byte) >>> 0
  const product = low * PRIME_LOW
  h[0] = Math.imul(h[0] as number, PRIME_LOW) + Math.floor(product / TWO_32) + (low << 8)
  h[1] = product
}
