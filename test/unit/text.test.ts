/** The one duration writer and the one header-line reader (src/text), used by the CLI and the library. */
import { describe, expect, it } from 'vitest'
import { formatDuration, parseHeaderLine } from '../../src/text/index.js'

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [0.25, '0.3 ms'],
    [0.96, '1 ms'],
    [5.3, '5 ms'],
    [12.4, '12 ms'],
    [999.4, '999 ms'],
    [1000, '1 s'],
    [1234, '1.23 s'],
    [1500, '1.5 s'],
    [36_000, '36 s'],
    [59_960, '60 s'],
    [60_000, '1 min'],
    [90_000, '1 min 30 s'],
    [119_600, '2 min'],
    [43_200_000, '720 min'],
    [-12, '-12 ms'],
    [-0.01, '0 ms'],
    [-90_000, '-1 min 30 s'],
  ])('%s ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })

  it('writes a missing value as — or as the text given', () => {
    expect(formatDuration(undefined)).toBe('—')
    expect(formatDuration(Number.NaN)).toBe('—')
    expect(formatDuration(Number.POSITIVE_INFINITY, '')).toBe('')
  })
})

describe('parseHeaderLine', () => {
  it('splits at the first colon and trims both sides', () => {
    expect(parseHeaderLine('X-Token: a:b ')).toEqual({ name: 'X-Token', value: 'a:b' })
    expect(parseHeaderLine(' Authorization :Bearer x')).toEqual({ name: 'Authorization', value: 'Bearer x' })
    expect(parseHeaderLine('X-Empty:')).toEqual({ name: 'X-Empty', value: '' })
  })

  it('refuses a line without a colon or whose name is not an HTTP token', () => {
    expect(parseHeaderLine('X-Token')).toBeUndefined()
    expect(parseHeaderLine(': value')).toBeUndefined()
    expect(parseHeaderLine('Bad Name: value')).toBeUndefined()
    expect(parseHeaderLine('Bad(name): value')).toBeUndefined()
  })
})
