/**
 * The hostile mix at the scale of issue 15 (`npm run test:soak`), against one `serve` with the
 * default limits (the connection cap raised above the slowloris count) while a steady client posts
 * 10/s for 60 s. Figures: test-results/hostile-mix-full.json. The scale and the assertions are
 * shared with the small run in `npm test` (test/integration/robustness/hostile-mix-suite.ts).
 */
import { describeHostileMix } from '../integration/robustness/hostile-mix-suite.js'

describeHostileMix('full')
