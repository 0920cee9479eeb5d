// Entry of the KMS worker (src/ui/kms-client.svelte.ts starts it): the production API, nothing more.
import { serve } from './serve';

serve();
