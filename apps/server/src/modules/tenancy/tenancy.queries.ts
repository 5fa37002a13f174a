/**
 * The only code that reads or writes the tenancy tables (split by area under queries/). Every function
 * runs in the caller's transaction (withTenant: row-level security limits it to that tenant;
 * withSystemAccess: platform paths). Inserts that can hit a unique key use ON CONFLICT DO NOTHING and
 * return null, so the transaction stays usable.
 */
export * from './queries/accounts.js';
export * from './queries/people.js';
export * from './queries/tenants.js';
