import { TEXTS, type Lang } from './complaint-form.i18n';

/** The public complaint form: plain, accessible HTML in Dutch and English; every value shown back is escaped. */
export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

export interface FormState {
  values: Record<string, string>;
  /** Field name → message key (see complaint-form.i18n.ts). */
  errors: Record<string, string>;
}

const FIELD_ORDER = ['name', 'contact', 'customerNumber', 'customerPicked', 'text', 'consent'];

const layout = (lang: Lang, title: string, body: string) => `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
 body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
 label{display:block;font-weight:600;margin-top:1rem} .hint{margin:.1rem 0;color:#444}
 input,textarea,select{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #555;border-radius:4px}
 input[type=checkbox]{width:auto;margin-right:.5rem} .check{display:flex;align-items:flex-start;font-weight:400}
 textarea{min-height:10rem} .error{color:#a00000;font-weight:600;margin:.25rem 0} [aria-invalid=true]{border:2px solid #a00000}
 .summary{border:3px solid #a00000;padding:.5rem 1rem} button{margin-top:1.5rem;padding:.6rem 1.5rem;font:inherit;background:#003d80;color:#fff;border:0;border-radius:4px}
 .hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden} .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
 :focus{outline:3px solid #ffbf47;outline-offset:2px} nav{text-align:right}
</style></head>
<body><nav>${lang === 'nl' ? `<a href="/?lang=en" hreflang="en" lang="en">${TEXTS.nl.switchTo}</a>` : `<a href="/?lang=nl" hreflang="nl" lang="nl">${TEXTS.en.switchTo}</a>`}</nav>
<main>${body}</main></body></html>`;

export function complaintFormPage(lang: Lang, state: FormState = { values: {}, errors: {} }): string {
  const t = TEXTS[lang];
  const v = (k: string) => escapeHtml(state.values[k] ?? '');
  const message = (name: string) =>
    state.errors[name] ? (t.errors[state.errors[name]] ?? state.errors[name]) : undefined;
  const aria = (name: string, hint = false) => {
    const ids = [hint ? `${name}-hint` : '', state.errors[name] ? `${name}-error` : '']
      .filter(Boolean)
      .join(' ');
    return `${state.errors[name] ? ' aria-invalid="true"' : ''}${ids ? ` aria-describedby="${ids}"` : ''}`;
  };
  const error = (name: string) =>
    message(name)
      ? `<p class="error" id="${name}-error"><span class="visually-hidden">${t.errorPrefix}: </span>${escapeHtml(message(name)!)}</p>`
      : '';
  const label = (name: string, text: string, required: boolean) =>
    `<label for="${name}">${text} <span class="hint">(${required ? t.required : t.optional})</span></label>`;
  const picked = state.values.customerPicked || 'complaint';
  const failing = FIELD_ORDER.filter((f) => state.errors[f]);
  const summary = failing.length
    ? `<div class="summary" role="alert" tabindex="-1" id="error-summary"><p class="error">${t.summary}</p><ul>${failing
        .map((f) => `<li><a href="#${f}">${escapeHtml(message(f)!)}</a></li>`)
        .join('')}</ul></div>`
    : '';
  return layout(
    lang,
    `${failing.length ? `${t.errorPrefix}: ` : ''}${t.title}`,
    `<h1>${t.title}</h1>
<p>${t.intro}</p>${summary}
<form method="post" action="/complaint-form" novalidate>
<input type="hidden" name="lang" value="${lang}">
${label('name', t.name, true)}<input id="name" name="name" autocomplete="name" required maxlength="200" value="${v('name')}"${aria('name')}>${error('name')}
${label('contact', t.contact, true)}<p class="hint" id="contact-hint">${t.contactHint}</p><input id="contact" name="contact" autocomplete="email" required maxlength="320" value="${v('contact')}"${aria('contact', true)}>${error('contact')}
${label('customerNumber', t.customerNumber, false)}<input id="customerNumber" name="customerNumber" maxlength="64" value="${v('customerNumber')}"${aria('customerNumber')}>${error('customerNumber')}
<label for="customerPicked">${t.customerPicked}</label><select id="customerPicked" name="customerPicked"${aria('customerPicked')}>${(
      ['complaint', 'question', 'feedback', 'other'] as const
    )
      .map((o) => `<option value="${o}"${picked === o ? ' selected' : ''}>${t.picked[o]}</option>`)
      .join('')}</select>${error('customerPicked')}
${label('text', t.text, true)}<textarea id="text" name="text" required${aria('text')}>${v('text')}</textarea>${error('text')}
<div class="hp" aria-hidden="true"><label for="website">${t.honeypot}</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>
<label class="check" for="consent"><input type="checkbox" id="consent" name="consent" value="yes" required${state.values.consent === 'yes' ? ' checked' : ''}${aria('consent')}>${t.consent}</label>${error('consent')}
<button type="submit">${t.send}</button>
</form>`,
  );
}

export function confirmationPage(lang: Lang, reference: string): string {
  const t = TEXTS[lang];
  return layout(
    lang,
    t.thanks,
    `<h1>${t.thanks}</h1>
<p>${t.yourReference}: <strong id="reference">${escapeHtml(reference)}</strong></p>
<p>${t.next}</p>
<p><a href="/?lang=${lang}">${t.another}</a></p>`,
  );
}

export function rateLimitedPage(lang: Lang): string {
  const t = TEXTS[lang];
  return layout(
    lang,
    t.rateLimitedTitle,
    `<h1>${t.rateLimitedTitle}</h1><p role="alert">${t.rateLimited}</p><p><a href="/?lang=${lang}">${t.title}</a></p>`,
  );
}
