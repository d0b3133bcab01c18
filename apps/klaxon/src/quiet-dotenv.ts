// `natural` loads ./.env on import and announces it; it must not touch our configuration.
process.env.DOTENV_CONFIG_QUIET ??= 'true';
