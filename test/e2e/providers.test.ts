/**
 * The daemon end to end against each seed provider's behaviour (issue #7), served by the loopback
 * fakes of the OAuth suite: pair with the simulated button, get a token, unpair (revocation).
 * Configured as a device maker would from each provider's documentation: discovery where the
 * provider offers it, explicit endpoints where it does not.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILES, startProviderServer, type ProviderProfile } from '../support/provider-servers.js';
import { eventually, runCli, spawnDaemon } from '../support/cli.js';

const CASES: [string, ProviderProfile][] = [
  ['RFC 8628 examples', PROFILES.rfc8628],
  ['Auth0 (403 pending, audience)', PROFILES.auth0],
  ['Keycloak (realm endpoints)', PROFILES.keycloak],
  ['Django OAuth Toolkit (confidential, trailing slashes)', PROFILES.django],
  ['custom server (version field)', PROFILES.custom],
  ['ORY Hydra (/oauth2/*, phone)', PROFILES.hydra],
];

describe.each(CASES)('pairing-agent run against %s', (_name, profile) => {
  it('pairs, serves a token, and unpairs with revocation', async () => {
    // 1 s polling keeps the test short; everything else is the provider's own behaviour.
    const idp = await startProviderServer({ ...profile, interval: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'pa-provider-'));
    const config = join(dir, 'config.json');
    const { endpoints } = idp;
    writeFileSync(
      config,
      JSON.stringify({
        ...(profile.discoveryPaths.length > 0
          ? { issuer: idp.issuer }
          : {
              device_authorization_endpoint: endpoints.deviceAuthorizationEndpoint,
              token_endpoint: endpoints.tokenEndpoint,
              ...(endpoints.revocationEndpoint ? { revocation_endpoint: endpoints.revocationEndpoint } : {}),
              ...(endpoints.userinfoEndpoint ? { userinfo_endpoint: endpoints.userinfoEndpoint } : {}),
            }),
        client_id: profile.client.clientId,
        ...(profile.client.clientSecret ? { client_secret: profile.client.clientSecret } : {}),
        ...(profile.requiredAudience ? { audience: profile.requiredAudience } : {}),
        scope: profile.defaultScope || 'offline_access',
        hal: 'sim',
        state_dir: join(dir, 'state'),
      }),
    );
    const daemon = spawnDaemon(config);
    const status = async () => JSON.parse((await runCli(['--config', config, 'status', '--json'])).stdout) as Record<string, unknown>;
    try {
      await eventually(async () => (/event=ready/.test(daemon.log()) ? true : undefined), 10_000, 'the daemon');
      await runCli(['--config', config, 'sim', 'press']);
      const awaiting = await eventually(async () => {
        const s = await status();
        return s.state === 'awaiting_user' ? s : s.state === 'failed' ? expect.fail(`failed: ${String(s.reason)}\n${daemon.log()}`) : undefined;
      }, 10_000, 'a code');
      idp.approve(String(awaiting.user_code), 'alice');
      const paired = await eventually(async () => {
        const s = await status();
        return s.state === 'paired' ? s : undefined;
      }, 10_000, 'paired');
      expect(paired.daemon).toBe(true);
      if (profile.paths.userinfo !== undefined || profile.idToken) {
        // Who paired, from the ID token or userinfo, as the provider's claims say.
        const who = await eventually(async () => {
          const s = await status();
          return typeof s.who === 'string' ? s.who : undefined;
        }, 5_000, 'who paired');
        const claims = profile.claims('alice');
        expect([claims.name, claims.email, claims.phone_number, claims.preferred_username, 'alice']).toContain(who);
      }

      const token = await runCli(['--config', config, 'token']);
      expect(token.status, token.stderr).toBe(0);
      expect(token.stdout).toMatch(/^\S+\n$/);

      const out = await runCli(['--config', config, 'logout']);
      expect(out.stdout).toBe('unpaired\n');
      if (profile.paths.revocation !== undefined) {
        const revocations = idp.requests.filter((r) => r.path === profile.paths.revocation);
        expect(revocations.map((r) => r.form.token_type_hint)).toEqual(['refresh_token', 'access_token']);
        for (const r of revocations) expect(r.form.token).not.toBe('');
      }
      // Never a secret in the log.
      expect(daemon.log()).not.toMatch(/device_code=(?!<redacted>)|access_token=(?!<redacted>)/);
      if (profile.client.clientSecret) expect(daemon.log()).not.toContain(profile.client.clientSecret);
    } finally {
      daemon.child.kill('SIGTERM');
      await new Promise((resolve) => daemon.child.on('exit', resolve));
      await idp.close();
    }
  }, 30_000);
});
