// Used by the knex CLI (npm run migrate / seed); the server builds the same config through src/db.ts.
import { loadConfig, loadDotEnv } from './src/config.ts';
import { knexConfig } from './src/db.ts';

loadDotEnv();
export default knexConfig(loadConfig().databaseUrl);
