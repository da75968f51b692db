/**
 * Fluentd-style tag patterns (as in `<match>`): tags are dot-separated parts.
 * - `*` matches within one part (`a.*` matches `a.b`, not `a` nor `a.b.c`; `a.b*` matches `a.bc`);
 * - `**` matches zero or more whole parts (`a.**` matches `a`, `a.b`, `a.b.c`; `**.z` matches `z`, `y.z`);
 * - `{x,y}` matches either alternative (which may hold globs themselves).
 * Anything else matches literally.
 */

/** Compiles a tag pattern to an anchored RegExp; throws an Error with the problem for a bad pattern. */
export function compileTagGlob(pattern: string): RegExp {
  return new RegExp(`^${globToRegexSource(pattern)}$`)
}

function globToRegexSource(pattern: string): string {
  let out = ''
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i]!
    if (c === '*' && pattern[i + 1] === '*') {
      const atPartStart = i === 0 || pattern[i - 1] === '.'
      const followedByDot = pattern[i + 2] === '.'
      if (atPartStart && followedByDot) {
        // `**.` : zero or more leading parts
        out += '(?:[^.]+\\.)*'
        i += 3
        continue
      }
      if (out.endsWith('\\.') && i + 2 === pattern.length) {
        // `.**` at the end: zero or more trailing parts (the dot is optional)
        out = `${out.slice(0, -2)}(?:\\.[^.]+)*`
        i += 2
        continue
      }
      out += '.*'
      i += 2
      continue
    }
    if (c === '*') {
      out += '[^.]*'
      i += 1
      continue
    }
    if (c === '{') {
      const close = findClosingBrace(pattern, i)
      if (close < 0) throw new Error(`unbalanced '{' at position ${i + 1} of tag pattern '${pattern}'`)
      const alternatives = splitTopLevel(pattern.slice(i + 1, close))
      out += `(?:${alternatives.map(globToRegexSource).join('|')})`
      i = close + 1
      continue
    }
    if (c === '}') throw new Error(`unbalanced '}' at position ${i + 1} of tag pattern '${pattern}'`)
    out += c.replace(/[.+?^$()[\]\\|]/g, '\\$&')
    i += 1
  }
  return out
}

function findClosingBrace(text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++
    else if (text[i] === '}') {
      depth--
      if (depth === 0) return i
    }
  }
  return -1
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') depth++
    else if (text[i] === '}') depth--
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts
}
