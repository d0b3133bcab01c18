/** Injection tokens the runtime provides to every stage module. */
export const LOGGER = Symbol('LOGGER');
export const METRICS = Symbol('METRICS');
export const CLOCK = Symbol('CLOCK');

/** Time as the services see it; tests inject one they can move. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
