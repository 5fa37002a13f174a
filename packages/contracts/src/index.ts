export {};
export * from './identity.js';
export * from './tenancy.js';
export * from './audit.js';
export * from './social.js';
export * from './publishing.js';
