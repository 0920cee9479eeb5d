// The operation catalogue: one descriptor per AWS KMS operation, the one home of what each operation is;
// every other table (audit, authz, grants, wire, simulator, console) is derived from it. Handler-free on
// purpose: authz, audit and the service worker read it without loading every handler (and ops/* import
// those modules), so kms.ts pairs it with the handlers instead. The table is catalogue.ts; lookup.ts
// derives from it.

export * from './catalogue';
export * from './lookup';
export { NESTED_REQUEST_MEMBERS } from './request-members';
