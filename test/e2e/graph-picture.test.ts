// `mig graph` as a user runs it: Mermaid, Graphviz DOT and the HTML page, read back structurally
// (nodes and edges) for the Alembic tutorial, Alembic's branched and merged example with a labelled
// second base and a dependsOn link, and 5,000 revisions; with a database, current and pending
// revisions marked; the HTML page loaded in a real headless Chromium.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { PNG } from 'pngjs'
import { mig, runProcess, tempProject } from '../helpers/mig.js'
import { freshPgliteDir } from '../helpers/pglite-template.js'
import { dotShape, htmlShape, mermaidShape, type PictureShape, sorted } from '../helpers/picture-parse.js'
import { type RevisionSpec, writeConfig, writeRevision } from '../helpers/project-files.js'

const CHROMIUM = '/usr/bin/chromium'
const NO_CHROMIUM = existsSync(CHROMIUM)
  ? false
  : `needs Debian's chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`

/** Revision modules throw when imported under this variable: graph commands must not import them. */
const FORBID = `if (process.env.MIG_TEST_FORBID_IMPORT === '1') throw new Error('revision module imported')`

/** Alembic's branches example: a branch point, a merge, a labelled second base depending on a1. */
const BRANCHED: readonly RevisionSpec[] = [
  { id: '1975ea83b712', message: 'create account table' },
  { id: 'ae1027a6acf', down: '1975ea83b712', message: 'add a column' },
  { id: '27c6a30d7c24', down: '1975ea83b712', message: 'add shopping cart table' },
  { id: '53fffde5ad5', down: ['ae1027a6acf', '27c6a30d7c24'], message: 'merge' },
  { id: '3cac04ae8714', message: 'create networking branch', branchLabels: ['networking'] },
  {
    id: '109ec7d132bf',
    down: '3cac04ae8714',
    dependsOn: ['ae1027a6acf'],
    message: 'add ip "account" <table> & #tags',
  },
]

/** The edges a picture of `specs` must draw: `from->to` for downRevision, `from..>to` for dependsOn. */
function expectedEdges(specs: readonly RevisionSpec[]): string[] {
  return specs.flatMap((spec) => [
    ...[spec.down ?? []].flat().map((down) => `${down}->${spec.id}`),
    ...(spec.dependsOn ?? []).map((dep) => `${dep}..>${spec.id}`),
  ])
}

function writeProject(dir: string, specs: readonly RevisionSpec[]): void {
  writeConfig(dir)
  for (const spec of specs) writeRevision(dir, 'migrations', { ...spec, preamble: FORBID })
}

/** Runs `mig graph …` with revision imports forbidden; fails on a non-zero exit or any stderr. */
async function graphOf(dir: string, ...args: string[]): Promise<string> {
  const result = await mig(dir, ['graph', ...args], { env: { MIG_TEST_FORBID_IMPORT: '1' } })
  assert.equal(result.code, 0, `mig graph ${args.join(' ')}: ${result.stderr}`)
  assert.equal(result.stderr, '', `mig graph ${args.join(' ')} wrote to stderr`)
  return result.stdout
}

/** Every format's shape for the same arguments. */
async function shapes(dir: string, ...args: string[]): Promise<Record<string, PictureShape>> {
  return {
    mermaid: mermaidShape(await graphOf(dir, ...args)),
    dot: dotShape(await graphOf(dir, ...args, '--format', 'dot')),
    html: htmlShape(await graphOf(dir, ...args, '--format', 'html')),
  }
}

describe('mig graph: the Alembic tutorial', () => {
  const project = tempProject('mig-verify-graph-')
  const specs: RevisionSpec[] = [
    { id: '1975ea83b712', message: 'create account table' },
    { id: 'ae1027a6acf', down: '1975ea83b712', message: 'Add a column' },
  ]
  before(() => writeProject(project.dir, specs))
  after(() => project.cleanup())

  test('every format draws the two revisions and the edge between them', async () => {
    for (const [format, shape] of Object.entries(await shapes(project.dir))) {
      assert.deepEqual(shape.nodes, ['ae1027a6acf', '1975ea83b712'], format)
      assert.deepEqual(shape.edges, ['1975ea83b712->ae1027a6acf'], format)
    }
    const html = htmlShape(await graphOf(project.dir, '--format', 'html'))
    assert.deepEqual(html.marks.get('ae1027a6acf'), ['head'])
    assert.deepEqual(html.marks.get('1975ea83b712'), ['base'])
    const mermaid = await graphOf(project.dir)
    assert.match(mermaid, /^ {2}r0\["ae1027a6acf \(head\)<br\/>Add a column"\]$/m)
  })
})

