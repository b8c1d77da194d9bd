#!/usr/bin/env node
/**
 * Checks DWCP's one dependency rule (docs: DESIGN.md §2) over the workspace packages found in
 * `<root>/packages/*` and `<root>/examples/*`:
 *
 * 1. `@dwcp/core` imports (and declares) no other workspace package.
 * 2. A leaf package imports `@dwcp/core` and its own third-party dependencies, never a sibling; the one
 *    exception is `@dwcp/amst` → `@dwcp/rdma-native`, declared in `optionalDependencies`.
 * 3. Only `dwcp` composes (any `@dwcp/*` package); examples may import anything from the workspace.
 * 4. Every bare import is declared in the package's dependencies, optionalDependencies or peerDependencies
 *    (test files and `test-fixtures/` may also use the package's or the root's devDependencies).
 * 5. The package.json declarations obey 1–3 as well.
 * 6. No circular relative imports among a package's `src` files (`import type` edges are ignored).
 *
 * Usage: `node scripts/check-dependency-rule.mjs [rootDir]` (rootDir defaults to the repository holding this
 * script). Prints every violation and exits 1, or prints one OK line and exits 0. No third-party dependencies.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { findImports } from './find-imports.mjs'

const CORE = '@dwcp/core'
const COMPOSER = 'dwcp'
const RDMA_OWNER = '@dwcp/amst'
const RDMA = '@dwcp/rdma-native'
const RUNTIME_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies']
const DECLARATION_FIELDS = [...RUNTIME_FIELDS, 'devDependencies']
const CODE_FILE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/
const DEV_FILE = /\.test(?:-d)?\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/
const URL_LIKE = /^[a-z][a-z0-9+.-]*:/i
const BUILTINS = new Set(builtinModules)

/**
 * @typedef {{ package: string, file?: string, line?: number, rule: string, message: string }} Violation
 */

const toPosix = (p) => p.split(path.sep).join('/')

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new Error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** Every code file under `dir` (skipping node_modules and dot-directories), sorted. */
function walk(dir) {
  if (!existsSync(dir)) return []
  const files = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) files.push(...walk(full))
    else if (entry.isFile() && CODE_FILE.test(entry.name)) files.push(full)
  }
  return files.sort()
}

