/**
 * Sending a request with a DPoP proof (RFC 9449), and the nonce dance around it (§8, §9): the shell
 * half of `dpop.ts` (issue #19).
 */
import { asksForNonce, createDpopProof } from './dpop.js';
import type { DpopKey, DpopNonces } from './dpop.js';
import type { HttpClient } from './http.js';
import type { HttpRequest, HttpResponse } from './types.js';

/** What a protocol step needs to prove possession: the key, the servers' latest nonces, a clock. */
export interface DpopContext {
  key: DpopKey;
  nonces: DpopNonces;
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
 * @throws what `http.send` throws (NetworkError, ProtocolError)
 */
export async function sendWithDpop(http: HttpClient, dpop: DpopContext, request: HttpRequest, accessToken?: string): Promise<HttpResponse> {
  const now = dpop.now ?? Date.now;
  let nonce = dpop.nonces.get(request.url);
  for (let attempt = 0; ; attempt++) {
    const proof = await createDpopProof(dpop.key, {
      htm: request.method,
      htu: request.url,
      iat: Math.floor(now() / 1000),
      ...(nonce === undefined ? {} : { nonce }),
      ...(accessToken === undefined ? {} : { accessToken }),
    });
    const response = await http.send({ ...request, headers: { ...request.headers, dpop: proof } });
    const given = dpop.nonces.remember(request.url, response);
    if (attempt > 0 || given === undefined || given === nonce || !asksForNonce(response)) return response;
    nonce = given;
  }
}
