// Every JavaScript code block of the project's README runs, as written (as
// an ES module, resolving 'jwtauth' to this package).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8')
const blocks = [...readme.matchAll(/^```js\n([\s\S]*?)^```/gm)].map((m) => m[1])

test('the README has JavaScript blocks', () => assert.ok(blocks.length > 0))

for (const [i, code] of blocks.entries()) {
  test(`README block ${i + 1} runs`, () => {
    execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: join(here, '..'), stdio: 'pipe' })
  })
}
