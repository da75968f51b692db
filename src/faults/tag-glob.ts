/**
 * Fluentd-style tag patterns (as in `<match>`): tags are dot-separated parts.
 * - `*` matches within one part (`a.*` matches `a.b`, not `a` nor `a.b.c`; `a.b*` matches `a.bc`);
 * - `**` matches zero or more whole parts (`a.**` matches `a`, `a.b`, `a.b.c`; `**.z` matches `z`, `y.z`);
 * - `{x,y}` matches either alternative (which may hold globs themselves).
 * Anything else matches literally.
 *
 * Matching is linear in the tag: the pattern becomes a small automaton (Thompson's construction)
 * whose set of live states advances one character at a time, so no pattern can backtrack
 * (`a.*x*x*x*x*x*x*x*x*y` against a 62-character tag once blocked the server for minutes).
 * Cost: O(tag length x pattern length), so the pattern is bounded (`--fault-tag-pattern-max`, default
 * 256 characters): a 400 KB pattern against an 8 KB tag once cost 3 s per request.
 */
import { DEFAULT_PLAN_LIMITS, tooLong } from './plan-limits.js'

/** One automaton state: consume a character (`ch`, any but '.', or any), fork, or accept. */
type State =
  | { t: 'char'; c: number; next: number }
  | { t: 'notdot'; next: number }
  | { t: 'any'; next: number }
  | { t: 'split'; a: number; b: number }
  | { t: 'match' }

/** A parsed pattern piece. */
type Node =
  | { k: 'lit'; c: string }
  | { k: 'star' } // [^.]*
  | { k: 'anything' } // .*
  | { k: 'leadingParts' } // (?:[^.]+\.)*
  | { k: 'trailingParts' } // (?:\.[^.]+)*
  | { k: 'alt'; alternatives: Node[][] }

function parse(pattern: string, whole: string): Node[] {
  const out: Node[] = []
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i]!
    if (c === '*' && pattern[i + 1] === '*') {
      const atPartStart = i === 0 || pattern[i - 1] === '.'
      if (atPartStart && pattern[i + 2] === '.') {
        out.push({ k: 'leadingParts' })
        i += 3
        continue
      }
      const last = out[out.length - 1]
      if (last?.k === 'lit' && last.c === '.' && i + 2 === pattern.length) {
        // `.**` at the end: zero or more trailing parts (the dot is optional)
        out[out.length - 1] = { k: 'trailingParts' }
        i += 2
        continue
      }
      out.push({ k: 'anything' })
      i += 2
      continue
    }
    if (c === '*') {
      out.push({ k: 'star' })
      i += 1
      continue
    }
    if (c === '{') {
      const close = findClosingBrace(pattern, i)
      if (close < 0) throw new Error(`unbalanced '{' at position ${i + 1} of tag pattern '${whole}'`)
      out.push({ k: 'alt', alternatives: splitTopLevel(pattern.slice(i + 1, close)).map((p) => parse(p, whole)) })
      i = close + 1
      continue
    }
    if (c === '}') throw new Error(`unbalanced '}' at position ${i + 1} of tag pattern '${whole}'`)
    out.push({ k: 'lit', c })
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

const DOT = 46

/** Builds the states of `nodes` followed by state `next`, right to left; returns the start state. */
function build(nodes: readonly Node[], next: number, states: State[]): number {
  const add = (s: State): number => states.push(s) - 1
  let cont = next
  for (let n = nodes.length - 1; n >= 0; n--) {
    const node = nodes[n]!
    switch (node.k) {
      case 'lit':
        cont = add({ t: 'char', c: node.c.charCodeAt(0), next: cont })
        break
      case 'star':
      case 'anything': {
        const loop = add({ t: 'split', a: -1, b: cont })
        const step = add(node.k === 'star' ? { t: 'notdot', next: loop } : { t: 'any', next: loop })
        ;(states[loop] as { a: number }).a = step
        cont = loop
        break
      }
      case 'leadingParts': {
        // loop: (notdot+ '.')* then cont
        const loop = add({ t: 'split', a: -1, b: cont })
        const dot = add({ t: 'char', c: DOT, next: loop })
        const more = add({ t: 'split', a: -1, b: dot })
        const part = add({ t: 'notdot', next: more })
        ;(states[more] as { a: number }).a = part
        ;(states[loop] as { a: number }).a = part
        cont = loop
        break
      }
      case 'trailingParts': {
        // loop: ('.' notdot+)* then cont
        const loop = add({ t: 'split', a: -1, b: cont })
        const more = add({ t: 'split', a: -1, b: loop })
        const part = add({ t: 'notdot', next: more })
        ;(states[more] as { a: number }).a = part
        const dot = add({ t: 'char', c: DOT, next: part })
        ;(states[loop] as { a: number }).a = dot
        cont = loop
        break
      }
      case 'alt': {
        const starts = node.alternatives.map((alt) => build(alt, cont, states))
        let s = starts[starts.length - 1]!
        for (let i = starts.length - 2; i >= 0; i--) s = add({ t: 'split', a: starts[i]!, b: s })
        cont = s
        break
      }
    }
  }
  return cont
}

