// Plays the person's browser on Mnemo's sign-in and consent pages: follows the authorize URL, signs in, allows,
// and returns the redirect to the client's callback (which is not followed). A cookie jar and form parsing over
// fetch, no real browser: the pages are plain HTML forms.

const inputPattern = /<input\b[^>]*>/g;

function attribute(tag, name) {
  const match = tag.match(new RegExp(`\\s${name}="([^"]*)"`));
  return match ? decode(match[1]) : undefined;
}

function decode(text) {
  return text.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec))).replace(/&amp;/g, '&');
}

/** The named inputs of an HTML page (hidden fields, anti-forgery token). */
export function formFields(html) {
  const fields = new URLSearchParams();
  for (const tag of html.match(inputPattern) ?? []) {
    const name = attribute(tag, 'name');
    if (name !== undefined) fields.set(name, attribute(tag, 'value') ?? '');
  }
  return fields;
}

export class Browser {
  #cookies = new Map();

  async request(url, init = {}) {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0) headers.set('cookie', [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair.indexOf('=');
      this.#cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
    }
    return response;
  }

  async post(url, fields) {
    return this.request(url, { method: 'POST', body: fields, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** authorize → login → consent → Allow; returns the Location that goes back to the client. */
  async authorize(authorizeUrl, userName, password) {
    const origin = new URL(authorizeUrl).origin;
    let response = await this.request(authorizeUrl);
    if (response.status === 302 && response.headers.get('location').startsWith('/login')) {
      const loginUrl = new URL(response.headers.get('location'), origin);
      const page = await this.request(loginUrl);
      expect(page.status === 200, `login page answered ${page.status}`);
      const fields = formFields(await page.text());
      fields.set('userName', userName);
      fields.set('password', password);
      const signedIn = await this.post(loginUrl, fields);
      expect(signedIn.status === 302, `sign-in answered ${signedIn.status}`);
      response = await this.request(new URL(signedIn.headers.get('location'), origin));
    }

    if (response.status === 200) {
      const fields = formFields(await response.text());
      fields.set('mnemo_consent', 'allow');
      response = await this.post(new URL('/authorize', origin), fields);
    }

    expect(response.status === 302 || response.status === 303, `authorization ended with ${response.status}: ${await response.text()}`);
    return new URL(response.headers.get('location'), origin);
  }
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}
