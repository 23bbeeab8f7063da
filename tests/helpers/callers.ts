// Callers for tests that call the core's handlers directly (the shells work out who is asking).
import type { Caller } from '../../shared/api.ts';

export const READER: Caller = { who: 'test', role: 'viewer' };
export const OPERATOR: Caller = { who: 'test-operator', role: 'operator' };
export const SUPERVISOR: Caller = { who: 'test-supervisor', role: 'supervisor' };
