import { EmailConfigError, mailboxesFromEnv } from './email-ingest.options';

describe('email configuration', () => {
  it('is off without IMAP_HOST or a mailbox list', () => {
    expect(mailboxesFromEnv({})).toEqual([]);
  });

  it('configures one mailbox from the environment alone, with defaults', () => {
    const [m, ...rest] = mailboxesFromEnv({
      IMAP_HOST: 'imap.example.nl',
      IMAP_USER: 'klachten@example.nl',
      IMAP_PASSWORD: 'pw',
    });
    expect(rest).toEqual([]);
    expect(m).toMatchObject({
      name: 'klachten@example.nl@imap.example.nl/INBOX',
      host: 'imap.example.nl',
      port: 993,
      secure: 'tls',
      folder: 'INBOX',
      password: 'pw',
      pollIntervalMs: 30_000,
    });
    expect(
      mailboxesFromEnv({
        IMAP_HOST: 'h',
        IMAP_USER: 'u',
        IMAP_ACCESS_TOKEN: 't',
        IMAP_SECURE: 'starttls',
        IMAP_MAILBOX: 'Klachten',
        IMAP_MOVE_TO: 'Done',
      })[0],
    ).toMatchObject({
      port: 143,
      secure: 'starttls',
      accessToken: 't',
      folder: 'Klachten',
      moveTo: 'Done',
    });
  });

  it('adds several mailboxes (and folders) from IMAP_MAILBOXES_JSON', () => {
    const list = mailboxesFromEnv({
      IMAP_HOST: 'h',
      IMAP_USER: 'u',
      IMAP_PASSWORD: 'p',
      IMAP_MAILBOXES_JSON: JSON.stringify([
        { name: 'shop', host: 'h2', user: 'u2', accessToken: 'tok', folders: ['INBOX', 'Klachten'] },
      ]),
    });
    expect(list.map((m) => m.name)).toEqual(['u@h/INBOX', 'shop/INBOX', 'shop/Klachten']);
  });

  it('rejects bad settings with a message naming the problem', () => {
    expect(() => mailboxesFromEnv({ IMAP_HOST: 'h', IMAP_USER: 'u' })).toThrow(
      /IMAP_PASSWORD or IMAP_ACCESS_TOKEN/,
    );
    expect(() =>
      mailboxesFromEnv({ IMAP_HOST: 'h', IMAP_USER: 'u', IMAP_PASSWORD: 'p', IMAP_SECURE: 'ssl' }),
    ).toThrow(/IMAP_SECURE/);
    expect(() => mailboxesFromEnv({ IMAP_MAILBOXES_JSON: '{nope' })).toThrow(EmailConfigError);
    expect(() =>
      mailboxesFromEnv({ IMAP_MAILBOXES_JSON: '[{"host":"h","user":"u","password":"p","accessToken":"t"}]' }),
    ).toThrow(/exactly one of password or accessToken/);
    expect(() =>
      mailboxesFromEnv({
        IMAP_MAILBOXES_JSON:
          '[{"name":"a","host":"h","user":"u","password":"p"},{"name":"a","host":"h","user":"u","password":"p"}]',
      }),
    ).toThrow(/twice/);
  });
});
