// Shared helpers of the Node suite.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const VECTORS = join(ROOT, 'tests', 'vectors')

export function load(name) {
  return JSON.parse(readFileSync(join(VECTORS, name), 'utf8'))
}

/** Run `fn`, returning the error it throws (or rejects with), or fail. */
export async function refused(fn) {
  try {
    await fn()
  } catch (e) {
    return e
  }
  throw new Error('accepted, want an error')
}
