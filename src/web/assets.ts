/**
 * Where the page's static files live: the top-level `web/` folder of the package. Resolved from this
 * module's URL, which sits two levels below the package root both as `src/web/assets.ts` (tests) and
 * as `dist/web/assets.js` (after the build), so the same code finds `web/` in both.
 */
import { fileURLToPath } from 'node:url'

/** Absolute path of the package's `web/` folder (with no trailing separator). */
export const WEB_ROOT = fileURLToPath(new URL('../../web', import.meta.url))

/**
 * The compiled `src/text/` (dist/text, also two levels up from here in both cases): the page loads
 * the hints' wording from there (src/text/hints.ts), the same module `serve` prints from.
 */
export const TEXT_ROOT = fileURLToPath(new URL('../../dist/text', import.meta.url))

/** The files the page is made of: URL path → file name in WEB_ROOT (or `root`) and its content type. */
export const WEB_ASSETS: Readonly<Record<string, { file: string; type: string; root?: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/web/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/web/api.js': { file: 'api.js', type: 'text/javascript; charset=utf-8' },
  '/web/requests.js': { file: 'requests.js', type: 'text/javascript; charset=utf-8' },
  '/web/deliveries-view.js': { file: 'deliveries-view.js', type: 'text/javascript; charset=utf-8' },
  '/web/plan.js': { file: 'plan.js', type: 'text/javascript; charset=utf-8' },
  '/web/timeline.js': { file: 'timeline.js', type: 'text/javascript; charset=utf-8' },
  '/web/label-layout.js': { file: 'label-layout.js', type: 'text/javascript; charset=utf-8' },
  '/web/dom.js': { file: 'dom.js', type: 'text/javascript; charset=utf-8' },
  '/web/hints.js': { file: 'hints.js', type: 'text/javascript; charset=utf-8', root: TEXT_ROOT },
  '/web/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/web/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
}
