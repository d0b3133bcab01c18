// natural loads ./.env on import; keep it quiet and out of our configuration.
process.env.DOTENV_CONFIG_QUIET = 'true';
require('reflect-metadata');
