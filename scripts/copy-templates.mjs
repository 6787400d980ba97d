// Copies the canonical templates/ into the packages that ship them: @migraph/core (its tsc output
// finds them at core/templates) and migraph (its bundle finds them at cli/templates).
import { cpSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const from = fileURLToPath(new URL('../templates', import.meta.url))
for (const to of ['../packages/core/templates', '../packages/cli/templates']) {
  const target = fileURLToPath(new URL(to, import.meta.url))
  rmSync(target, { recursive: true, force: true })
  cpSync(from, target, { recursive: true })
}
