// `mig lint` on a project where each rule has a revision that breaks it and a safe twin that does
// the same job the safe way: the finding names the rule, revision and op, and the twin has none.
// Ignoring with a reason, --json, the exit status, and a bad `lint` export.
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import { type RevisionSpec, writeRevision } from '../helpers/project-files.js'

const exec = (sql: string) => `await op.execute(${JSON.stringify(sql)})`
const NON_TRANSACTIONAL = 'export const transactional = false'

/** Per rule: what breaks it, and the safe twin, both against tables `base` created. */
const PAIRS: Record<string, { bad: string[]; safe: string[]; badPreamble?: string; safePreamble?: string }> =
  {
    'index-not-concurrent': {
      bad: ["await op.createIndex('account_email', 'account', ['email'])"],
      safe: ["await op.createIndex('account_email_c', 'account', ['email'], { concurrently: true })"],
      safePreamble: NON_TRANSACTIONAL,
    },
    'add-column-not-null-no-default': {
      bad: ["await op.addColumn('account', 'nick', 'text', (c) => c.notNull())"],
      safe: ["await op.addColumn('account', 'nick2', 'text', (c) => c.notNull().defaultTo(''))"],
    },
    'add-column-volatile-default': {
      bad: [exec('alter table account add column token uuid default gen_random_uuid()')],
      safe: [exec('alter table account add column seen timestamptz default now()')],
    },
    'column-type-change': {
      bad: [exec('alter table account alter column email type varchar(300)')],
      safe: ["await op.addColumn('account', 'email_long', 'varchar(300)')"],
    },
    'set-not-null': {
      bad: [exec('alter table account alter column email set not null')],
      safe: [exec('alter table account add constraint email_nn check (email is not null) not valid')],
    },
    'constraint-not-valid': {
      bad: [
        exec(
          'alter table orders add constraint orders_account foreign key (account_id) references account (id)',
        ),
      ],
      safe: [
        exec(
          'alter table orders add constraint orders_account2 foreign key (account_id) references account (id) not valid',
        ),
      ],
    },
    'rename-or-drop': {
      bad: ["await op.dropColumn('account', 'legacy')"],
      safe: ["await op.addColumn('account', 'replacement', 'text')"],
    },
    'add-primary-key': {
      bad: [exec('alter table nopk add primary key (id)')],
      safe: [exec('alter table nopk add constraint nopk_pkey primary key using index nopk_id')],
    },
    'enum-value-in-transaction': {
      bad: [exec("alter type mood add value 'meh'")],
      safe: [exec("alter type mood add value 'glad'")],
      safePreamble: NON_TRANSACTIONAL,
    },
    'ddl-and-data': {
      bad: ["await op.addColumn('account', 'score', 'integer')", exec('update account set score = 0')],
      safe: [exec('update account set email = lower(email)')],
    },
    'no-lock-timeout': {
      bad: ["await op.addColumn('account', 'note', 'text')"],
      badPreamble: 'export const timeouts = { lockTimeout: null }',
      safe: [exec("set lock_timeout = '2s'"), "await op.addColumn('account', 'note2', 'text')"],
      safePreamble: 'export const timeouts = { lockTimeout: null }',
    },
    'unparsable-sql': {
      bad: [exec('alter tabel account add column x int')],
      safe: [exec('alter table account add column x int')],
    },
    'cannot-record': {
      bad: ["await op.db.selectFrom('account').selectAll().execute()"],
      safe: [exec('select count(*) from account')],
    },
  }

interface Finding {
  rule: string
  severity: string
  revision: string
  op: number
  opKind: string | null
  statement: string | null
  why: string
  safe: string
}

