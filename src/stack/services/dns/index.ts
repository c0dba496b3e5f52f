export { startTestDns, type TestDns } from './test-server.js';
export { checkZone, type WriteZoneOptions, type WriteZoneResult, writeZone } from './zone.js';
