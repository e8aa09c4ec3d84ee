import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { promises as dns } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import ipaddr from 'ipaddr.js'

/**
 * Where webhooks may go. A help desk that POSTs to any URL an admin types would be a proxy into its
 * own network (cloud metadata at 169.254.169.254, a database on localhost, the office LAN): only
 * public unicast addresses are allowed unless an admin setting says otherwise. The check runs when
 * an endpoint is saved and again on every connection (a name can resolve elsewhere later).
 */

/** Why an address is refused: its range's name (ipaddr.js), or null when it is public. */
export function refusedRange(address: string): string | null {
  let ip: ipaddr.IPv4 | ipaddr.IPv6
  try {
    // process(): an IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 it carries.
    ip = ipaddr.process(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''))
  } catch {
    return 'invalid'
  }
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6
    const range = v6.range()
    // The local-use NAT64 prefix (RFC 8215) spreads the IPv4 address around its /48 and leads into
    // the local network by definition; IPv4-compatible addresses (::a.b.c.d, deprecated) may be
    // routed to IPv4 by a tunnel: both refused.
    if (v6.match(ipaddr.IPv6.parse('64:ff9b:1::'), 48)) return 'nat64Local'
    if (range === 'unicast' && v6.match(ipaddr.IPv6.parse('::'), 96)) return 'ipv4Compatible'
    // Translated and tunnelled IPv4 (NAT64, 6to4) are as safe as the IPv4 address inside.
    if (range === 'rfc6052') return refusedRange(ipaddr.fromByteArray(v6.toByteArray().slice(12)).toString())
    if (range === '6to4') return refusedRange(ipaddr.fromByteArray(v6.toByteArray().slice(2, 6)).toString())
    return range === 'unicast' ? null : range
  }
  const range = (ip as ipaddr.IPv4).range()
  return range === 'unicast' ? null : range
}

export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError'
  readonly code = 'EWEBHOOKADDRESS'
  constructor(
    readonly address: string,
    readonly range: string,
  ) {
    super(`${address} is a ${range} address; webhooks go to public addresses only`)
  }
}

/** The host of a URL as the resolver takes it (IPv6 literals without their brackets). */
export const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '')

/**
 * Every address a URL's host stands for, each with its refusal (null when allowed). A name that
 * does not resolve throws (ENOTFOUND).
 */
export async function addressesOf(url: URL): Promise<{ address: string; refused: string | null }[]> {
  const host = hostOf(url)
  const addresses = isIP(host) ? [host] : (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address)
  return addresses.map((address) => ({ address, refused: refusedRange(address) }))
}

/**
 * A `lookup` for node:http that refuses a name resolving to a non-public address, so the address
 * checked is the address connected to (a DNS answer that changes between check and use cannot slip
 * through). IP literals never reach a lookup: the sender checks those itself.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, found: LookupAddress[] | string) => {
      if (err) return callback(err, '', 0)
      const list = Array.isArray(found) ? found : [{ address: found, family: isIP(found) }]
      if (!allowPrivate) {
        const bad = list.find((a) => refusedRange(a.address) !== null)
        if (bad) return callback(new RefusedAddressError(bad.address, refusedRange(bad.address)!), '', 0)
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list)
      const first = list[0]
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0)
      callback(null, first.address, first.family)
    })
  }
}