describe('mig lint', () => {
  const project = tempProject('mig-verify-lint-')
  const dir = project.dir
  const ids: string[] = []
  before(() => {
    // A lock timeout for every revision, so that only the no-lock-timeout pair is about it.
    writeFileSync(
      join(dir, 'migrate.config.ts'),
      "export default { migrations: 'migrations', url: 'sqlite:lint.db', timeouts: { lockTimeout: 2000 } }\n",
    )
    let down = 'base'
    const add = (spec: RevisionSpec) => {
      writeRevision(dir, 'migrations', spec)
      ids.push(spec.id)
    }
    add({
      id: 'base',
      message: 'tables',
      upgrade: [
        "await op.createTable('account', (t) => t.addColumn('id', 'serial', (c) => c.primaryKey()).addColumn('email', 'text').addColumn('legacy', 'text'))",
        "await op.createTable('orders', (t) => t.addColumn('id', 'serial', (c) => c.primaryKey()).addColumn('account_id', 'integer'))",
        "await op.createTable('nopk', (t) => t.addColumn('id', 'integer', (c) => c.notNull()))",
        "await op.createIndex('nopk_id', 'nopk', ['id'], { unique: true })",
        "await op.createEnum('mood', ['sad', 'happy'])",
      ],
    })
    for (const [rule, pair] of Object.entries(PAIRS)) {
      const id = rule.replaceAll('-', '_')
      add({
        id: `bad_${id}`,
        down,
        message: `breaks ${rule}`,
        upgrade: pair.bad,
        preamble: pair.badPreamble ?? '',
      })
      add({
        id: `safe_${id}`,
        down: `bad_${id}`,
        message: `safe ${rule}`,
        upgrade: pair.safe,
        preamble: pair.safePreamble ?? '',
      })
      down = `safe_${id}`
    }
  })
  after(() => project.cleanup())

  test('each rule: the revision that breaks it is flagged with that rule alone; its safe twin is clean', async () => {
    const result = await mig(dir, ['lint', '--json'])
    assert.equal(result.code, 1, result.stderr)
    const report = JSON.parse(result.stdout) as {
      findings: Finding[]
      revisions: number
      errors: number
      warnings: number
    }
    assert.equal(report.revisions, ids.length)
    const rulesOf = (id: string) => report.findings.filter((f) => f.revision === id).map((f) => f.rule)
    assert.deepEqual(rulesOf('base'), [], 'tables created in the same revision are not at risk')
    for (const rule of Object.keys(PAIRS)) {
      const id = rule.replaceAll('-', '_')
      assert.deepEqual(rulesOf(`bad_${id}`), [rule], `bad_${id}`)
      assert.deepEqual(rulesOf(`safe_${id}`), [], `safe_${id}`)
    }
    const index = report.findings.find((f) => f.rule === 'index-not-concurrent') as Finding
    assert.equal(index.op, 1)
    assert.equal(index.opKind, 'createIndex')
    assert.equal(index.severity, 'error')
    assert.equal(index.statement, 'create index "account_email" on "account" ("email");')
    assert.match(index.why, /blocks writes/)
    assert.match(index.safe, /concurrently: true/)
    const data = report.findings.find((f) => f.rule === 'ddl-and-data') as Finding
    assert.equal(data.op, 2)
    assert.equal(report.errors + report.warnings, report.findings.length)
  })

  test('text output: one block per finding on stdout, counts on stderr; a range narrows it', async () => {
    const result = await mig(dir, ['lint', 'bad_index_not_concurrent:safe_index_not_concurrent'])
    assert.equal(result.code, 1)
    assert.match(
      result.stdout,
      /^error index-not-concurrent: revision bad_index_not_concurrent op 1 \(createIndex\) — CREATE INDEX without CONCURRENTLY/,
    )
    assert.equal(result.stderr, '1 error(s), 0 warning(s) in 2 revision(s)\n')
    const clean = await mig(dir, ['lint', 'safe_index_not_concurrent:safe_index_not_concurrent'])
    assert.equal(clean.code, 0, clean.stderr)
    assert.equal(clean.stdout, '')
  })

  test('a revision ignores a rule with its reason; only errors fail the run', async () => {
    const other = tempProject('mig-verify-lint-')
    try {
      writeFileSync(join(other.dir, 'migrate.config.ts'), "export default { migrations: 'migrations' }\n")
      writeRevision(other.dir, 'migrations', {
        id: 'a1',
        message: 'table',
        upgrade: ["await op.createTable('t', (t) => t.addColumn('id', 'integer'))"],
      })
      writeRevision(other.dir, 'migrations', {
        id: 'b2',
        down: 'a1',
        message: 'index',
        preamble: "export const lint = { ignore: { 'index-not-concurrent': 'the table is empty' } }",
        upgrade: ["await op.createIndex('t_id', 't', ['id'])"],
      })
      const result = await mig(other.dir, ['lint'])
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, /^warning no-lock-timeout: revision b2 op 1 \(createIndex\)/)
      assert.match(result.stderr, /^revision b2 ignores index-not-concurrent: the table is empty$/m)
      writeRevision(other.dir, 'migrations', {
        id: 'b2',
        down: 'a1',
        message: 'index',
        preamble: "export const lint = { ignore: { 'index-concurrently': 'typo' } }",
        upgrade: ["await op.createIndex('t_id', 't', ['id'])"],
      })
      const bad = await mig(other.dir, ['lint'])
      assert.equal(bad.code, 1)
      assert.match(
        bad.stderr,
        /^error: \S+b2_index\.ts: export 'lint' names an unknown rule 'index-concurrently' \(rules: /,
      )
    } finally {
      other.cleanup()
    }
  })

  test("config lint: 'error': upgrade refuses revisions with errors, applying nothing", async () => {
    const other = tempProject('mig-verify-lint-')
    try {
      writeFileSync(
        join(other.dir, 'migrate.config.ts'),
        "export default { migrations: 'migrations', url: 'sqlite:app.db', lint: 'error' }\n",
      )
      writeRevision(other.dir, 'migrations', {
        id: 'a1',
        message: 'table',
        upgrade: ["await op.createTable('t', (t) => t.addColumn('id', 'integer'))"],
      })
      writeRevision(other.dir, 'migrations', {
        id: 'b2',
        down: 'a1',
        message: 'index',
        upgrade: ["await op.createIndex('t_id', 't', ['id'])"],
      })
      const refused = await mig(other.dir, ['upgrade', 'head'])
      assert.equal(refused.code, 1)
      const lines = refused.stderr.trim().split('\n')
      assert.equal(lines.length, 2, refused.stderr)
      assert.match(lines[0] as string, /^Target database: /)
      assert.match(
        lines[1] as string,
        /^error: not upgrading: the config says lint: 'error', and mig lint found 1 error\(s\) in the revisions to apply: index-not-concurrent in b2 \(op 1\); run 'mig lint'/,
      )
      assert.equal((await mig(other.dir, ['current'])).stdout, '')
      // Warnings alone do not stop it; neither does an error the revision ignores with a reason.
      writeRevision(other.dir, 'migrations', {
        id: 'b2',
        down: 'a1',
        message: 'index',
        preamble: "export const lint = { ignore: { 'index-not-concurrent': 'the table is new and empty' } }",
        upgrade: ["await op.createIndex('t_id', 't', ['id'])"],
      })
      const applied = await mig(other.dir, ['upgrade', 'head'])
      assert.equal(applied.code, 0, applied.stderr)
      assert.equal((await mig(other.dir, ['current'])).stdout, 'b2 (head)\n')
    } finally {
      other.cleanup()
    }
  })

  test('a .sql revision is told the safe way in SQL, not in the op API it has no use for', async () => {
    const other = tempProject('mig-verify-lint-')
    try {
      writeFileSync(join(other.dir, 'migrate.config.ts'), "export default { migrations: 'migrations' }\n")
      mkdirSync(join(other.dir, 'migrations'))
      const sqlRevision = (name: string, header: string, body: string) =>
        writeFileSync(join(other.dir, 'migrations', name), `${header}\n\n-- migrate: up\n${body}\n`)
      sqlRevision(
        'a1_tables.sql',
        '-- tables\n-- Revision ID: a1\n-- Revises:',
        'create table account (id integer primary key, email text);\ncreate table orders (id integer, account_id integer);',
      )
      sqlRevision(
        'b2_risky.sql',
        '-- risky\n-- Revision ID: b2\n-- Revises: a1',
        [
          'create index account_email on account (email);',
          'alter table orders add constraint orders_account foreign key (account_id) references account (id);',
          'alter tabel orders add column note text;',
        ].join('\n'),
      )
      const result = await mig(other.dir, ['lint', '--json'])
      assert.equal(result.code, 1, result.stderr)
      const findings = (JSON.parse(result.stdout) as { findings: Finding[] }).findings
      const safe = Object.fromEntries(findings.map((f) => [f.rule, f.safe]))
      assert.deepEqual(Object.keys(safe).sort(), [
        'constraint-not-valid',
        'index-not-concurrent',
        'no-lock-timeout',
        'unparsable-sql',
      ])
      assert.match(
        safe['index-not-concurrent'] ?? '',
        /CREATE INDEX CONCURRENTLY .*'-- migrate: no-transaction'/,
      )
      assert.match(
        safe['constraint-not-valid'] ?? '',
        /^ALTER TABLE … ADD CONSTRAINT … NOT VALID, then ALTER TABLE … VALIDATE/,
      )
      assert.match(safe['no-lock-timeout'] ?? '', /SET lock_timeout/)
      for (const finding of findings) {
        assert.doesNotMatch(
          finding.safe,
          /\bop\.|export const|ignore the rule/,
          `${finding.rule}: ${finding.safe}`,
        )
      }
    } finally {
      other.cleanup()
    }
  })
})
