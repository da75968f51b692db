/**
 * The security headers of the web page and its assets. Request bodies shown on the page are attack
 * strings by nature (XSS, SQLi, path traversal payloads), so the page never turns data into markup,
 * and the policy below makes sure nothing slips through if it ever tried: scripts only from our own
 * files (no inline script, no eval), no plugins, no framing, and Trusted Types so that any
 * string-to-HTML sink such as `innerHTML` throws in browsers that enforce it.
 * @see docs/design.md "Admin API"
 */

/** The Content-Security-Policy header value sent with `GET /` and every page asset. */
export const WEB_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ')

/** Every header the page and its assets carry (CSP plus the usual hardening). */
export const WEB_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': WEB_PAGE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}
