// Entry of the bench build's KMS worker (`vite build --mode bench`, vite.config.ts swaps it in for
// src/worker/kms.worker.ts): the production API plus the bench's diagnostics.
import { serve } from '../../src/worker/serve';
import { diagnosticsApi } from './diagnostics';

serve(diagnosticsApi);
