/**
 * The receiver's side of the one delivery model: which delivery, and which attempt of it, a request
 * is, decided once when its body has been read. The journal (`deliveryKey`, `attempt`), the fault
 * engine's `attempt=` matchers, `/api/deliveries`, the page and the conformance judges all read
 * this numbering; none re-derives it.
 * - Requests with the same tag and the same body bytes (the content key) are attempts of one
 *   delivery while that delivery is open.
 * - A success (2xx by the success rule) ends a delivery: the same body after it is attempt 1 of a
 *   new one.
 * - Two identical bodies in flight at once are two deliveries.
 * - Ambiguity: a body identical to several open, failed deliveries continues the oldest of them
 *   (first failed, first retried); a body identical to a delivery that failed and was given up
 *   continues that delivery, since nothing on the wire tells a late retry from new bytes that are the same.
 * The state is bounded by bytes (keys and per-delivery state), oldest content keys dropped first:
 * a dropped key's next request starts a delivery afresh.
 * @see docs/design.md "Delivery rules"
 */

/** Default memory budget of the per-key state, estimated bytes. */
export const DEFAULT_DELIVERY_STATE_BYTES = 16 * 1024 * 1024

/** Estimated bytes of one key's entry besides its text, and of one open delivery. */
const KEY_OVERHEAD_BYTES = 96
const DELIVERY_BYTES = 64

/** The delivery and attempt of one request, as the receiver journals it. */
/** A delivery's key as the journal's `deliveryKey` holds it: its content key and its sequence number. */
function deliveryKeyOf(contentKey: string, seq: number): string {
  return `${contentKey}#${seq}`
}

/** The ticket of an attempt from its journal entry's `deliveryKey` and `attempt` (deliveryKeyOf read back). */
export function ticketOf(deliveryKey: string, attempt: number): AttemptTicket {
  const cut = deliveryKey.lastIndexOf('#')
  return { deliveryKey, attempt, contentKey: deliveryKey.slice(0, cut), seq: Number(deliveryKey.slice(cut + 1)) }
}

export interface AttemptTicket {
  /** Unique per delivery: the content key and the delivery's sequence number. */
  deliveryKey: string
  /** 1-based attempt of that delivery. */
  attempt: number
  /** The content key (tag + body hash) it was counted under. */
  contentKey: string
  /** The receiver-wide sequence number of the delivery. */
  seq: number
}

interface OpenDelivery {
  seq: number
  attempts: number
  inFlight: boolean
}

export interface DeliveryTrackerOptions {
  /** Memory budget, estimated bytes (default DEFAULT_DELIVERY_STATE_BYTES). */
  maxBytes?: number
}

export interface DeliveryTracker {
  /** A request with this content key has been read: the delivery and attempt it is (now in flight). */
  begin(contentKey: string): AttemptTicket
  /** The attempt ended: `ok` when it succeeded by the success rule (which ends its delivery). */
  end(ticket: AttemptTicket, ok: boolean): void
  /**
   * An attempt that ended as a success turned out not to be one (its answer never reached the client,
   * journal.correct): its delivery is open again, failed, so that the client's retry continues it.
   */
  reopen(ticket: AttemptTicket): void
  /** Estimated bytes held. */
  readonly bytes: number
  /** Content keys held. */
  readonly size: number
}

const keyBytes = (key: string, open: number): number => key.length * 2 + KEY_OVERHEAD_BYTES + open * DELIVERY_BYTES

export function createDeliveryTracker(options: DeliveryTrackerOptions = {}): DeliveryTracker {
  const maxBytes = options.maxBytes ?? DEFAULT_DELIVERY_STATE_BYTES
  // Insertion order is recency order (a touched key is re-inserted): the oldest is dropped first.
  const keys = new Map<string, OpenDelivery[]>()
  let bytes = 0
  let seq = 0

  const drop = (key: string, open: OpenDelivery[]): void => {
    keys.delete(key)
    bytes -= keyBytes(key, open.length)
  }

  return {
    begin(contentKey) {
      const open = keys.get(contentKey) ?? []
      if (open.length > 0) {
        keys.delete(contentKey)
        bytes -= keyBytes(contentKey, open.length)
      }
      // The oldest open delivery that failed and has no attempt in flight; else a new one.
      let d = open.find((x) => !x.inFlight)
      if (d) {
        d.attempts++
        d.inFlight = true
      } else {
        d = { seq: ++seq, attempts: 1, inFlight: true }
        open.push(d)
      }
      keys.set(contentKey, open)
      bytes += keyBytes(contentKey, open.length)
      // Checked first: iterating the map allocates, and the budget is rarely exceeded.
      if (bytes > maxBytes) {
        for (const [key, list] of keys) {
          if (bytes <= maxBytes || key === contentKey) break
          drop(key, list)
        }
      }
      return { deliveryKey: deliveryKeyOf(contentKey, d.seq), attempt: d.attempts, contentKey, seq: d.seq }
    },
    end(ticket, ok) {
      const open = keys.get(ticket.contentKey)
      const i = open?.findIndex((x) => x.seq === ticket.seq) ?? -1
      if (!open || i < 0) return // dropped by the budget meanwhile
      const d = open[i]!
      if (d.attempts !== ticket.attempt) return // an older attempt ending late (cannot happen: one in flight)
      d.inFlight = false
      if (!ok) return
      open.splice(i, 1)
      bytes -= DELIVERY_BYTES
      if (open.length === 0) drop(ticket.contentKey, open)
    },
    reopen(ticket) {
      const open = keys.get(ticket.contentKey) ?? []
      if (open.some((x) => x.seq === ticket.seq)) return
      if (open.length > 0) bytes -= keyBytes(ticket.contentKey, open.length)
      keys.delete(ticket.contentKey)
      // Oldest first, by delivery number: a retry continues the oldest failed delivery.
      open.push({ seq: ticket.seq, attempts: ticket.attempt, inFlight: false })
      open.sort((a, b) => a.seq - b.seq)
      keys.set(ticket.contentKey, open)
      bytes += keyBytes(ticket.contentKey, open.length)
    },
    get bytes() {
      return bytes
    },
    get size() {
      return keys.size
    },
  }
}
