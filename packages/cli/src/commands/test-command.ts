import { RevisionTestError, type RevisionTestResult, testRevisions } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

interface TestArgv extends GlobalArgv {
  readonly range?: string
}

const LABEL = { ok: 'ok  ', failed: 'FAIL', skipped: 'skip' } as const

/** One revision's lines: its verdict, then each finding and the schema differences it found. */
function resultLines(result: RevisionTestResult): string[] {
  const lines = [`${LABEL[result.status]}  ${result.revision}  ${result.message}`.trimEnd()]
  for (const finding of result.findings) {
    lines.push(`      ${finding.kind}: ${finding.detail}`)
    for (const line of finding.differences) lines.push(`        ${line}`)
  }
  return lines
}

/** `mig test [range]`: every revision upgraded, downgraded and upgraded again on a throwaway database. */
export function testCommand(state: CliState): CommandModule<GlobalArgv, TestArgv> {
  return {
    command: 'test [range]',
    describe: 'Prove each revision reversible and repeatable on a throwaway database',
    builder: (y) =>
      commandHelp(y, 'test').positional('range', {
        type: 'string',
        describe: '[start]:[end] as history takes it; default every revision',
      }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const report = await testRevisions(project, {
          range: argv.range,
          onResult: io.json ? undefined : (result) => io.print(resultLines(result).join('\n')),
        })
        if (io.json) {
          io.printJson({ ...report, ok: report.findings.length === 0 })
          if (report.findings.length > 0) state.exitCode = 1
          return
        }
        const failed = report.results.filter((r) => r.status === 'failed').length
        io.note(
          `${report.tested} revision${report.tested === 1 ? '' : 's'} tested on ${report.database}: ${report.tested - failed} ok, ${failed} failed`,
        )
        if (report.findings.length > 0) throw new RevisionTestError(report)
      }),
  }
}
