// Copies what the published packages ship from the repository root: the canonical templates/
// into @migraph/core (its tsc output finds them at core/templates) and migraph (its bundle finds
// them at cli/templates); LICENSE into every package; the README into migraph, whose npm page it
// is. The copies are build output, ignored by git.
import { copyFileSync, cpSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url))

for (const to of ['packages/core/templates', 'packages/cli/templates']) {
  rmSync(root(to), { recursive: true, force: true })
  cpSync(root('templates'), root(to), { recursive: true })
}
for (const pkg of ['graph', 'operations', 'schema', 'core', 'cli'])
  copyFileSync(root('LICENSE'), root(`packages/${pkg}/LICENSE`))
copyFileSync(root('README.md'), root('packages/cli/README.md'))
