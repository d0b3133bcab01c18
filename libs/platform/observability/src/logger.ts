import pino from 'pino';

/**
 * Structured JSON logs. Every line about a complaint carries `complaintId` and `correlationId`
 * (pass them as bindings: `logger.child({ complaintId, correlationId })`).
 */
export type Logger = pino.Logger;

export interface LoggerOptions {
  level?: string;
  service: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

/** A logger that drops everything: for libraries used without one. */
export const silentLogger: Logger = pino({ level: 'silent' });
