import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { configJsonSchema } from './json-schema.js'
import { parseYamlText } from './parse-yaml.js'
import { CONFIG_KEYS } from './schema-keys.js'
import { deployConfig } from './test-fixtures/expect-config-error.js'
import { parseWritten } from './validate-config.js'

const SHIPPED = fileURLToPath(new URL('../../config.schema.json', import.meta.url))
const DEPLOY = fileURLToPath(new URL('../../../../deploy/configs/', import.meta.url))
const SCHEMA_LINE = '# yaml-language-server: $schema=../../packages/dwcp/config.schema.json'

describe('config.schema.json', () => {
  it('is what the schema declaration generates (regenerate: pnpm --filter dwcp build && pnpm --filter dwcp schema)', () => {
    const shipped = JSON.parse(readFileSync(SHIPPED, 'utf8'))
    expect(shipped).toEqual(JSON.parse(JSON.stringify(configJsonSchema())))
  })

  it('lists every key of the key table, and marks the refused ones with their reason', () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown> }
    for (const keyPath of Object.keys(CONFIG_KEYS)) {
      let node: { properties?: Record<string, unknown> } | undefined = schema
      for (const key of keyPath.split('.')) node = node?.properties?.[key] as typeof node
      expect(node, keyPath).toBeDefined()
    }
    type Node = { properties: Record<string, Node> }
    const cpuLimit = (schema as unknown as Node).properties.resources?.properties.cpu?.properties.limit
    expect(cpuLimit).toMatchObject({
      not: {},
      description: expect.stringMatching(/^Not supported by this release: /),
    })
  })

  it('is named by every file in deploy/configs, each of which passes the schema on its own', () => {
    const files = readdirSync(DEPLOY).filter((name) => name.endsWith('.yaml'))
    expect(files.length).toBeGreaterThanOrEqual(6)
    for (const file of files) {
      const text = readFileSync(deployConfig(file), 'utf8')
      expect(text.split('\n')[0], file).toBe(SCHEMA_LINE)
      expect(() => parseWritten(parseYamlText(text, file)), file).not.toThrow()
    }
  })
})
