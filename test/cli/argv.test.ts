// The argv rewriting that lets yargs read options as argparse (and so Alembic) reads them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { normalizeArgv, restoreArguments } from '../../packages/cli/src/argv.js'

const MARK = '\u0000'

test('a value glued to a short option becomes --name=value, for every short option with a value', () => {
  assert.deepEqual(normalizeArgv(['history', '-rbase:heads']), ['history', '--rev-range=base:heads'])
  assert.deepEqual(normalizeArgv(['history', '-rhead:']), ['history', '--rev-range=head:'])
  assert.deepEqual(normalizeArgv(['history', '-rc:+2']), ['history', '--rev-range=c:+2'])
  assert.deepEqual(normalizeArgv(['history', '-r-3:current']), ['history', '--rev-range=-3:current'])
  assert.deepEqual(normalizeArgv(['revision', '-mhello world']), ['revision', '--message=hello world'])
  assert.deepEqual(normalizeArgv(['-cother.config.ts', 'heads']), ['--config=other.config.ts', 'heads'])
  assert.deepEqual(normalizeArgv(['-xkey=value', 'upgrade', 'head']), ['--x=key=value', 'upgrade', 'head'])
  assert.deepEqual(normalizeArgv(['init', '-tgeneric']), ['init', '--template=generic'])
})

test('a separate value is taken whatever it starts with; -r=VALUE is VALUE, as argparse reads it', () => {
  assert.deepEqual(normalizeArgv(['history', '-r', 'base:heads']), ['history', '--rev-range=base:heads'])
  assert.deepEqual(normalizeArgv(['history', '-r', '-3:current']), ['history', '--rev-range=-3:current'])
  assert.deepEqual(normalizeArgv(['history', '-r=a1:b1']), ['history', '--rev-range=a1:b1'])
  assert.deepEqual(normalizeArgv(['history', '--rev-range', '-3:']), ['history', '--rev-range=-3:'])
})

test('flags may lead a group that ends in a valued option', () => {
  assert.deepEqual(normalizeArgv(['history', '-vrcurrent:']), ['history', '-v', '--rev-range=current:'])
  assert.deepEqual(normalizeArgv(['history', '-vi']), ['history', '-v', '-i'])
  assert.deepEqual(normalizeArgv(['history', '-vr', 'a:b']), ['history', '-v', '--rev-range=a:b'])
})

test('arguments that start with - and a digit are marked, and the mark is removed after parsing', () => {
  assert.deepEqual(normalizeArgv(['upgrade', '-1:head', '--sql']), ['upgrade', `${MARK}-1:head`, '--sql'])
  assert.deepEqual(normalizeArgv(['downgrade', '-1']), ['downgrade', `${MARK}-1`])
  const argv: Record<string, unknown> = {
    _: ['stamp'],
    revisions: [`${MARK}-1:a`, 'b'],
    revision: `${MARK}-2`,
  }
  restoreArguments(argv)
  assert.deepEqual(argv, { _: ['stamp'], revisions: ['-1:a', 'b'], revision: '-2' })
})

test('everything else is left for yargs, in the user words', () => {
  const same = [
    ['upgrade', 'head', '--sql'],
    ['revision', '--depends-on', 'a', 'b', '-m', 'x'].slice(0, 4),
    ['history', '--bogus'],
    ['history', '-z'],
    ['history', '-r'],
    ['--url', 'postgres://x', 'current'],
    ['upgrade', '--', 'head'],
  ]
  for (const args of same) assert.deepEqual(normalizeArgv(args), args)
  assert.deepEqual(normalizeArgv(['revision', '-m', 'x']), ['revision', '--message=x'])
})
