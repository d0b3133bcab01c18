import { ConfigError, loadRuntimeConfig, requireInfrastructure } from './index';

describe('runtime configuration', () => {
  it('gives embedded defaults when nothing is set', () => {
    const c = loadRuntimeConfig({});
    expect(c.kafka).toBeNull();
    expect(c.database).toBeNull();
    expect(c.consumerBatchSize).toBe(500);
  });

  it('parses brokers and a database url', () => {
    const c = loadRuntimeConfig({
      KAFKA_BROKERS: 'a:9092, b:9093',
      DATABASE_URL: 'postgres://u@h:5432/db',
      PORT: '8080',
    });
    expect(c.kafka?.brokers).toEqual(['a:9092', 'b:9093']);
    expect(c.database?.url).toBe('postgres://u@h:5432/db');
    expect(c.http.port).toBe(8080);
  });

  it('runs the producer idempotent unless told not to, and refuses a value that is not a boolean', () => {
    expect(loadRuntimeConfig({ KAFKA_BROKERS: 'a:9092' }).kafka?.idempotentProducer).toBe(true);
    expect(
      loadRuntimeConfig({ KAFKA_BROKERS: 'a:9092', KAFKA_IDEMPOTENT_PRODUCER: 'false' }).kafka
        ?.idempotentProducer,
    ).toBe(false);
    expect(() =>
      loadRuntimeConfig({ KAFKA_BROKERS: 'a:9092', KAFKA_IDEMPOTENT_PRODUCER: 'sometimes' }),
    ).toThrow(/KAFKA_IDEMPOTENT_PRODUCER/);
  });

  it('names every bad variable at once', () => {
    expect(() => loadRuntimeConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })).toThrow(
      ConfigError,
    );
    try {
      loadRuntimeConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual([
        'DATABASE_URL',
        'PORT',
      ]);
    }
  });

  it('refuses to run a standalone app without Kafka and PostgreSQL', () => {
    expect(() => requireInfrastructure(loadRuntimeConfig({}), 'router')).toThrow(
      /KAFKA_BROKERS and DATABASE_URL/,
    );
  });
});

describe('PROCESSED_EVENTS_RETENTION_DAYS', () => {
  it('defaults past the longest topic retention and refuses a window a replayed event could outlive', () => {
    expect(loadRuntimeConfig({}).processedEventsRetentionMs).toBe(35 * 86_400_000);
    expect(() => loadRuntimeConfig({ PROCESSED_EVENTS_RETENTION_DAYS: '30' })).toThrow(ConfigError);
    expect(() => loadRuntimeConfig({ PROCESSED_EVENTS_RETENTION_DAYS: '30' })).toThrow(
      /PROCESSED_EVENTS_RETENTION_DAYS: must be longer than the longest topic retention \(30 days\)/,
    );
    expect(loadRuntimeConfig({ PROCESSED_EVENTS_RETENTION_DAYS: '31' }).processedEventsRetentionMs).toBe(
      31 * 86_400_000,
    );
  });
});
