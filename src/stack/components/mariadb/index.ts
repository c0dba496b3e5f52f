/** The managed MariaDB server: configure, initialise, start, wait, provision, check. */
export { adminConnection, connectAdmin, describeAdmin } from './admin.js';
export { externalAdmin } from './external.js';
export { adminOverSocket, type MariadbHealth, mariadbHealth, waitForMariadb } from './health.js';
export { type MariadbExit, type MariadbProcess, startMariadb } from './process.js';
export { type DatabaseSpec, dropDatabase, provisionDatabase, quoteIdentifier } from './provision.js';
export {
  type ConfigSettings,
  initDataDir,
  installedVersion,
  mariadbRunAs,
  type RunAs,
  writeConfig,
} from './setup.js';
