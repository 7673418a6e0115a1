// Which errors answer 503 / UNAVAILABLE: the domain's classification of unreachable storage.
export { isUnavailableError } from '@oms/domain';
