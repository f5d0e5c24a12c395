export { isReachable, requireService, type ServiceName } from './services.js';
