export * from './fleet-auth';
