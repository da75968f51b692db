/** Reachable URLs and certificate names for a bind address, from a given interface list (no listener). */
import { describe, expect, it } from 'vitest'
import { certificateHostsForBind, isLoopbackAddress, isWildcardAddress, listenerUrls, reachableAddresses, type InterfaceMap } from '../../../src/certs/addresses.js'
import { defaultCertDir, wantedSans } from '../../../src/certs/index.js'

const base = { netmask: '', mac: '00:00:00:00:00:00', cidr: null }
const interfaces: InterfaceMap = {
  lo: [
    { ...base, address: '127.0.0.1', family: 'IPv4', internal: true },
    { ...base, address: '::1', family: 'IPv6', internal: true, scopeid: 0 },
  ],
  eth0: [
    { ...base, address: '192.0.2.2', family: 'IPv4', internal: false },
    { ...base, address: 'fd00::2', family: 'IPv6', internal: false, scopeid: 0 },
    { ...base, address: 'fe80::fc:ff:fe00:1', family: 'IPv6', internal: false, scopeid: 4 },
  ],
  wlan0: [{ ...base, address: '10.1.2.3', family: 'IPv4', internal: false }],
}

describe('bind addresses', () => {
  it('knows wildcards and loopback', () => {
    for (const w of ['0.0.0.0', '::', '[::]', '']) expect(isWildcardAddress(w), w).toBe(true)
    for (const l of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) expect(isLoopbackAddress(l), l).toBe(true)
    expect(isLoopbackAddress('192.0.2.2')).toBe(false)
  })

  it('0.0.0.0: every external IPv4 address; :: adds IPv6 without link-local', () => {
    expect(reachableAddresses('0.0.0.0', interfaces)).toEqual(['192.0.2.2', '10.1.2.3'])
    expect(reachableAddresses('::', interfaces)).toEqual(['192.0.2.2', 'fd00::2', '10.1.2.3'])
  })

  it('loopback reaches nothing beyond; one address reaches that address', () => {
    expect(reachableAddresses('127.0.0.1', interfaces)).toEqual([])
    expect(reachableAddresses('192.0.2.2', interfaces)).toEqual(['192.0.2.2'])
  })

  it('prints reachable URLs, never 0.0.0.0, and a local URL that works on this machine', () => {
    expect(listenerUrls('https', '0.0.0.0', 9880, interfaces)).toEqual({
      local: 'https://127.0.0.1:9880',
      reachable: ['https://192.0.2.2:9880', 'https://10.1.2.3:9880'],
    })
    expect(listenerUrls('https', '::', 9880, interfaces)).toEqual({
      local: 'https://[::1]:9880',
      reachable: ['https://192.0.2.2:9880', 'https://[fd00::2]:9880', 'https://10.1.2.3:9880'],
    })
    expect(listenerUrls('http', '127.0.0.1', 1234, interfaces)).toEqual({ local: 'http://127.0.0.1:1234', reachable: [] })
  })

  it('puts the host addresses and host name into the certificate only beyond loopback', () => {
    expect(certificateHostsForBind('127.0.0.1', interfaces, 'build-box')).toEqual([])
    expect(certificateHostsForBind('0.0.0.0', interfaces, 'build-box')).toEqual(['192.0.2.2', '10.1.2.3', 'build-box'])
    expect(certificateHostsForBind('192.0.2.2', interfaces, 'not a dns name')).toEqual(['192.0.2.2'])
    expect(wantedSans(certificateHostsForBind('::', interfaces, 'Box.Example'))).toEqual(['localhost', '127.0.0.1', '::1', '192.0.2.2', 'fd00::2', '10.1.2.3', 'box.example'])
  })
})

describe('defaultCertDir', () => {
  it('is under $XDG_CACHE_HOME, else ~/.cache, never the working directory', () => {
    expect(defaultCertDir({ XDG_CACHE_HOME: '/var/cache/me' })).toBe('/var/cache/me/fake-fluentd/certs')
    const dir = defaultCertDir({})
    expect(dir.endsWith('/fake-fluentd/certs')).toBe(true)
    expect(dir.startsWith(process.cwd() + '/')).toBe(false)
    // A relative XDG_CACHE_HOME is ignored (the spec says so): not the working directory either.
    expect(defaultCertDir({ XDG_CACHE_HOME: 'cache' })).toBe(dir)
  })
})
