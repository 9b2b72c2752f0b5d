export { backoffDelay, realSleep, type BackoffOptions } from '../common/backoff.js';
