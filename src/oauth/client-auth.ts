/**
 * Client authentication for POSTs to the provider: public clients send `client_id` in the body;
 * confidential clients use HTTP Basic or body parameters, never both (RFC 6749 §2.3.1).
 */
import type { ClientCredentials, HttpRequest } from './types.js';

/** RFC 6749 §2.3.1 / Appendix B: id and secret are form-urlencoded before Basic encoding. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A form POST to `url` carrying `params` and the client's authentication.
 * @see RFC 6749 §2.3.1, RFC 8628 §3.1 (`client_id` required unless the client authenticates)
 */
export function authenticatedPost(url: string, client: ClientCredentials, params: Record<string, string>): HttpRequest {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const form: Record<string, string> = { ...params };
  switch (client.authMethod) {
    case 'none':
      form.client_id = client.clientId;
      break;
    case 'client_secret_post':
      form.client_id = client.clientId;
      form.client_secret = client.clientSecret;
      break;
    case 'client_secret_basic': {
      const pair = `${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
      break;
    }
  }
  return { method: 'POST', url, headers, form };
}
