/**
 * Which URLs the agent may talk to: HTTPS everywhere, plain HTTP only to this machine's loopback
 * (issue #2, #3). Tokens and device codes must never cross a network in clear text
 * (RFC 6749 §1.6, RFC 8628 §5.1 via RFC 6749 §10.4).
 */
/**
 * A dotted-quad IPv4 address in 127.0.0.0/8, each part 0-255 without leading zeros (node:net's isIPv4
 * spelling). Not node:net itself: `status` and `token` check the configured URLs, and loading the socket
 * module for that was a few per cent of their start-up on a Pi's budget (issue #18).
 */
const LOOPBACK_V4 = /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)){3}$/;

/**
 * True for `localhost`, 127.0.0.0/8 and ::1 (with or without brackets). Not `*.localhost`: RFC 6761
 * reserves it, but glibc may still ask the DNS server, which could answer with any address.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || LOOPBACK_V4.test(host) || host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/**
 * Checks an endpoint URL. Returns undefined when it is acceptable, or a short reason that completes
 * the sentence "<key> ...", e.g. `must use https:// (http:// only for loopback hosts)`.
 */
export function endpointUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not a valid absolute URL: ${JSON.stringify(value.slice(0, 200))}`;
  }
  // RFC 8414 §2 / RFC 6749 §3.1: no fragment in endpoint URLs. An empty one (`…/token#`) is a fragment too
  // (RFC 3986 §3.5), though `url.hash` is '' for it.
  const fragment = url.hash !== '' || url.href.endsWith('#');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return `must use https:// (http:// is allowed only for loopback hosts), got ${url.origin}`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be an https:// URL, got ${url.protocol}`;
  // A user name or password in a URL would be printed wherever the URL is (config show, errors, logs)
  // and sent as Basic credentials by some clients: the client's credentials go in client_secret.
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password (put the secret in client_secret)';
  return fragment ? 'must not contain a #fragment' : undefined;
}
