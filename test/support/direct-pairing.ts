/**
 * A device code flow run straight against a fake provider over plain HTTP, approved at once: the
 * tokens a paired agent would hold, for tests that start from a state file.
 */
import type { FakeProvider } from './provider-servers.js';

const form = (body: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });

export async function pairDirectly(idp: FakeProvider, subject: string): Promise<{ access_token: string; refresh_token: string }> {
  const clientId = idp.profile.client.clientId;
  const da = (await (await fetch(idp.endpoints.deviceAuthorizationEndpoint, form({ client_id: clientId }))).json()) as { device_code: string; user_code: string };
  idp.approve(da.user_code, subject);
  const grant = { client_id: clientId, grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: da.device_code };
  return (await (await fetch(idp.endpoints.tokenEndpoint, form(grant))).json()) as { access_token: string; refresh_token: string };
}
