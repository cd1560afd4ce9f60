/**
 * The real HTTP client (`src/oauth/http.ts`) with every exchange recorded, what went out and what came
 * back: for tests that look at the proofs a request carried and the answers to them (issue #19).
 */
import { createHttpClient } from '../../src/oauth/index.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/oauth/index.js';

export type RecordingHttp = HttpClient & { log: { request: HttpRequest; response: HttpResponse }[] };

export function recordingHttp(): RecordingHttp {
  const real = createHttpClient({ timeoutMs: 5000 });
  const log: { request: HttpRequest; response: HttpResponse }[] = [];
  return {
    log,
    async send(request) {
      const response = await real.send(request);
      log.push({ request, response });
      return response;
    },
  };
}
