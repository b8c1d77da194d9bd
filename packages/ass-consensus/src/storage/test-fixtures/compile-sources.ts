import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const STORAGE_DIRECTORY = fileURLToPath(new URL('..', import.meta.url))
const PACKAGE_NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url))

/**
 * Transpiles the storage sources (and these fixtures) into `outputDirectory` as ES modules, so a plain `node`
 * child process can run the real storage code rather than a copy or the last build. Types are erased and
 * nothing is type-checked (the project's type check covers that); a `node_modules` link lets the output import
 * the package's dependencies as the sources do.
 */
export function compileStorageSources(outputDirectory: string): void {
  mkdirSync(outputDirectory, { recursive: true })
  writeFileSync(join(outputDirectory, 'package.json'), JSON.stringify({ type: 'module' }))
  symlinkSync(PACKAGE_NODE_MODULES, join(outputDirectory, 'node_modules'), 'dir')
  for (const file of sourceFiles(STORAGE_DIRECTORY)) {
    const output = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    })
    const target = join(outputDirectory, relative(STORAGE_DIRECTORY, file)).replace(/\.ts$/, '.js')
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, output.outputText)
  }
}

/** Every non-test `.ts` file under `directory`. */
function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
}
