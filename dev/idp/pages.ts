/**
 * The HTML a person sees in the demo: the device-flow pages (RFC 8628 §3.3, user interaction) and
 * the error page. oidc-provider's built-in versions work, but print a "you SHOULD change this"
 * notice the first time each renders; these plain pages replace them. The forms themselves
 * (`form` arguments: xsrf token, user_code, confirm) come from oidc-provider and are embedded as is.
 */

import type { KoaContextLike } from 'oidc-provider';

function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function render(ctx: KoaContextLike, title: string, body: string): void {
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:22rem;margin:2rem auto;padding:0 1rem}
input[type=text]{font-size:1.4rem;width:100%;box-sizing:border-box;text-transform:uppercase;text-align:center}
button{font-size:1rem;width:100%;margin-top:.75rem;padding:.5rem}
code{font-size:1.6rem}.error{color:#b00020}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`;
}

/** Shape of the errors oidc-provider passes to the user-code page (lib/helpers/re_render_errors.js). */
interface UserCodeError {
  name?: string;
  userCode?: string;
}

/** features.deviceFlow.userCodeInputSource: "enter the code shown on your device". */
export async function userCodeInputSource(
  ctx: KoaContextLike,
  form: string,
  _out: unknown,
  err?: UserCodeError,
): Promise<void> {
  let message = '<p>Enter the code shown on your device.</p>';
  if (err?.userCode !== undefined || err?.name === 'NoCodeError') {
    message = '<p class="error">That code is not valid or has expired. Try again.</p>';
  } else if (err?.name === 'AbortedError') {
    message = '<p class="error">The sign-in was cancelled.</p>';
  } else if (err) {
    message = '<p class="error">Something went wrong processing the request.</p>';
  }
  render(ctx, 'Pair a device', `${message}
${form}
<button type="submit" form="op.deviceInputForm">Continue</button>`);
}

/** features.deviceFlow.userCodeConfirmSource: RFC 8628 §5.4 asks the user to check the code matches. */
export async function userCodeConfirmSource(
  ctx: KoaContextLike,
  form: string,
  client: { clientId: string; clientName?: string },
  _deviceInfo: unknown,
  userCode: string,
): Promise<void> {
  render(ctx, 'Confirm the device', `<p><strong>${escapeHtml(client.clientName ?? client.clientId)}</strong>
wants access to your account. Continue only if your device shows this code:</p>
<p><code>${escapeHtml(userCode)}</code></p>
${form}
<button autofocus type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Cancel</button>`);
}

/** features.deviceFlow.successSource: shown after consent; the device picks up tokens by polling. */
export async function successSource(ctx: KoaContextLike): Promise<void> {
  render(ctx, 'Device paired', '<p>You can close this page; your device will finish on its own.</p>');
}

/** renderError: errors on HTML endpoints (the OAuth `error` / `error_description` pair). */
export async function renderError(ctx: KoaContextLike, out: Record<string, unknown>): Promise<void> {
  const rows = Object.entries(out)
    .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</p>`)
    .join('\n');
  render(ctx, 'Something went wrong', rows);
}