/** The workspace packages under `<root>/packages/*` and `<root>/examples/*`, each with its role. */
function readWorkspace(root) {
  const packages = []
  for (const group of ['packages', 'examples']) {
    const groupDir = path.join(root, group)
    if (!existsSync(groupDir)) continue
    const dirs = readdirSync(groupDir, { withFileTypes: true }).filter((entry) => entry.isDirectory())
    for (const name of dirs.map((entry) => entry.name).sort()) {
      const dir = path.join(groupDir, name)
      if (!existsSync(path.join(dir, 'package.json'))) continue
      const manifest = readJson(path.join(dir, 'package.json'))
      const pkgName = typeof manifest.name === 'string' ? manifest.name : `${group}/${name}`
      const role =
        group === 'examples'
          ? 'example'
          : pkgName === CORE
            ? 'core'
            : pkgName === COMPOSER
              ? 'composer'
              : 'leaf'
      packages.push({ dir, name: pkgName, manifest, role })
    }
  }
  return packages
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageNameOf(specifier) {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

function isBareSpecifier(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#')) return false
  if (URL_LIKE.test(specifier)) return false // node:, data:, file:, …
  return !BUILTINS.has(specifier) && !BUILTINS.has(specifier.split('/')[0])
}

const declaredIn = (pkg, field, name) => Object.hasOwn(pkg.manifest[field] ?? {}, name)

/**
 * Why `pkg` may not use workspace package `target` (rules 1–3), or null when it may. `field` is the
 * package.json field declaring it (rule 5), or undefined for an import; `exampleNames` are the examples' names.
 */
function workspaceEdgeProblem(pkg, target, field, exampleNames) {
  if (target === pkg.name || pkg.role === 'example') return null
  const uses = field ? `declares ${target} in ${field}` : `imports ${target}`
  if (pkg.role === 'core') {
    return {
      rule: 'core-imports-workspace',
      message: `${pkg.name} ${uses}: core uses no other workspace package`,
    }
  }
  if (pkg.role === 'composer') {
    if (target.startsWith('@dwcp/') && !exampleNames.has(target)) return null
    return {
      rule: 'composer-imports-non-package',
      message: `${pkg.name} ${uses}: dwcp composes the @dwcp/* packages, never an example`,
    }
  }
  if (target === CORE) return null
  if (pkg.name === RDMA_OWNER && target === RDMA) {
    const optional = field
      ? field === 'optionalDependencies'
      : declaredIn(pkg, 'optionalDependencies', RDMA) && !declaredIn(pkg, 'dependencies', RDMA)
    if (optional) return null
    return {
      rule: 'rdma-native-not-optional',
      message: `${pkg.name} ${uses}: ${RDMA} must be declared in optionalDependencies (not dependencies)`,
    }
  }
  return {
    rule: 'leaf-imports-sibling',
    message: `${pkg.name} ${uses}: a leaf package uses only ${CORE} from the workspace (the one exception is ${RDMA_OWNER} → ${RDMA}, optional)`,
  }
}

/** Rule 5: the package.json declarations obey rules 1–3. */
function checkDeclarations(pkg, isWorkspaceName, exampleNames, rel) {
  const violations = []
  for (const field of DECLARATION_FIELDS) {
    for (const name of Object.keys(pkg.manifest[field] ?? {})) {
      const problem = isWorkspaceName(name) ? workspaceEdgeProblem(pkg, name, field, exampleNames) : null
      if (problem)
        violations.push({ package: pkg.name, file: rel(path.join(pkg.dir, 'package.json')), ...problem })
    }
  }
  return violations
}

/** The file a relative specifier names among `files` (`./x.js` → `x.ts`, `./dir` → `dir/index.ts`, …). */
function resolveRelative(fromFile, specifier, files) {
  const base = path.resolve(path.dirname(fromFile), specifier)
  const candidates = [base]
  const jsExt = /\.([cm]?)js(x?)$/.exec(base)
  if (jsExt) candidates.push(`${base.slice(0, -jsExt[0].length)}.${jsExt[1]}ts${jsExt[2]}`)
  for (const ext of ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']) {
    candidates.push(base + ext, path.join(base, `index${ext}`))
  }
  return candidates.find((candidate) => files.has(candidate))
}

/** Every distinct cycle in a file graph, each as a path that returns to its first file. */
function findCycles(graph) {
  /** @type {Map<string, 'open' | 'done'>} */
  const state = new Map()
  const stack = []
  const seen = new Set()
  const cycles = []
  const visit = (file) => {
    state.set(file, 'open')
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next))
        const first = cycle.indexOf([...cycle].sort()[0])
        const rotated = [...cycle.slice(first), ...cycle.slice(0, first)]
        const key = rotated.join('\0')
        if (!seen.has(key)) {
          seen.add(key)
          cycles.push([...rotated, rotated[0]])
        }
      } else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return cycles
}

/**
 * Checks the one dependency rule of DESIGN.md §2 for the workspace at `rootDir`: the packages found in
 * `<rootDir>/packages/<name>/package.json` and `<rootDir>/examples/<name>/package.json`, their package.json
 * declarations, and the imports of every code file under each package's `src/` and `test-fixtures/`.
 *
 * Rules (each violation's `rule`): `core-imports-workspace` (1), `leaf-imports-sibling` and
 * `rdma-native-not-optional` (2), `composer-imports-non-package` (3), `undeclared-dependency` (4),
 * the first four again with `file` = the package.json for declarations (5), and `circular-import` (6).
 *
 * @example
 * ```js
 * import { checkDependencyRule } from './scripts/check-dependency-rule.mjs'
 * const { violations } = checkDependencyRule('.')
 * for (const v of violations) console.error(`${v.file ?? v.package}: [${v.rule}] ${v.message}`)
 * ```
 *
 * @param {string} rootDir The repository root (absolute or relative to the working directory).
 * @returns {{ violations: Violation[], packageCount: number, fileCount: number }} Violations in a stable
 *   order (packages by directory, files sorted); `file` is relative to `rootDir`, with `/` separators.
 * @throws {Error} When a package.json cannot be read or parsed.
 */
