import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  AmbiguousRevisionError,
  GraphError,
  MultipleHeadsError,
  type RevisionInput,
  RevisionMap,
} from '@migraph/graph'
import { SHAPES, type ShapeName } from './fixtures/graphs.js'

type Expect = readonly string[] | { readonly code: string; readonly mentions?: readonly string[] }

const table: Record<
  string,
  readonly (readonly [identifier: string, expect: Expect, current?: readonly string[]])[]
> = {
  // a1aa -> b1bb (feature) -> b2bb ; a1aa -> c1cc (other) -> c2cc
  labels: [
    ['heads', ['b2bb', 'c2cc']],
    [
      'head',
      {
        code: 'multiple-heads',
        mentions: [
          "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, " +
            "'<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
        ],
      },
    ],
    ['base', []],
    ['a1aa', ['a1aa']],
    ['feature', ['b1bb']],
    ['feat', ['b1bb']],
    ['feature@head', ['b2bb']],
    ['feature@heads', ['b2bb']],
    ['feature@base', []],
    ['feature@b2bb', ['b2bb']],
    ['feature@b2', ['b2bb']],
    ['feature@b', { code: 'ambiguous-revision' }],
    ['other@c', { code: 'ambiguous-revision' }],
    ['other@c2', ['c2cc']],
    ['feature@c2cc', { code: 'not-in-branch', mentions: ['c2cc', "'feature'"] }],
    ['b1bb@head', ['b2bb']],
    ['nosuch@head', { code: 'unknown-revision', mentions: ["'nosuch'"] }],
    ['b2', ['b2bb']],
    [
      'b',
      { code: 'ambiguous-revision', mentions: ["Multiple revisions start with 'b'", "'b1bb'", "'b2bb'"] },
    ],
    ['zzzz', { code: 'unknown-revision', mentions: ["'zzzz'"] }],
    ['zz', { code: 'unknown-revision', mentions: ['at least four characters'] }],
    ['-1', ['b1bb', 'c1cc']],
    // both heads walk to a1aa: named once; a walk that ends at base names no revision
    ['-2', ['a1aa']],
    ['-3', { code: 'relative-overshoot', mentions: ['walks down to base'] }],
    ['-4', { code: 'relative-overshoot' }],
    ['feature@-1', ['b1bb']],
    ['other@-2', ['a1aa']],
    ['+1', { code: 'unknown-revision' }],
    ['current', ['b1bb', 'c2cc'], ['b1bb', 'c2cc']],
    ['current', [], []],
  ],
  // abcd1111 -> abcd2222 -> abce3333 -> ab
  prefixes: [
    ['ab', ['ab']],
    ['abce', ['abce3333']],
    ['abcd', { code: 'ambiguous-revision', mentions: ["'abcd1111'", "'abcd2222'"] }],
    ['abc', { code: 'ambiguous-revision' }],
    ['abcd2', ['abcd2222']],
    ['head', ['ab']],
    ['-1', ['abce3333']],
  ],
  // a1aa -> (b1bb, b2bb) -> m1mm -> n1nn
  merge: [
    ['head', ['n1nn']],
    ['heads', ['n1nn']],
    ['-1', ['m1mm']],
    ['-2', { code: 'ambiguous-walk', mentions: ['m1mm', 'b1bb', 'b2bb'] }],
    ['m1mm@head', ['n1nn']],
    ['b1bb@head', ['n1nn']],
  ],
  // two roots, labels left / right
  twoBases: [
    ['left@head', ['a2aa']],
    ['right@head', ['x3xx']],
    ['right@-2', ['x1xx']],
    ['left@base', []],
    ['heads', ['a2aa', 'x3xx']],
    ['x1xx@head', ['x3xx']],
  ],
  // lib: a1aa -> a2aa ; app: x1xx -> x2xx (dependsOn a2aa) -> x3xx (dependsOn lib)
  dependsOn: [
    ['heads', ['x3xx']],
    ['head', { code: 'multiple-heads' }],
    ['lib@head', ['a2aa']],
    ['app@head', ['x3xx']],
    ['-1', ['x2xx']],
  ],
}

describe('identifier grammar (RevisionMap.resolve)', () => {
  for (const [shape, rows] of Object.entries(table)) {
    const map = RevisionMap.build(SHAPES[shape as ShapeName])
    for (const [identifier, expect, current] of rows) {
      test(`${shape}: ${JSON.stringify(identifier)}${current ? ` with current ${current.join(',')}` : ''}`, () => {
        if (Array.isArray(expect)) {
          assert.deepEqual(
            map.resolve(identifier, current).map((r) => r.revision),
            expect,
          )
          return
        }
        const failure = expect as { code: string; mentions?: readonly string[] }
        assert.throws(
          () => map.resolve(identifier, current),
          (e: unknown) => {
            assert.ok(e instanceof GraphError, String(e))
            assert.equal(e.code, failure.code, e.message)
            for (const m of failure.mentions ?? []) assert.ok(e.message.includes(m), `${e.message} / ${m}`)
            return true
          },
        )
      })
    }
  }

  test('error classes carry their data', () => {
    const map = RevisionMap.build(SHAPES.labels as RevisionInput[])
    assert.throws(
      () => map.resolve('head'),
      (e: unknown) =>
        e instanceof MultipleHeadsError && e.argument === 'head' && e.heads.join() === 'b2bb,c2cc',
    )
    assert.throws(
      () => map.resolve('b'),
      (e: unknown) =>
        e instanceof AmbiguousRevisionError && e.prefix === 'b' && e.candidates.join() === 'b1bb,b2bb',
    )
    assert.throws(
      () => map.resolve('other@head').concat(map.resolve('feature@head'), map.resolve('x@head')),
      (e: unknown) => e instanceof GraphError && e.code === 'unknown-revision',
    )
  })

  test('exact id wins over a longer id it prefixes; get() takes exact ids only', () => {
    const map = RevisionMap.build(SHAPES.prefixes as RevisionInput[])
    assert.equal(map.get('ab').revision, 'ab')
    assert.throws(
      () => map.get('abce'),
      (e: unknown) => e instanceof GraphError && e.code === 'unknown-revision',
    )
    assert.equal(map.has('ab'), true)
    assert.equal(map.has('abce'), false)
  })
})
