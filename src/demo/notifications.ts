/**
 * What the demo sends: realistic Wallarm `new_hits` notifications, one attack kind per delivery
 * (SQL injection, XSS, path traversal, RCE), so that every delivery has its own body and the
 * page shows attack payloads as the text they are.
 */
import { sampleHit, type SampleAttack } from '../validation/index.js'

const ATTACKS: readonly SampleAttack[] = ['sqli', 'xss', 'ptrav', 'rce']

/** `count` notifications, each a different attack (cycling through the four when count > 4). */
export function demoNotifications(count: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => sampleHit(ATTACKS[i % ATTACKS.length] ?? 'sqli'))
}
