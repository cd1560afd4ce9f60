/**
 * Vitest setup file (vitest.config.ts and the bench and soak configs): the test runner is our own process,
 * so it drops oidc-provider's two fixed notices that the embedded provider no longer hides itself
 * (dev/idp/quiet.ts, issue #14 item 2).
 */
import { quietOidcProviderNotices } from '../../dev/idp/quiet.js';

quietOidcProviderNotices();
