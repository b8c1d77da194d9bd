import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkDependencyRule, formatViolation } from './check-dependency-rule.mjs'
import { findImports } from './find-imports.mjs'

const scriptsDir = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(scriptsDir, '..')
const scriptPath = path.join(scriptsDir, 'check-dependency-rule.mjs')
const fixture = (name: string): string => path.join(scriptsDir, 'fixtures', name)

type Violation = ReturnType<typeof checkDependencyRule>['violations'][number]

/** The violations of a fixture as `rule package file` lines: short to compare, readable when they differ. */
function summarize(violations: Violation[]): string[] {
  return violations.map((v) => `${v.rule} ${v.package} ${v.file ?? '-'}`)
}

describe('the real repository', () => {
  it('obeys the dependency rule', () => {
    const { violations, packageCount, fileCount } = checkDependencyRule(repoRoot)
    expect(violations, violations.map(formatViolation).join('\n')).toEqual([])
    // Not vacuous: it found the packages and their files.
    expect(packageCount).toBeGreaterThanOrEqual(8)
    expect(fileCount).toBeGreaterThan(0)
  })
})

describe('rules 1–3 and 5: who may use whom', () => {
  it('reports a leaf that imports a sibling, naming both', () => {
    const { violations } = checkDependencyRule(fixture('leaf-imports-sibling'))
    expect(summarize(violations)).toEqual([
      'leaf-imports-sibling @dwcp/hde packages/hde/src/index.ts',
      'undeclared-dependency @dwcp/hde packages/hde/src/index.ts',
    ])
    expect(violations[0]?.message).toContain('@dwcp/hde imports @dwcp/pba')
    // The import spans lines 2–5; it is reported where it starts.
    expect(violations[0]?.line).toBe(2)
  })

  it('reports core importing and declaring an implementation', () => {
    const { violations } = checkDependencyRule(fixture('core-imports-implementation'))
    expect(summarize(violations)).toEqual([
      'core-imports-workspace @dwcp/core packages/core/package.json',
      'core-imports-workspace @dwcp/core packages/core/src/index.ts',
    ])
    expect(violations.every((v) => v.message.includes('@dwcp/amst'))).toBe(true)
  })

  it('allows amst to import rdma-native declared in optionalDependencies', () => {
    expect(checkDependencyRule(fixture('amst-rdma-optional-ok')).violations).toEqual([])
  })

  it('reports amst importing rdma-native declared in dependencies', () => {
    const { violations } = checkDependencyRule(fixture('amst-rdma-not-optional'))
    expect(violations.length).toBeGreaterThan(0)
    expect(violations.every((v) => v.rule === 'rdma-native-not-optional' && v.package === '@dwcp/amst')).toBe(
      true,
    )
    expect(summarize(violations)).toContain('rdma-native-not-optional @dwcp/amst packages/amst/package.json')
    expect(summarize(violations)).toContain(
      'rdma-native-not-optional @dwcp/amst packages/amst/src/rdma-transport.ts',
    )
  })

  it('reports a leaf that declares a sibling even when nothing imports it', () => {
    const { violations } = checkDependencyRule(fixture('leaf-declares-sibling'))
    expect(summarize(violations)).toEqual([
      'leaf-imports-sibling @dwcp/metrics packages/metrics/package.json',
    ])
    expect(violations[0]?.message).toContain('declares @dwcp/hde in dependencies')
  })
})

describe('rule 4: every bare import is declared', () => {
  it('reports an undeclared third-party import, and resolves subpaths and builtins', () => {
    const { violations } = checkDependencyRule(fixture('undeclared-dependency'))
    // `fflate/node` is declared as `fflate`; `node:crypto`, `fs` and `fs/promises` are builtins.
    expect(summarize(violations)).toEqual(['undeclared-dependency @dwcp/hde packages/hde/src/index.ts'])
    expect(violations[0]?.message).toContain('imports lodash')
  })

  it('lets tests and test-fixtures use dev dependencies, but not other files; dwcp and examples compose', () => {
    const { violations } = checkDependencyRule(fixture('dev-dependencies'))
    expect(summarize(violations)).toEqual(['undeclared-dependency @dwcp/hde packages/hde/src/support.ts'])
    expect(violations[0]?.message).toContain('imports vitest')
  })
})

describe('rule 6: no circular imports', () => {
  it('reports a cycle with its path', () => {
    const { violations } = checkDependencyRule(fixture('circular-import'))
    expect(summarize(violations)).toEqual(['circular-import @dwcp/hde packages/hde/src/a.ts'])
    expect(violations[0]?.message).toContain('src/a.ts -> src/b.ts -> src/a.ts')
  })

  it('ignores a cycle made only of type imports', () => {
    expect(checkDependencyRule(fixture('type-only-cycle')).violations).toEqual([])
  })
})

describe('import scanning', () => {
  it('ignores imports inside comments, strings, templates and regexes', () => {
    expect(checkDependencyRule(fixture('commented-import')).violations).toEqual([])
    const source = readFileSync(path.join(fixture('commented-import'), 'packages/hde/src/index.ts'), 'utf8')
    expect(findImports(source).map((found) => found.specifier)).toEqual(['@dwcp/core'])
  })

  it('finds every import form, across lines, and marks type-only ones', () => {
    const source = [
      "import a from 'a'",
      "import b, { c } from 'b'",
      "import * as d from 'd'",
      "import 'side-effect'",
      'import {',
      '  e,',
      '  f as g,',
      "} from 'e'",
      "import type { H } from 'h'",
      "import type from 'default-named-type'",
      "export * from 'i'",
      "export * as j from 'j'",
      "export { k } from 'k'",
      "export type { L } from 'l'",
      'export { local }',
      "const m = await import('m')",
      "const n = require('n')",
      "type O = typeof import('o')",
      'const url = import.meta.url',
      "const notAnImport = obj.require('p')",
    ].join('\n')
    expect(findImports(source)).toEqual([
      { specifier: 'a', line: 1, typeOnly: false },
      { specifier: 'b', line: 2, typeOnly: false },
      { specifier: 'd', line: 3, typeOnly: false },
      { specifier: 'side-effect', line: 4, typeOnly: false },
      { specifier: 'e', line: 5, typeOnly: false },
      { specifier: 'h', line: 9, typeOnly: true },
      { specifier: 'default-named-type', line: 10, typeOnly: false },
      { specifier: 'i', line: 11, typeOnly: false },
      { specifier: 'j', line: 12, typeOnly: false },
      { specifier: 'k', line: 13, typeOnly: false },
      { specifier: 'l', line: 14, typeOnly: true },
      { specifier: 'm', line: 16, typeOnly: false },
      { specifier: 'n', line: 17, typeOnly: false },
      { specifier: 'o', line: 18, typeOnly: true },
    ])
  })
})

describe('the command line', () => {
  it('exits 1 and prints the violation for a repository that breaks the rule', () => {
    const result = spawnSync(process.execPath, [scriptPath, fixture('leaf-imports-sibling')], {
      encoding: 'utf8',
    })
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('packages/hde/src/index.ts:2 [leaf-imports-sibling]')
    expect(result.stderr).toContain('@dwcp/pba')
  })

  it('exits 0 with one OK line for a repository that obeys it', () => {
    const result = spawnSync(process.execPath, [scriptPath, fixture('amst-rdma-optional-ok')], {
      encoding: 'utf8',
    })
    expect(result.status).toBe(0)
    expect(result.stdout.trim().split('\n')).toHaveLength(1)
    expect(result.stdout).toContain('dependency rule OK')
  })
})
