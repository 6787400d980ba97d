/**
 * What the published bundle (`bundle/migraph.cjs`) exports: the library (`import 'migraph'`)
 * and the CLI's `main`. One file for both, so a config that `mig` loads shares its modules.
 */
export * from './index.js'
export { main } from './main.js'
