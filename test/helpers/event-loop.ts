/** Counts event-loop turns while `p` is pending: more than a few means the work yielded to the loop. */
export async function turnsWhile<T>(p: Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0
  let done = false
  const spin = (): void => {
    if (done) return
    turns++
    setImmediate(spin)
  }
  setImmediate(spin)
  try {
    return { value: await p, turns }
  } finally {
    done = true
  }
}