export function checkDependencyRule(rootDir) {
  const root = path.resolve(rootDir)
  const rel = (file) => toPosix(path.relative(root, file))
  const rootManifestPath = path.join(root, 'package.json')
  const rootManifest = existsSync(rootManifestPath) ? readJson(rootManifestPath) : {}
  const rootDevDependencies = Object.keys(rootManifest.devDependencies ?? {})
  const packages = readWorkspace(root)
  const workspaceNames = new Set(packages.map((pkg) => pkg.name))
  const exampleNames = new Set(packages.filter((pkg) => pkg.role === 'example').map((pkg) => pkg.name))
  const isWorkspaceName = (name) => workspaceNames.has(name) || name === COMPOSER || name.startsWith('@dwcp/')
  /** @type {Violation[]} */
  const violations = []
  let fileCount = 0

  for (const pkg of packages) {
    violations.push(...checkDeclarations(pkg, isWorkspaceName, exampleNames, rel))
    const runtime = new Set(RUNTIME_FIELDS.flatMap((field) => Object.keys(pkg.manifest[field] ?? {})))
    const dev = new Set([
      ...runtime,
      ...Object.keys(pkg.manifest.devDependencies ?? {}),
      ...rootDevDependencies,
    ])
    const srcFiles = walk(path.join(pkg.dir, 'src'))
    const srcSet = new Set(srcFiles)
    const files = [...srcFiles, ...walk(path.join(pkg.dir, 'test-fixtures'))]
    /** @type {Map<string, string[]>} */
    const graph = new Map(srcFiles.map((file) => [file, []]))
    fileCount += files.length

    for (const file of files) {
      const isDevFile =
        DEV_FILE.test(file) || toPosix(path.relative(pkg.dir, file)).split('/').includes('test-fixtures')
      const report = (line, problem) =>
        violations.push({ package: pkg.name, file: rel(file), line, ...problem })
      for (const { specifier, line, typeOnly } of findImports(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.')) {
          const target = srcSet.has(file) && !typeOnly ? resolveRelative(file, specifier, srcSet) : undefined
          if (target && !graph.get(file).includes(target)) graph.get(file).push(target)
          continue
        }
        if (!isBareSpecifier(specifier)) continue
        const name = packageNameOf(specifier)
        if (name === pkg.name) continue // a package may import itself through its exports map
        const problem = isWorkspaceName(name)
          ? workspaceEdgeProblem(pkg, name, undefined, exampleNames)
          : null
        if (problem) report(line, problem)
        const typesPackage = `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`
        const allowed = isDevFile ? dev : runtime
        if (!allowed.has(name) && !(typeOnly && allowed.has(typesPackage))) {
          const where = isDevFile
            ? 'dependencies, optionalDependencies, peerDependencies, its devDependencies or the root devDependencies'
            : 'dependencies, optionalDependencies or peerDependencies'
          const via = specifier === name ? '' : ` (as '${specifier}')`
          report(line, {
            rule: 'undeclared-dependency',
            message: `${pkg.name} imports ${name}${via} without declaring it in ${where}`,
          })
        }
      }
    }

    for (const cycle of findCycles(graph)) {
      violations.push({
        package: pkg.name,
        file: rel(cycle[0]),
        rule: 'circular-import',
        message: `circular import in ${pkg.name}: ${cycle.map((file) => toPosix(path.relative(pkg.dir, file))).join(' -> ')}`,
      })
    }
  }
  return { violations, packageCount: packages.length, fileCount }
}

/**
 * One violation as one line: `<file>[:line] [rule] message` (or the package name when there is no file).
 * @param {Violation} violation
 */
export function formatViolation(violation) {
  const where = violation.file
    ? `${violation.file}${violation.line ? `:${violation.line}` : ''}`
    : violation.package
  return `${where} [${violation.rule}] ${violation.message}`
}

function main(args) {
  const root = path.resolve(args[0] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'))
  const { violations, packageCount, fileCount } = checkDependencyRule(root)
  if (violations.length === 0) {
    console.log(`dependency rule OK: ${packageCount} packages, ${fileCount} files checked in ${root}`)
    return 0
  }
  for (const violation of violations) console.error(formatViolation(violation))
  console.error(`\n${violations.length} dependency rule violation(s) in ${root} (see DESIGN.md §2)`)
  return 1
}

const invokedPath = process.argv[1] ? path.resolve(process.argv[1]) : undefined
const isMain =
  invokedPath !== undefined &&
  existsSync(invokedPath) &&
  realpathSync(invokedPath) === realpathSync(fileURLToPath(import.meta.url))
if (isMain) {
  try {
    process.exitCode = main(process.argv.slice(2))
  } catch (err) {
    console.error(err instanceof Error ? err.message : err)
    process.exitCode = 2
  }
}
