export {
  type ApplyNginxConfigOptions,
  type ApplyResult,
  applyNginxConfig,
  writeErrorPages,
} from './apply.js';
export { detectNginxModules, type NginxHealth, nginxHealth, parseStubStatus } from './health.js';
export {
  type NginxProcess,
  nginxErrorLine,
  readPid,
  type StartNginxOptions,
  startNginx,
  stopNginxByPid,
  testNginxConfig,
} from './process.js';
