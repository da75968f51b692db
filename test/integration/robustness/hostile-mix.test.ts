/**
 * The hostile mix, small scale (issue 15): gzip bomb, arrays over the record cap, `[1,1,...]`, deep
 * nesting, an in-limit batch, SSE subscribers that never read, slowloris connections, junk
 * connections, the ReDoS glob and header regex, plans that are too big or deep, a pipelined TLS
 * burst and full `GET /api/requests` pages (issue 19), all against one `serve` while a steady client
 * posts 10/s. The p99 is reported in test-results/hostile-mix-small.json, never asserted. The scale
 * and the assertions are shared with the full run in test/soak/ (hostile-mix-suite.ts).
 */
import { describeHostileMix } from './hostile-mix-suite.js'

describeHostileMix('small')
