/**
 * RFC 9457 problem+json answers for the admin API.
 */
import type { Response } from 'express'

/** Sends `application/problem+json` with type/title/status/detail. */
export function sendProblem(res: Response, status: number, title: string, detail?: string, extra: Record<string, unknown> = {}): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title, status, ...(detail === undefined ? {} : { detail }), ...extra }))
}
