// Alembic's `timezone` key through the real `mig`: new revisions' Create Date (with its offset) and
// file-name date tokens follow the zone; an unknown zone is a config error naming it.
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { formatCreateDate, renderFileName } from '../../packages/core/src/script/revision-file-name.ts'
import { mig, tempProject } from '../helpers/mig.js'

test('formatCreateDate and renderFileName in a named zone', () => {
  const date = new Date(Date.UTC(2026, 0, 2, 23, 4, 5, 678))
  assert.equal(formatCreateDate(date, 'UTC'), '2026-01-02 23:04:05.678000+00:00')
  assert.equal(formatCreateDate(date, 'Asia/Kolkata'), '2026-01-03 04:34:05.678000+05:30')
  assert.equal(
    renderFileName('{year}{month}{day}{hour}{minute}_{slug}', {
      rev: 'a',
      slug: 's',
      date,
      timeZone: 'America/New_York',
    }),
    '202601021804_s',
  )
})

test('mig revision writes the Create Date and file name in the configured zone', async () => {
  const project = tempProject()
  try {
    writeFileSync(
      join(project.dir, 'migrate.config.ts'),
      "export default { timezone: 'UTC', fileTemplate: '{year}_{month}_{day}_{rev}_{slug}' }\n",
    )
    mkdirSync(join(project.dir, 'migrations'))
    const before = new Date()
    const result = await mig(project.dir, ['revision', '-m', 'zoned', '--rev-id', 'z1'])
    assert.equal(result.code, 0, result.stderr)
    const path = result.stdout.replace(/^Generating (.*) \.\.\. {2}done\n$/, '$1')
    const day = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '_')
    assert.ok(
      [day(before), day(new Date())].some((d) => path.endsWith(`${d}_z1_zoned.ts`)),
      path,
    )
    assert.match(
      readFileSync(path, 'utf8'),
      /^ \* Create Date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00$/m,
    )
    writeFileSync(join(project.dir, 'migrate.config.ts'), "export default { timezone: 'Mars/Olympus' }\n")
    const bad = await mig(project.dir, ['heads'])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /config key 'timezone' names an unknown time zone 'Mars\/Olympus'/)
  } finally {
    project.cleanup()
  }
})
