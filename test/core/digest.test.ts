import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import { fingerprint, sha256Hex } from '../../packages/core/src/digest.ts'

/** FNV-1a 64 over bytes, in BigInt: the definition, slow and plain. */
function referenceFnv1a64(bytes: readonly number[]): string {
  let hash = 0xcbf29ce484222325n
  for (const byte of bytes) {
    hash ^= BigInt(byte)
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return hash.toString(16).padStart(16, '0')
}

/** The bytes `fingerprint` hashes: UTF-16LE code units, parts separated by one zero unit. */
const bytesOf = (parts: readonly string[]): number[] =>
  parts.flatMap((part, p) => [...(p > 0 ? [0, 0] : []), ...[...Buffer.from(part, 'utf16le')]])

describe('fingerprint', () => {
  test('is FNV-1a 64 of the UTF-16LE code units', () => {
    for (const parts of [
      [''],
      ['a'],
      ['/home/ana/project/migrations'],
      ['2', '0.1.0', 'C:\\work\\app\\versions'],
      ['emoji 🚀 and ünïcode', 'line\nbreak'],
      ["export default defineConfig({ migrations: 'migrations' })\n".repeat(50)],
    ]) {
      assert.equal(fingerprint(...parts), referenceFnv1a64(bytesOf(parts)), JSON.stringify(parts))
    }
  })

  test('matches the published FNV-1a 64 vectors', () => {
    // "a" is one byte in the published vectors: 0x61; as a code unit it is 0x61 0x00.
    assert.equal(referenceFnv1a64([0x61]), 'af63dc4c8601ec8c')
    assert.equal(referenceFnv1a64([...Buffer.from('foobar')]), '85944171f73967e8')
  })

  test('tells apart the same text split differently', () => {
    assert.notEqual(fingerprint('ab', 'c'), fingerprint('a', 'bc'))
    assert.notEqual(fingerprint('abc'), fingerprint('ab', 'c'))
  })
})

test('sha256Hex is SHA-256', () => {
  const text = 'select 1; -- 🚀'
  assert.equal(sha256Hex(text), createHash('sha256').update(text).digest('hex'))
})