describe('mig graph: a branched and merged graph', () => {
  const project = tempProject('mig-verify-graph-')
  const dir = project.dir
  before(() => writeProject(dir, BRANCHED))
  after(() => project.cleanup())

  test('nodes, downRevision and dependsOn edges, branch and merge points, in every format', async () => {
    const edges = sorted(expectedEdges(BRANCHED))
    for (const [format, shape] of Object.entries(await shapes(dir))) {
      assert.deepEqual(sorted(shape.nodes), sorted(BRANCHED.map((s) => s.id)), format)
      assert.deepEqual(sorted(shape.edges), edges, format)
    }
    const { mermaid, dot, html } = await shapes(dir)
    assert.equal(mermaid?.marks.get('1975ea83b712')?.[0], 'hexagon')
    assert.equal(mermaid?.marks.get('53fffde5ad5')?.[0], 'stadium')
    assert.deepEqual(dot?.marks.get('1975ea83b712'), ['hexagon', 'base', 'branchpoint'])
    assert.deepEqual(dot?.marks.get('53fffde5ad5'), ['octagon', 'head', 'mergepoint'])
    assert.deepEqual(html?.marks.get('109ec7d132bf'), ['head'])
    assert.deepEqual(html?.marks.get('3cac04ae8714'), ['base'])
  })

  test('branch labels and messages: in the label, escaped, and whole on hover', async () => {
    const mermaid = await graphOf(dir)
    assert.match(mermaid, /"3cac04ae8714 \(networking\)<br\/>create networking branch"/)
    assert.match(mermaid, /add ip #quot;account#quot; #lt;table#gt; #amp; #35;tags/)
    const dot = await graphOf(dir, '--format', 'dot')
    assert.match(dot, /tooltip="add ip \\"account\\" <table> & #tags"/)
    const html = await graphOf(dir, '--format', 'html')
    assert.match(
      html,
      /<title>109ec7d132bf\nhead\n\nadd ip &quot;account&quot; &lt;table&gt; &amp; #tags<\/title>/,
    )
    assert.match(html, /<title>3cac04ae8714 \(networking\)\n/)
  })

  test('-r takes a range as history does: the same revisions, edges only between them', async () => {
    for (const range of [
      'ae1027a6acf:',
      ':27c6a30d7c24',
      'networking@base:networking@head',
      '1975ea83b712:53fffde5ad5',
    ]) {
      const history = await mig(dir, ['history', '-r', range, '--json'])
      assert.equal(history.code, 0, history.stderr)
      const listed = (JSON.parse(history.stdout) as { revision: string }[]).map((r) => r.revision)
      const inRange = new Set(listed)
      const edges = expectedEdges(BRANCHED).filter((e) => {
        const [from, to] = e.split(/->|\.\.>/) as [string, string]
        return inRange.has(from) && inRange.has(to)
      })
      for (const [format, shape] of Object.entries(await shapes(dir, '-r', range))) {
        assert.deepEqual(shape.nodes, listed, `${format} -r ${range}`)
        assert.deepEqual(sorted(shape.edges), sorted(edges), `${format} -r ${range}`)
      }
    }
  })

  test('a bad range or format is a one-line error naming it', async () => {
    const range = await mig(dir, ['graph', '-r', 'zzzz:'])
    assert.equal(range.code, 1)
    assert.match(range.stderr, /^error: .*'zzzz'.*\n$/)
    const format = await mig(dir, ['graph', '--format', 'svg'])
    assert.equal(format.code, 1)
    assert.match(format.stderr, /^error: .*format.*"svg".*\n$/)
  })

  test('-i against a database: the current head highlighted, applied and pending marked', async () => {
    await freshPgliteDir(join(dir, '.migraph/pglite'))
    const up = await mig(dir, ['upgrade', 'ae1027a6acf'])
    assert.equal(up.code, 0, up.stderr)
    const states = (marks: ReadonlyMap<string, readonly string[]>) =>
      Object.fromEntries(
        [...marks].map(([id, m]) => [id, m.filter((c) => ['current', 'applied', 'pending'].includes(c))]),
      )
    const expected = {
      '1975ea83b712': ['applied'],
      ae1027a6acf: ['current'],
      '27c6a30d7c24': ['pending'],
      '53fffde5ad5': ['pending'],
      '3cac04ae8714': ['pending'],
      '109ec7d132bf': ['pending'],
    }
    for (const [format, shape] of Object.entries(await shapes(dir, '-i'))) {
      assert.deepEqual(states(shape.marks), expected, format)
    }
    const html = await graphOf(dir, '--format', 'html', '-i')
    assert.match(html, /current: ae1027a6acf<\/span>/)
    assert.match(html, /pending: 4<\/span>/)
    const json = JSON.parse(await graphOf(dir, '-i', '--json')) as { current: string[] }
    assert.deepEqual(json.current, ['ae1027a6acf'])
    // Without -i the database is not read and nothing is marked.
    const plain = htmlShape(await graphOf(dir, '--format', 'html'))
    assert.deepEqual(states(plain.marks)['1975ea83b712'], [])
  })

  test('the HTML page in headless Chromium: no console message, the nodes painted', {
    skip: NO_CHROMIUM,
  }, async () => {
    const html = await graphOf(dir, '--format', 'html', '-i')
    const shot = await screenshot(html, 900, 400)
    assert.deepEqual(shot.console, [], 'the page logged to the console')
    // The current head's green, the applied revision's grey, the pending ones' white-and-blue
    // ring: each drawn, as counted pixels of its exact fill or stroke colour.
    assert.ok(shot.count([26, 127, 55]) >= 20, `current node pixels: ${shot.count([26, 127, 55])}`)
    assert.ok(shot.count([87, 96, 106]) >= 20, `applied node pixels: ${shot.count([87, 96, 106])}`)
    assert.ok(shot.count([9, 105, 218]) >= 40, `pending node pixels: ${shot.count([9, 105, 218])}`)
  })

  test('the console check is live: a page that logs and fetches is caught', {
    skip: NO_CHROMIUM,
  }, async () => {
    const bad =
      `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'">` +
      `<img src="http://example.invalid/x.png"><script>console.error('boom')</script>`
    const shot = await screenshot(bad, 300, 200)
    assert.equal(shot.console.length, 2, shot.console.join('\n'))
  })
})

describe('mig graph: 5,000 revisions', () => {
  const project = tempProject('mig-verify-graph-')
  const dir = project.dir
  const specs = manyRevisions(5000)
  before(() => writeProject(dir, specs))
  after(() => project.cleanup())

  test('every format draws each revision and each edge', async () => {
    const edges = sorted(expectedEdges(specs))
    const ids = sorted(specs.map((s) => s.id))
    for (const [format, shape] of Object.entries(await shapes(dir))) {
      assert.equal(shape.nodes.length, 5000, format)
      assert.deepEqual(sorted(shape.nodes), ids, format)
      assert.deepEqual(sorted(shape.edges), edges, format)
    }
  })

  test('the HTML page of 5,000 revisions loads in Chromium without a console message', {
    skip: NO_CHROMIUM,
  }, async () => {
    const shot = await screenshot(await graphOf(dir, '--format', 'html'), 900, 600)
    assert.deepEqual(shot.console, [])
    assert.ok(shot.count([9, 105, 218]) >= 200, `node pixels: ${shot.count([9, 105, 218])}`)
  })
})

/**
 * A chain of `n` revisions with a side branch every 250 revisions merged back two later, and a
 * dependsOn link every 1,000: branch points, merges and dashed edges throughout.
 */
function manyRevisions(n: number): RevisionSpec[] {
  const specs: RevisionSpec[] = []
  const id = (i: number) => `m${String(i).padStart(5, '0')}`
  let main = 0
  let prev: string | null = null
  while (specs.length < n) {
    const me = id(main++)
    const side = `s${me.slice(1)}`
    if (main % 250 === 0 && prev !== null && specs.length + 3 <= n) {
      specs.push({ id: me, down: prev, message: `step ${main}` })
      specs.push({ id: side, down: prev, message: `side branch at ${main}` })
      const merge = id(main++)
      specs.push({ id: merge, down: [me, side], message: `merge ${main}` })
      prev = merge
      continue
    }
    const deps = main % 1000 === 0 && main > 500 ? [id(main - 500)] : undefined
    specs.push({
      id: me,
      down: prev,
      message: `step ${main}`,
      ...(deps === undefined ? {} : { dependsOn: deps }),
    })
    prev = me
  }
  return specs
}

interface Screenshot {
  /** The console messages Chromium logged for the page. */
  readonly console: readonly string[]
  /** How many pixels have exactly this colour. */
  count(rgb: readonly [number, number, number]): number
}

/** Loads `html` from a file in headless Chromium and takes a screenshot of the window. */
async function screenshot(html: string, width: number, height: number): Promise<Screenshot> {
  const work = mkdtempSync(join(tmpdir(), 'mig-verify-chromium-'))
  try {
    const page = join(work, 'graph.html')
    const png = join(work, 'shot.png')
    writeFileSync(page, html)
    const run = await runProcess(CHROMIUM, [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      `--user-data-dir=${join(work, 'profile')}`,
      '--enable-logging=stderr',
      '--v=0',
      `--window-size=${width},${height}`,
      `--screenshot=${png}`,
      `file://${page}`,
    ])
    assert.equal(run.code, 0, run.stderr)
    const image = PNG.sync.read(readFileSync(png))
    const console = run.stderr.split('\n').filter((line) => /:CONSOLE[:(]/.test(line))
    return {
      console,
      count: ([r, g, b]) => {
        let found = 0
        for (let i = 0; i < image.data.length; i += 4) {
          if (image.data[i] === r && image.data[i + 1] === g && image.data[i + 2] === b) found++
        }
        return found
      },
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
