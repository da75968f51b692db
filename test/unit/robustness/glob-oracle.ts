/** Test oracle for the linear tag glob matcher (src/faults/tag-glob.ts). */

/** The regex the tag globs used to compile to (backtracking): the oracle for the linear matcher, on short inputs only. */
export function oracleGlobSource(pattern: string): string {
  let out = ''
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i]!
    if (c === '*' && pattern[i + 1] === '*') {
      if ((i === 0 || pattern[i - 1] === '.') && pattern[i + 2] === '.') {
        out += '(?:[^.]+\\.)*'
        i += 3
      } else if (out.endsWith('\\.') && i + 2 === pattern.length) {
        out = `${out.slice(0, -2)}(?:\\.[^.]+)*`
        i += 2
      } else {
        out += '.*'
        i += 2
      }
      continue
    }
    if (c === '*') {
      out += '[^.]*'
      i += 1
      continue
    }
    if (c === '{') {
      let depth = 0
      let close = -1
      for (let j = i; j < pattern.length && close < 0; j++) {
        if (pattern[j] === '{') depth++
        else if (pattern[j] === '}' && --depth === 0) close = j
      }
      if (close < 0) throw new Error('unbalanced')
      const alts: string[] = []
      let d = 0
      let start = i + 1
      for (let j = i + 1; j < close; j++) {
        if (pattern[j] === '{') d++
        else if (pattern[j] === '}') d--
        else if (pattern[j] === ',' && d === 0) {
          alts.push(pattern.slice(start, j))
          start = j + 1
        }
      }
      alts.push(pattern.slice(start, close))
      out += `(?:${alts.map(oracleGlobSource).join('|')})`
      i = close + 1
      continue
    }
    if (c === '}') throw new Error('unbalanced')
    out += c.replace(/[.+?^$()[\]\\|]/g, '\\$&')
    i += 1
  }
  return out
}
