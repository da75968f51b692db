import { describe, expect, it } from 'vitest'
import { compileTagGlob, compileTagMatcher } from '../../../src/faults/tag-glob.js'

describe('tag globs match in linear time (no backtracking regex)', () => {
  it('the ReDoS pattern from issue 15 gives the right answers on long tags', () => {
    const re = compileTagGlob('a.*x*x*x*x*x*x*x*x*y')
    expect(re.test('a.' + 'x'.repeat(60))).toBe(false)
    expect(re.test('a.' + 'x'.repeat(60) + 'y')).toBe(true)
    expect(re.test('a.xxxxxxxxy')).toBe(true)
    expect(re.test('a.xxxxxxxy')).toBe(false)
    expect(re.test('a.' + 'x'.repeat(30) + '.' + 'x'.repeat(30) + 'y')).toBe(false)
  })

  it('is a RegExp for the fault plan, whose exec and match use the same matcher', () => {
    const re = compileTagGlob('wallarm.{alerts,hits}.**')
    expect(re).toBeInstanceOf(RegExp)
    expect(re.exec('wallarm.hits.x.y')?.[0]).toBe('wallarm.hits.x.y')
    expect('wallarm.other'.match(re)).toBeNull()
    expect(compileTagMatcher('**').test('')).toBe(true)
    expect(compileTagMatcher('a.**').test('a')).toBe(true)
    expect(compileTagMatcher('**.a').test('.a')).toBe(false)
  })

  it('reports unbalanced braces', () => {
    expect(() => compileTagGlob('a.{b,c')).toThrow("unbalanced '{' at position 3 of tag pattern 'a.{b,c'")
    expect(() => compileTagGlob('a}')).toThrow("unbalanced '}' at position 2 of tag pattern 'a}'")
  })
})
