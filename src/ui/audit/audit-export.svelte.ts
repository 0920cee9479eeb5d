// Export of the audit trail from the console: pulls the worker's export chunk by chunk into Blob parts
// (the browser keeps large Blobs on disk) and offers one download. Validation of an exported archive.
import { kms } from '../kms-client.svelte';
import type { AuditExportRequest, ExportFormat, ValidationReport } from '../../worker/api';
import { keyIdFrom } from './event-log.svelte';
import { download } from '../shared/download';

/** A datetime-local value (the user's local time) as epoch ms, or undefined when empty. */
export function localTime(value: string): number | undefined {
  if (!value) return undefined;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? undefined : t;
}

export class AuditExport {
  format = $state<ExportFormat>('cloudtrail');
  from = $state('');
  to = $state('');
  keyId = $state('');
  principal = $state('');
  eventName = $state('');
  running = $state(false);
  bytes = $state(0);
  done = $state<{ name: string; bytes: number } | undefined>(undefined);
  error = $state<unknown>(undefined);
  #cancelled = false;

  request(): AuditExportRequest {
    const start = localTime(this.from);
    // The "to" minute is inclusive.
    const end = localTime(this.to);
    const keyId = keyIdFrom(this.keyId);
    return {
      format: this.format,
      ...(start !== undefined ? { startTime: start } : {}),
      ...(end !== undefined ? { endTime: end + 59_999 } : {}),
      ...(keyId ? { keyId } : {}),
      ...(this.principal.trim() ? { principal: this.principal.trim() } : {}),
      ...(this.eventName ? { eventName: this.eventName } : {}),
    };
  }

  async run(): Promise<void> {
    this.running = true;
    this.#cancelled = false;
    this.bytes = 0;
    this.done = undefined;
    this.error = undefined;
    try {
      const { id, name, type } = await kms.api.exportAudit(this.request());
      const parts: Blob[] = [];
      for (;;) {
        if (this.#cancelled) {
          await kms.api.exportCancel(id);
          return;
        }
        const chunk = await kms.api.exportNext(id);
        if (!chunk) break;
        parts.push(new Blob([chunk as Uint8Array<ArrayBuffer>]));
        this.bytes += chunk.length;
      }
      download(new Blob(parts, { type }), name);
      this.done = { name, bytes: this.bytes };
    } catch (e) {
      this.error = e;
    } finally {
      this.running = false;
    }
  }

  cancel(): void {
    this.#cancelled = true;
  }
}

export class ExportValidation {
  archive = $state<File | undefined>(undefined);
  publicKey = $state<File | undefined>(undefined);
  running = $state(false);
  report = $state<ValidationReport | undefined>(undefined);
  error = $state<unknown>(undefined);

  async run(): Promise<void> {
    if (!this.archive) return;
    this.running = true;
    this.error = undefined;
    this.report = undefined;
    try {
      const pem = this.publicKey ? await this.publicKey.text() : undefined;
      this.report = await kms.api.validateAuditExport(this.archive, pem);
    } catch (e) {
      this.error = e;
    } finally {
      this.running = false;
    }
  }
}
