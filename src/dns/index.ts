export * from './fleet-domain';
export * from './failover';
