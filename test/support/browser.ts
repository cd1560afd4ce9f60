/**
 * Just enough of a web browser to approve a device code through the embedded IdP's own pages
 * (oidc-provider devInteractions), the way a person does on a phone: cookies, forms, redirects.
 */
import { expect } from 'vitest';

/** Just enough of a browser for oidc-provider's pages: cookies by name, manual redirects. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Page> {
    return this.request(url, { method: 'GET' });
  }

  async post(url: string, fields: Record<string, string>): Promise<Page> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
  }

  /** Follows 3xx redirects until a page is shown. */
  async follow(page: Page): Promise<Page> {
    let current = page;
    for (let hops = 0; current.location !== undefined; hops += 1) {
      expect(hops).toBeLessThan(10);
      current = await this.get(current.location);
    }
    return current;
  }

  private async request(url: string, init: RequestInit): Promise<Page> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { accept: 'text/html', ...(cookie ? { cookie } : {}), ...(init.headers as Record<string, string>) },
    });
    for (const header of res.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const location = res.headers.get('location');
    return {
      url,
      status: res.status,
      text: await res.text(),
      location: location === null ? undefined : new URL(location, url).href,
    };
  }
}

export interface Page {
  url: string;
  status: number;
  text: string;
  location: string | undefined;
}

export function hiddenInputs(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/>/g)) {
    const [, name = '', value = ''] = match;
    fields[name] = value;
  }
  expect(Object.keys(fields)).toContain('xsrf');
  return fields;
}

/**
 * Approves a device code the way a person does after scanning the QR code: open
 * `verification_uri_complete`, confirm the code, log in as `login`, consent.
 */
export async function approveInBrowser(verificationUriComplete: string, login: string): Promise<void> {
  const browser = new Browser();
  const origin = new URL(verificationUriComplete).origin;
  let page = await browser.get(verificationUriComplete);
  page = await browser.post(`${origin}/device`, hiddenInputs(page.text));
  page = await browser.post(`${origin}/device`, hiddenInputs(page.text));
  page = await browser.follow(page);
  page = await browser.post(page.url, { prompt: 'login', login, password: 'any' });
  page = await browser.follow(page);
  page = await browser.post(page.url, { prompt: 'consent' });
  page = await browser.follow(page);
  expect(page.text).toContain('Device paired');
}
