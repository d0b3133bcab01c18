/** The public complaint form: plain, accessible HTML; every value shown back is escaped. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

const layout = (title: string, body: string) => `<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
 body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
 label{display:block;font-weight:600;margin-top:1rem} input,textarea,select{width:100%;padding:.5rem;font:inherit;border:1px solid #555;border-radius:4px}
 textarea{min-height:10rem} .error{color:#a00000;font-weight:600} button{margin-top:1.5rem;padding:.6rem 1.5rem;font:inherit;background:#003d80;color:#fff;border:0;border-radius:4px}
 :focus{outline:3px solid #ffbf47;outline-offset:2px}
</style></head>
<body><main>${body}</main></body></html>`;

/** A labelled control; `render` gets the aria attributes that tie an error message to it. */
function field(name: string, label: string, state: FormState, render: (aria: string) => string): string {
  const error = state.errors[name];
  const aria = error ? ` aria-invalid="true" aria-describedby="${name}-error"` : '';
  return `<label for="${name}">${label}</label>${render(aria)}${
    error ? `<p class="error" id="${name}-error">${escapeHtml(error)}</p>` : ''
  }`;
}

export function complaintFormPage(state: FormState = { values: {}, errors: {} }): string {
  const v = (k: string) => escapeHtml(state.values[k] ?? '');
  const picked = state.values.customerPicked ?? 'complaint';
  const option = (value: string, label: string) => `<option value="${value}"${picked === value ? ' selected' : ''}>${label}</option>`;
  const summary = Object.keys(state.errors).length
    ? `<div role="alert" class="error">Controleer de gemarkeerde velden. / Please check the marked fields.</div>`
    : '';
  return layout(
    'Klacht indienen / Submit a complaint',
    `<h1>Klacht indienen <small>/ Submit a complaint</small></h1>${summary}
<form method="post" action="/complaint-form" novalidate>
${field('name', 'Naam / Name', state, (a) => `<input id="name" name="name" autocomplete="name" value="${v('name')}"${a}>`)}
${field('email', 'E-mail', state, (a) => `<input id="email" name="email" type="email" autocomplete="email" value="${v('email')}"${a}>`)}
${field('phone', 'Telefoon / Phone', state, (a) => `<input id="phone" name="phone" type="tel" autocomplete="tel" value="${v('phone')}"${a}>`)}
${field('customerNumber', 'Klant- of ordernummer / Customer or order number (optioneel)', state, (a) => `<input id="customerNumber" name="customerNumber" value="${v('customerNumber')}"${a}>`)}
<label for="customerPicked">Waar gaat het over? / What is it about?</label>
<select id="customerPicked" name="customerPicked">${option('complaint', 'Klacht / Complaint')}${option('question', 'Vraag / Question')}${option('feedback', 'Feedback')}</select>
${field('text', 'Uw bericht / Your message', state, (a) => `<textarea id="text" name="text" required${a}>${v('text')}</textarea>`)}
<button type="submit">Versturen / Send</button>
</form>`,
  );
}

export function confirmationPage(reference: string): string {
  return layout(
    'Ontvangen / Received',
    `<h1>Bedankt, we hebben uw klacht ontvangen</h1>
<p>Uw referentie: <strong id="reference">${escapeHtml(reference)}</strong>. U krijgt binnen een uur een bevestiging met de volgende stap.</p>
<p lang="en">Thank you, we received your complaint. Your reference: <strong>${escapeHtml(reference)}</strong>.</p>
<p><a href="/">Nog een klacht indienen / Submit another complaint</a></p>`,
  );
}
