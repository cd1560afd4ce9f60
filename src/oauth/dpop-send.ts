/**
 * Sending a request with a DPoP proof (RFC 9449), and the nonce dance around it (§8, §9): the shell
 * half of `dpop.ts` (issue #19).
 */
import { asksForNonce, createDpopProof, refusesProof } from './dpop.js';
import type { DpopKey, DpopNonces } from './dpop.js';
import type { HttpClient } from './http.js';
import type { ServerClocks } from './server-clock.js';
import type { HttpRequest, HttpResponse } from './types.js';

/** What a protocol step needs to prove possession: the key, the servers' latest nonces, a clock. */
export interface DpopContext {
  key: DpopKey;
  nonces: DpopNonces;
  /**
   * The servers' clocks, learned from their answers' `Date` (`server-clock.ts`): `iat` is stamped by
   * the clock of the server that checks it. Without it, by the local clock alone.
   */
  clocks?: ServerClocks;
  /** Wall-clock ms for `iat`. @default Date.now */
  now?: () => number;
}

/**
 * Sends `request` with a fresh proof; presents `accessToken` (bound with `ath`) when given.
 *
 * When the server answers `use_dpop_nonce` with a nonce other than the one just used, the request
 * goes once more, at once, with a new proof carrying that nonce (RFC 9449 §8.2) — never a second
 * time: a server that keeps asking gets its answer back to the caller, who waits before trying again.
 * The server refused the first request before looking at the grant (§8: the nonce is checked with
 * the proof), so for a device poll the pair is one poll in the sense of RFC 8628 §3.5: the state
 * machine measures the next interval from the answer to the retry, and since the latest nonce is
 * reused, a steady poll needs no retry at all until the server rotates its nonce.
 *
 * The same one retry, under the same rule, when the server refuses the proof (`invalid_dpop_proof`)
 * and its answer's `Date` corrected what this agent knew of its clock: the `iat` was likely outside
 * the server's window (§11.1), a device that booted with a wrong clock. This covers the first proof
 * after a boot too, when no answer has told the server's time yet.
 * @throws what `http.send` throws (NetworkError, ProtocolError)
 */
export async function sendWithDpop(http: HttpClient, dpop: DpopContext, request: HttpRequest, accessToken?: string): Promise<HttpResponse> {
  const now = dpop.now ?? Date.now;
  const { clocks } = dpop;
  let nonce = dpop.nonces.get(request.url);
  for (let attempt = 0; ; attempt++) {
    const known = clocks?.changes(request.url);
    const proof = await createDpopProof(dpop.key, {
      htm: request.method,
      htu: request.url,
      iat: Math.floor((clocks === undefined ? now() : clocks.now(request.url, now())) / 1000),
      ...(nonce === undefined ? {} : { nonce }),
      ...(accessToken === undefined ? {} : { accessToken }),
    });
    const response = await http.send({ ...request, headers: { ...request.headers, dpop: proof } });
    const given = dpop.nonces.remember(request.url, response);
    clocks?.observe(request.url, response, now());
    if (attempt > 0) return response;
    const newNonce = given !== undefined && given !== nonce && asksForNonce(response);
    const newTime = clocks !== undefined && clocks.changes(request.url) !== known && refusesProof(response);
    if (!newNonce && !newTime) return response;
    if (newNonce) nonce = given;
  }
}
