/**
 * Refuses connections to loopback, private, link-local and cloud-metadata
 * addresses for URLs that come from feed content (images, icons), so a feed
 * cannot make the build machine probe its own network. The check runs on the
 * address DNS returns (not the host name), on every connection, redirects
 * included, because it is wired into the socket's `lookup`.
 */
import dns from 'node:dns';
import net from 'node:net';

const blocked = new net.BlockList();
for (const [addr, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, includes 169.254.169.254 (cloud metadata)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(addr, prefix, 'ipv4');
}
for (const [addr, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local, includes fd00:ec2::254 (AWS metadata)
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(addr, prefix, 'ipv6');
}

export function isBlockedAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    // IPv4-mapped (::ffff:127.0.0.1) and IPv4-compatible forms hide a v4 address.
    const mapped = /^(?:::ffff:|::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
    // The same in hex (::7f00:1), and NAT64's well-known prefix (64:ff9b::7f00:1), which a NAT64 gateway turns into 127.0.0.1.
    const embedded = embeddedIpv4(address);
    if (embedded && blocked.check(embedded, 'ipv4')) return true;
    return blocked.check(address, 'ipv6');
  }
  return false;
}

/** The IPv4 address in the last 32 bits of an IPv4-compatible (::/96) or NAT64 (64:ff9b::/96) IPv6 address. */
function embeddedIpv4(address: string): string | null {
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const groups = address.includes('::')
    ? [...(head ? head.split(':') : []), ...Array(8 - (head ? head.split(':').length : 0) - (tail ? tail.split(':').length : 0)).fill('0'), ...(tail ? tail.split(':') : [])]
    : address.toLowerCase().split(':');
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  const n = groups.map((g) => parseInt(g, 16));
  const compatible = n.slice(0, 6).every((x) => x === 0);
  const nat64 = n[0] === 0x64 && n[1] === 0xff9b && n.slice(2, 6).every((x) => x === 0);
  if (!compatible && !nat64) return null;
  return [n[6]! >> 8, n[6]! & 0xff, n[7]! >> 8, n[7]! & 0xff].join('.');
}

export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  constructor(readonly host: string, readonly address: string) {
    super(`${host} resolves to ${address}, a private or loopback address`);
  }
}

/** Checks a URL whose host is an IP literal (no DNS lookup happens for those). */
export function checkLiteralHost(url: URL): BlockedAddressError | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return net.isIP(host) && isBlockedAddress(host) ? new BlockedAddressError(host, host) : null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A drop-in for `dns.lookup` that fails on blocked addresses. */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const bad = addresses.find((a) => isBlockedAddress(a.address));
    if (bad) return callback(new BlockedAddressError(hostname, bad.address) as NodeJS.ErrnoException, '');
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
    callback(null, first.address, first.family);
  });
}
