/**
 * Conformance settings as the reference sender's IntegrationSettings and as the sender-contract
 * environment (one mapping, owned by the sender part: settingsToEnv).
 */
import { settingsToEnv, type IntegrationSettings, type SenderContractEnv } from '../../sender/index.js'
import type { ConformanceSettings } from '../types.js'

export function toIntegrationSettings(s: ConformanceSettings): IntegrationSettings {
  return {
    url: s.url,
    method: s.method,
    headers: s.headers,
    caFile: s.caFile,
    verifyTls: s.verifyTls,
    format: s.format,
    requestTimeoutMs: s.requestTimeoutMs,
    connectTimeoutMs: s.connectTimeoutMs,
    timeScale: s.timeScale,
  }
}

/** The environment variables docs/sender-contract.md defines for `--sender-cmd`. */
export function toContractEnv(s: ConformanceSettings): SenderContractEnv {
  return settingsToEnv(toIntegrationSettings(s))
}
