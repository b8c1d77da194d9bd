import { isDwcpError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { type CertificateSubject, escapeAttributeValue, formatSubject } from './distinguished-name.js'
import {
  findMatchingPattern,
  MAX_SUBJECT_PATTERN_LENGTH,
  matchesSubject,
  parseAllowedSubjects,
  parseSubjectPattern,
} from './subject-pattern.js'

const node7: CertificateSubject = { O: 'DWCP', CN: 'node-7.datacenter.local' }

describe('matching a subject against a pattern', () => {
  it.each<[pattern: string, subject: CertificateSubject, expected: boolean]>([
    // exact names
    ['CN=node-7.datacenter.local', node7, true],
    ['CN=node-8.datacenter.local', node7, false],
    // wildcards stay inside one DNS label and match one or more characters
    ['CN=node-*.datacenter.local', node7, true],
    ['CN=node-*.datacenter.local', { CN: 'node-.datacenter.local' }, false],
    ['CN=node-*.datacenter.local', { CN: 'node-7.evil.datacenter.local' }, false],
    ['CN=node-*.datacenter.local', { CN: 'node-7.datacenter.local.evil.org' }, false],
    ['CN=node-*.datacenter.local', { CN: 'edge-7.datacenter.local' }, false],
    ['CN=*.datacenter.local', node7, true],
    ['CN=*.datacenter.local', { CN: 'datacenter.local' }, false],
    ['CN=*.datacenter.local', { CN: '.datacenter.local' }, false],
    ['CN=node-*', { CN: 'node-7' }, true],
    ['CN=node-*', { CN: 'node-7.evil.org' }, false],
    ['CN=node-*.*.local', node7, true],
    ['CN=*-7.datacenter.local', node7, true],
    ['CN=n*e-*.datacenter.local', node7, true],
    ['CN=edge-*.cloud.local', { CN: 'edge-eu-1.cloud.local' }, true],
    // a value that is exactly * matches any non-empty value
    ['CN=*', node7, true],
    ['CN=*', { CN: '' }, false],
    ['CN=*', { O: 'DWCP' }, false],
    // CN compares case-insensitively, other values exactly
    ['CN=NODE-*.DataCenter.Local', node7, true],
    ['cn=node-7.datacenter.local', node7, true],
    ['CN=node-7.datacenter.local,O=dwcp', node7, false],
    ['CN=node-7.datacenter.local,o=DWCP', node7, true],
    // every attribute of the pattern must match; others are ignored
    ['CN=node-*.datacenter.local,O=DWCP', node7, true],
    ['CN=node-*.datacenter.local,O=Other', node7, false],
    ['CN=node-*.datacenter.local,OU=ops', node7, false],
    ['O=DWCP', node7, true],
    // repeated attributes: one value matching is enough; repeated requirements need each
    ['OU=ops', { CN: 'a', OU: ['eng', 'ops'] }, true],
    ['OU=ops,OU=eng', { CN: 'a', OU: ['eng', 'ops'] }, true],
    ['OU=ops,OU=sec', { CN: 'a', OU: ['eng', 'ops'] }, false],
    ['CN=node-*.datacenter.local', { CN: ['intruder.example.org', 'node-1.datacenter.local'] }, true],
    // outside DNS-shaped CNs a wildcard crosses dots and spaces
    ['O=Acme * Ltd.', { O: 'Acme Widgets Co. Ltd.' }, true],
    ['O=Acme * Ltd.', { O: 'Acme   Ltd.' }, true],
    ['O=Acme * Ltd.', { O: 'Acme  Ltd.' }, false],
    ['O=Acme * Ltd.', { O: 'Acme Ltd.' }, false],
    ['CN=Build Agent *', { CN: 'build agent 12.ci' }, true],
    // escapes
    ['O=Acme\\, Inc.', { O: 'Acme, Inc.' }, true],
    ['O=Acme\\2C Inc.', { O: 'Acme, Inc.' }, true],
    ['O=a\\*b', { O: 'a*b' }, true],
    ['O=a\\*b', { O: 'axb' }, false],
    ['O=a\\+b\\=c', { O: 'a+b=c' }, true],
    ['O=Caf\\C3\\A9', { O: 'Café' }, true],
    ['O=a=b', { O: 'a=b' }, true],
    // whitespace around names and values is trimmed
    [' CN = node-7.datacenter.local , O = DWCP ', node7, true],
    ['O=DWCP\\ ', { O: 'DWCP ' }, true],
    ['O=DWCP\\ ', { O: 'DWCP' }, false],
    // attribute names compare case-insensitively on the subject side too
    ['EMAILADDRESS=ops@dc.local', { CN: 'a', emailAddress: 'ops@dc.local' }, true],
  ])('%s against %j → %s', (pattern, subject, expected) => {
    expect(matchesSubject(parseSubjectPattern(pattern), subject)).toBe(expected)
  })

  it('refuses an oversized subject value without scanning it', () => {
    const pattern = parseSubjectPattern('O=*x')
    expect(matchesSubject(pattern, { O: `${'a'.repeat(5000)}x` })).toBe(false)
  })

  it('matches many wildcards against a long hostile value in bounded time', () => {
    const pattern = parseSubjectPattern(`O=${'a*'.repeat(40)}b`)
    const started = performance.now()
    expect(matchesSubject(pattern, { O: 'a'.repeat(4000) })).toBe(false)
    expect(performance.now() - started).toBeLessThan(2000)
  })
})

describe('malformed patterns', () => {
  it.each<[pattern: string, reason: RegExp]>([
    ['', /empty subject pattern/],
    ['   ', /empty subject pattern/],
    ['node-1.datacenter.local', /has no '='/],
    ['CN=', /empty value/],
    ['CN=  ', /empty value/],
    ['=node-1', /attribute name ''/],
    ['C N=x', /attribute name/],
    ['2.5.4.3=node-1', /attribute name/],
    ['CN=a,,O=b', /attribute 2 is empty/],
    ['CN=a,', /attribute 2 is empty/],
    ['CN=a+O=b', /multi-valued RDNs/],
    ['CN=node-**.dc.local', /two wildcards in a row/],
    ['CN=a\\', /dangling backslash/],
    ['CN=a\\q', /unknown escape/],
    ['CN=a\\C3', /not valid UTF-8/],
  ])('%j is refused (%s)', (pattern, reason) => {
    let thrown: unknown
    try {
      parseSubjectPattern(pattern, 'authentication.allowed_subjects[0]')
    } catch (error) {
      thrown = error
    }
    expect(isDwcpError(thrown, 'DWCP_ERR_CONFIG_INVALID')).toBe(true)
    expect((thrown as { data: { keyPath: string } }).data.keyPath).toBe('authentication.allowed_subjects[0]')
    expect((thrown as Error).message).toMatch(reason)
  })

  it('refuses an entry longer than MAX_SUBJECT_PATTERN_LENGTH', () => {
    expect(() => parseSubjectPattern(`CN=${'x'.repeat(MAX_SUBJECT_PATTERN_LENGTH)}`)).toThrow(/longer than/)
  })

  it('names the offending entry of a list by index', () => {
    expect(() =>
      parseAllowedSubjects(['CN=node-*.datacenter.local', 'CN=edge-*.cloud.local', 'junk']),
    ).toThrow(
      expect.objectContaining({
        code: 'DWCP_ERR_CONFIG_INVALID',
        data: expect.objectContaining({ keyPath: 'authentication.allowed_subjects[2]' }),
      }),
    )
  })

  it('refuses a non-string entry', () => {
    expect(() => parseAllowedSubjects([42 as unknown as string])).toThrow(/expected a string/)
  })
})

describe('allow-lists', () => {
  const allowList = parseAllowedSubjects(['CN=node-*.datacenter.local', 'CN=edge-*.cloud.local'])

  it('returns the first entry that matches', () => {
    expect(findMatchingPattern(allowList, { CN: 'edge-2.cloud.local' })?.source).toBe('CN=edge-*.cloud.local')
    expect(findMatchingPattern(allowList, { CN: 'intruder.example.org' })).toBeUndefined()
  })

  it('an empty list matches nothing', () => {
    expect(findMatchingPattern([], node7)).toBeUndefined()
  })
})

describe('formatting subjects', () => {
  it.each<[subject: CertificateSubject, formatted: string]>([
    [{ C: 'DE', O: 'DWCP', CN: 'node-1.datacenter.local' }, 'CN=node-1.datacenter.local,O=DWCP,C=DE'],
    [{ OU: ['eng', 'ops'], CN: 'a' }, 'CN=a,OU=eng,OU=ops'],
    [{ O: 'Acme, Inc.' }, 'O=Acme\\, Inc.'],
    [{ CN: 'a*b+c=d' }, 'CN=a\\*b\\+c\\=d'],
    [{ CN: ' #lead trail ' }, 'CN=\\ #lead trail\\ '],
    [{ CN: '#x' }, 'CN=\\#x'],
    [{ CN: 'evil\nCN=forged' }, 'CN=evil\\0ACN\\=forged'],
    [{}, ''],
  ])('%j → %s', (subject, formatted) => {
    expect(formatSubject(subject)).toBe(formatted)
  })

  it.each(['Acme, Inc.', 'a*b', ' x ', '#x', 'line\nbreak', 'Café', 'back\\slash', 'q"uote;<>'])(
    'an escaped value %j reads back as an exact pattern',
    (value) => {
      const pattern = parseSubjectPattern(`O=${escapeAttributeValue(value)}`)
      expect(matchesSubject(pattern, { O: value })).toBe(true)
      expect(matchesSubject(pattern, { O: `${value}x` })).toBe(false)
    },
  )
})