/** A set of live automaton states and where each character leads from it. */
interface DfaState {
  list: number[]
  accepts: boolean
  next: Map<number, DfaState>
}

/** Sets of live states cached per pattern at most (then the cache starts afresh). */
const MAX_DFA_STATES = 1024

/** A compiled tag pattern: `test(tag)` in linear time. */
export interface TagMatcher {
  readonly pattern: string
  test(tag: string): boolean
}

/**
 * Compiles a tag pattern of at most `maxLength` characters; throws an Error with the problem for a
 * bad pattern (a longer one names `--fault-tag-pattern-max`).
 */
export function compileTagMatcher(pattern: string, maxLength = DEFAULT_PLAN_LIMITS.tagPatternMax): TagMatcher {
  if (pattern.length > maxLength) throw new Error(tooLong('the tag pattern', pattern.length, 'tagPatternMax', maxLength))
  const states: State[] = [{ t: 'match' }]
  const start = build(parse(pattern, pattern), 0, states)
  const mark = new Int32Array(states.length).fill(-1)
  let gen = 0
  /** Adds `s` and everything reachable through splits to `list` (once per generation). */
  const addClosure = (list: number[], s: number): void => {
    const stack = [s]
    while (stack.length > 0) {
      const i = stack.pop()!
      if (mark[i] === gen) continue
      mark[i] = gen
      const st = states[i]!
      if (st.t === 'split') stack.push(st.b, st.a)
      else list.push(i)
    }
  }
  /** The states reachable from `list` on character `c`. */
  const step = (list: readonly number[], c: number): number[] => {
    const next: number[] = []
    gen++
    for (const i of list) {
      const st = states[i]!
      if (st.t === 'char' ? st.c === c : st.t === 'notdot' ? c !== DOT : st.t === 'any') addClosure(next, (st as { next: number }).next)
    }
    return next
  }
  // Sets of live states met so far, with their transitions (a lazy DFA, as RE2 keeps): a pattern like
  // `a*a*a*...` against a long tag costs one lookup per character instead of one step per live state.
  const cache = new Map<string, DfaState>()
  const dfaState = (list: number[]): DfaState => {
    const key = list.join(',')
    let d = cache.get(key)
    if (!d) {
      if (cache.size >= MAX_DFA_STATES) cache.clear()
      d = { list, accepts: list.some((i) => states[i]!.t === 'match'), next: new Map() }
      cache.set(key, d)
    }
    return d
  }
  const first: number[] = []
  gen++
  addClosure(first, start)
  const initial = dfaState(first)
  return {
    pattern,
    test(tag: string): boolean {
      let d = initial
      for (let p = 0; p < tag.length && d.list.length > 0; p++) {
        const c = tag.charCodeAt(p)
        let n = d.next.get(c)
        if (!n) {
          n = dfaState(step(d.list, c))
          d.next.set(c, n)
        }
        d = n
      }
      return d.accepts
    },
  }
}

/**
 * Compiles a tag pattern to a RegExp-compatible matcher (what the fault plan stores): its `test` and
 * `exec` run the linear matcher above, never a regular expression. Throws an Error for a bad pattern.
 */
export function compileTagGlob(pattern: string, maxLength = DEFAULT_PLAN_LIMITS.tagPatternMax): RegExp {
  return new TagGlobRegExp(compileTagMatcher(pattern, maxLength))
}

/** A RegExp whose matching is the linear tag matcher (its own source only names the pattern). */
class TagGlobRegExp extends RegExp {
  readonly #matcher: TagMatcher
  constructor(matcher: TagMatcher) {
    super(matcher.pattern.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    this.#matcher = matcher
  }
  override exec(text: string): RegExpExecArray | null {
    if (!this.#matcher.test(String(text))) return null
    return Object.assign([String(text)], { index: 0, input: String(text), groups: undefined }) as RegExpExecArray
  }
  override test(text: string): boolean {
    return this.#matcher.test(String(text))
  }
}
