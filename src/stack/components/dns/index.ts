export { checkZone, type WriteZoneOptions, type WriteZoneResult, writeZone } from './zone.js';
