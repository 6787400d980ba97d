import { type LintFinding, lint } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { ExitCode } from '../exit-codes.js'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

interface LintArgv extends GlobalArgv {
  readonly range?: string
}

function findingText(f: LintFinding): string {
  const where = f.op === 0 ? '' : ` op ${f.op} (${f.opKind})`
  const statement = f.statement === null ? '' : `\n    ${f.statement.split('\n').join('\n    ')}`
  return `${f.severity} ${f.rule}: revision ${f.revision}${where} — ${f.why}${statement}\n    safe: ${f.safe}`
}

/** `mig lint [range]`: dangerous changes in revisions, found before they run. */
export function lintCommand(state: CliState): CommandModule<GlobalArgv, LintArgv> {
  return {
    command: 'lint [range]',
    describe: 'Flag dangerous changes in revisions (locks, rewrites, breaking renames) before they run',
    builder: (y) =>
      commandHelp(y, 'lint').positional('range', {
        type: 'string',
        describe: '[start]:[end], as history -r takes it',
      }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const result = await lint(project, { range: argv.range })
        if (result.errors > 0) state.exitCode = ExitCode.error
        if (io.json) return io.printJson(result)
        if (result.findings.length > 0) io.print(result.findings.map(findingText).join('\n'))
        for (const i of result.ignored) io.note(`revision ${i.revision} ignores ${i.rule}: ${i.reason}`)
        io.note(`${result.errors} error(s), ${result.warnings} warning(s) in ${result.revisions} revision(s)`)
      }),
  }
}
