/**
 * A failure of the message itself (it cannot be decoded, breaks the schema, a domain rule refuses it):
 * retrying never helps, so a consumer dead-letters it at once.
 */
export class PermanentMessageError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentMessageError';
  }
}

/**
 * A failure of something the work depends on (the database, the broker, a mail server, a network
 * API): the same work succeeds once it is back, so it is retried for as long as it takes, never
 * dead-lettered. Wrap an error in it when `classify` cannot tell on its own.
 */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly reason = 'transient',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransientError';
  }
}
