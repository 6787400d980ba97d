/** The config file names searched, in order, from the working directory upward. */
export const CONFIG_FILES: readonly string[] = Object.freeze([
  'migrate.config.ts',
  'migrate.config.mts',
  'migrate.config.cts',
  'migrate.config.js',
  'migrate.config.mjs',
  'migrate.config.cjs',
  'migrate.config.json',
])
