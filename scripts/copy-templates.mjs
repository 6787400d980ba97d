// Copies the canonical templates/ into packages/core/templates so the published package ships them.
import { cpSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const from = fileURLToPath(new URL('../templates', import.meta.url))
const to = fileURLToPath(new URL('../packages/core/templates', import.meta.url))
rmSync(to, { recursive: true, force: true })
cpSync(from, to, { recursive: true })
