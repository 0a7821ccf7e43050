// Every JavaScript code block of the Node guide (bindings-node/README.md) runs,
// in order, as one ES module (a guide builds on its earlier blocks), with
// 'jwtauth' resolving to this package.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const guide = readFileSync(join(here, '..', 'README.md'), 'utf8')
const blocks = [...guide.matchAll(/^```js\n([\s\S]*?)^```/gm)].map((m) => m[1])

test('the Node guide has JavaScript blocks', () => assert.ok(blocks.length >= 5))

test('the Node guide runs, block after block', () => {
  execFileSync(process.execPath, ['--input-type=module', '-e', blocks.join('\n')], { cwd: join(here, '..'), stdio: 'pipe' })
})
