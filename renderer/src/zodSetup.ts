// Imported first by the entry: the page's CSP forbids eval, and zod would otherwise probe for it
// (a CSP violation report) before falling back. shared/api.ts builds its schemas on import.
import { z } from 'zod';

z.config({ jitless: true });
