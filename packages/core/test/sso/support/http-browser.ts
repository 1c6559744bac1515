/**
 * @fileoverview A minimal browser over plain HTTP for sign-in tests: a cookie jar (per host,
 * path-scoped, honouring Max-Age), manual redirect following, and submission of the HTML forms
 * on a page. Enough for the identity provider's sign-in and consent forms and the proxy's pages.
 */

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

interface StoredCookie {
  value: string;
  path: string;
  expiresAt: number | undefined;
  httpOnly: boolean;
  sameSite: string | undefined;
  secure: boolean;
}

export interface HtmlForm {
  action: string;
  method: string;
  fields: Record<string, string>;
}

export class HttpBrowser {
  /** host → name → cookie. Like browsers, cookies are not separated by port. */
  readonly cookies = new Map<string, Map<string, StoredCookie>>();
  /** Every Set-Cookie header received, raw, for attribute checks. */
  readonly setCookieHeaders: string[] = [];

  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Page> {
    const target = new URL(url);
    const headers: Record<string, string> = { ...init.headers };
    const cookieHeader = this.cookieHeaderFor(target);
    if (cookieHeader !== '') headers['cookie'] = cookieHeader;
    let body: string | undefined;
    if (init.form !== undefined) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await fetch(target, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    for (const setCookie of response.headers.getSetCookie()) this.storeCookie(target, setCookie);
    return { url: target.href, status: response.status, headers: response.headers, body: await response.text() };
  }

  /**
   * Requests `url` and follows redirects. `rewrite` may change each redirect target before it
   * is followed (to tamper with parameters); returning `undefined` stops there and returns the
   * redirect response itself.
   */
  async navigate(url: string, options: { rewrite?: (target: URL) => URL | undefined; method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Page> {
    let page = await this.request(url, { method: options.method ?? 'GET', ...(options.form === undefined ? {} : { form: options.form }), ...(options.headers === undefined ? {} : { headers: options.headers }) });
    for (let redirects = 0; redirects < 20; redirects += 1) {
      const location = page.headers.get('location');
      if (page.status < 300 || page.status >= 400 || location === null) return page;
      const target = new URL(location, page.url);
      const rewritten = options.rewrite === undefined ? target : options.rewrite(target);
      if (rewritten === undefined) return page;
      page = await this.request(rewritten.href);
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** Submits a form of the page (the first one, or the first whose action ends with `actionEndsWith`). */
  async submit(page: Page, values: Record<string, string> = {}, options: { actionEndsWith?: string; rewrite?: (target: URL) => URL | undefined } = {}): Promise<Page> {
    const forms = parseForms(page);
    const form = forms.find((candidate) => options.actionEndsWith === undefined || candidate.action.endsWith(options.actionEndsWith));
    if (form === undefined) throw new Error(`no form on ${page.url}:\n${page.body.slice(0, 2000)}`);
    return this.navigate(form.action, {
      method: form.method,
      form: { ...form.fields, ...values },
      headers: { origin: new URL(page.url).origin },
      ...(options.rewrite === undefined ? {} : { rewrite: options.rewrite }),
    });
  }

  cookie(host: string, name: string): string | undefined {
    return this.cookies.get(host)?.get(name)?.value;
  }

  private cookieHeaderFor(target: URL): string {
    const jar = this.cookies.get(target.hostname);
    if (jar === undefined) return '';
    const now = Date.now();
    const pairs: string[] = [];
    for (const [name, cookie] of jar) {
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= now) continue;
      if (cookie.secure && target.protocol !== 'https:') continue;
      if (target.pathname !== cookie.path && !target.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`)) continue;
      pairs.push(`${name}=${cookie.value}`);
    }
    return pairs.join('; ');
  }

  private storeCookie(target: URL, header: string): void {
    this.setCookieHeaders.push(header);
    const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator);
    const value = pair.slice(separator + 1);
    const cookie: StoredCookie = { value, path: '/', expiresAt: undefined, httpOnly: false, sameSite: undefined, secure: false };
    for (const attribute of attributes) {
      const [key = '', attributeValue = ''] = attribute.split('=');
      switch (key.toLowerCase()) {
        case 'path':
          cookie.path = attributeValue;
          break;
        case 'max-age':
          cookie.expiresAt = Date.now() + Number(attributeValue) * 1000;
          break;
        case 'expires':
          cookie.expiresAt ??= Date.parse(attributeValue);
          break;
        case 'httponly':
          cookie.httpOnly = true;
          break;
        case 'secure':
          cookie.secure = true;
          break;
        case 'samesite':
          cookie.sameSite = attributeValue.toLowerCase();
          break;
        default:
          break;
      }
    }
    const jar = this.cookies.get(target.hostname) ?? new Map<string, StoredCookie>();
    this.cookies.set(target.hostname, jar);
    if (cookie.expiresAt !== undefined && cookie.expiresAt <= Date.now()) jar.delete(name);
    else jar.set(name, cookie);
  }
}

export function parseForms(page: Page): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attributes = match[1] ?? '';
    const action = decodeEntities(/\baction="([^"]*)"/i.exec(attributes)?.[1] ?? page.url);
    const method = (/\bmethod="([^"]*)"/i.exec(attributes)?.[1] ?? 'get').toUpperCase();
    const fields: Record<string, string> = {};
    for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
      const inputAttributes = input[1] ?? '';
      const name = /\bname="([^"]*)"/i.exec(inputAttributes)?.[1];
      if (name === undefined) continue;
      fields[decodeEntities(name)] = decodeEntities(/\bvalue="([^"]*)"/i.exec(inputAttributes)?.[1] ?? '');
    }
    forms.push({ action: new URL(action, page.url).href, method, fields });
  }
  return forms;
}

export function decodeEntities(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** The text of the first element matching `id`'s value attribute (the token field). */
export function inputValue(page: Page, id: string): string | undefined {
  const match = new RegExp(`<input[^>]*\\bid="${id}"[^>]*>`, 'i').exec(page.body)?.[0];
  const value = match === undefined ? undefined : /\bvalue="([^"]*)"/i.exec(match)?.[1];
  return value === undefined ? undefined : decodeEntities(value);
}
