import { defineConfig } from 'migraph'

// The repository's own example environment: a small bookstore schema on the embedded
// PostgreSQL (PGlite, in .migraph/pglite). `npx mig upgrade head` applies it.
export default defineConfig({
  migrations: 'examples/bookstore/migrations',
})
