/**
 * Which URLs the agent may talk to (issue #2, #3; table test from issue #14 item 6): HTTPS everywhere,
 * plain HTTP only to this machine's loopback. Hostile spellings come first: each row is a URL someone
 * could put in a config file or a discovery document to get a token sent in clear text off the machine.
 */
import { describe, expect, it } from 'vitest';
import { endpointUrlProblem, isLoopbackHost } from '../../src/net/url-policy.js';

const OFF_LOOPBACK = (origin: string) => `must use https:// (http:// is allowed only for loopback hosts), got ${origin}`;
const FRAGMENT = 'must not contain a #fragment';
const CREDENTIALS = 'must not contain a user name or password (put the secret in client_secret)';

describe('endpointUrlProblem', () => {
  it.each([
    // https anywhere, with a port and a query, in capitals (the URL parser lowercases scheme and host).
    'https://idp.example.com/oauth2/device', 'https://idp.example.com:8443/token?tenant=a', 'HTTPS://IDP.EXAMPLE.COM/token',
    // http to loopback: all of 127.0.0.0/8, localhost in any case, ::1 however written.
    'http://127.0.0.1:8080/token', 'http://127.0.0.2/token', 'http://127.255.255.254/token', 'http://localhost:3000/realms/x', 'HTTP://LOCALHOST:8080/x',
    'http://[::1]:9000/token', 'http://[0:0:0:0:0:0:0:1]/token',
    // 127.0.0.1 as one decimal number, and in hex and short form: the parser reads both as 127.0.0.1.
    'http://2130706433/token', 'http://0x7f.1/token',
  ])('accepts %s', (url) => {
    expect(endpointUrlProblem(url)).toBeUndefined();
  });

  it.each<[string, string, string]>([
    // Refused: http off the machine, however it is spelled.
    ['http to a remote host', 'http://idp.example.com/token', OFF_LOOPBACK('http://idp.example.com')],
    ['http to a private address', 'http://192.168.1.5/token', OFF_LOOPBACK('http://192.168.1.5')],
    ['http to 0.0.0.0 (not loopback: it can mean any local interface)', 'http://0.0.0.0/token', OFF_LOOPBACK('http://0.0.0.0')],
    ['http to [::] (the IPv6 unspecified address)', 'http://[::]/token', OFF_LOOPBACK('http://[::]')],
    ['localhost as the first label of a remote name', 'http://localhost.evil.com/token', OFF_LOOPBACK('http://localhost.evil.com')],
    ['localhost. with a percent-encoded dot', 'http://localhost%2eevil.com/token', OFF_LOOPBACK('http://localhost.evil.com')],
    ['a name under .localhost (the DNS server may answer it)', 'http://idp.localhost:8080/token', OFF_LOOPBACK('http://idp.localhost:8080')],
    ['127.0.0.1 as the first labels of a remote name', 'http://127.0.0.1.nip.io/token', OFF_LOOPBACK('http://127.0.0.1.nip.io')],
    ['userinfo that reads like localhost', 'http://localhost@evil.com/token', OFF_LOOPBACK('http://evil.com')],
    ['userinfo with a port that reads like localhost', 'http://localhost:80@evil.com/token', OFF_LOOPBACK('http://evil.com')],
    ['userinfo that reads like 127.0.0.1 with an encoded slash', 'http://127.0.0.1%2f@evil.com/token', OFF_LOOPBACK('http://evil.com')],
    ['a backslash before @localhost (the parser reads it as a slash)', 'http://evil.com\\@localhost/token', OFF_LOOPBACK('http://evil.com')],
    ['@127.0.0.1 inside the fragment', 'http://evil.com#@127.0.0.1/', OFF_LOOPBACK('http://evil.com')],
    // Conservative: the policy names loopback's plain spellings; nobody configures a mapped address.
    ['http to IPv4-mapped ::ffff:127.0.0.1', 'http://[::ffff:127.0.0.1]/token', OFF_LOOPBACK('http://[::ffff:7f00:1]')],
    ['http to localhost. (the absolute name is not the literal localhost)', 'http://localhost./token', OFF_LOOPBACK('http://localhost.')],

    // Refused: other schemes and non-URLs.
    ['ws to localhost', 'ws://localhost/token', 'must be an https:// URL, got ws:'],
    ['file', 'file:///etc/passwd', 'must be an https:// URL, got file:'],
    ['javascript', 'javascript:alert(1)', 'must be an https:// URL, got javascript:'],
    ['a scheme-relative URL', '//localhost/token', 'is not a valid absolute URL: "//localhost/token"'],
    ['a bare host', 'idp.example.com', 'is not a valid absolute URL: "idp.example.com"'],
    ['a port out of range', 'http://127.0.0.1:99999/token', 'is not a valid absolute URL: "http://127.0.0.1:99999/token"'],
    ['an empty string', '', 'is not a valid absolute URL: ""'],

    // Refused: credentials in the URL, which would be printed wherever the URL is.
    ['https with a user and password', 'https://device:s3cret@idp.example.com/token', CREDENTIALS],
    ['https with a user name only', 'https://device@idp.example.com/token', CREDENTIALS],
    ['loopback http with a password only', 'http://:s3cret@127.0.0.1/token', CREDENTIALS],

    // Refused: fragments (RFC 8414 §2, RFC 6749 §3.1), on https and on loopback http alike.
    ['https with a fragment', 'https://idp.example.com/token#x', FRAGMENT],
    ['loopback http with a fragment', 'http://127.0.0.1/token#x', FRAGMENT],
    ['https with an empty fragment', 'https://idp.example.com/token#', FRAGMENT],
    ['loopback http with an empty fragment', 'http://localhost/token#', FRAGMENT],
  ])('%s: %s', (_name, url, expected) => {
    expect(endpointUrlProblem(url)).toBe(expected);
  });

  it('quotes at most 200 characters of a value that is not a URL', () => {
    expect(endpointUrlProblem('x'.repeat(500))).toBe(`is not a valid absolute URL: "${'x'.repeat(200)}"`);
  });
});

describe('isLoopbackHost (also the embedded IdP refuses any other host)', () => {
  const LOOPBACK = ['localhost', 'LOCALHOST', '127.0.0.1', '127.0.0.2', '127.255.255.255', '::1', '[::1]', '0:0:0:0:0:0:0:1'];
  // Conservative: `::ffff:127.0.0.1` reaches loopback too, but the policy names only the plain spellings.
  const NOT_LOOPBACK = ['128.0.0.1', '0.0.0.0', '::', '10.0.0.1', 'localhost.evil.com', 'evil.localhost', '127.0.0.1.nip.io', '127.evil.com', '::ffff:127.0.0.1', ''];

  it.each(LOOPBACK)('%j is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each(NOT_LOOPBACK)('%j is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});
