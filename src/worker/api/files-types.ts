// Types of the file-encryption part of the worker API (imported as types by the UI).

/** What the header of an encrypted file says, shown before it is decrypted. */
export interface HeaderSummary {
  formatVersion: 1 | 2;
  /** e.g. "0x0478". */
  suiteId: string;
  suiteName: string;
  signed: boolean;
  keyCommitment: boolean;
  frameLength: number;
  /** The encryption context, without the SDK's own 'aws-crypto-public-key'. */
  encryptionContext: Record<string, string>;
  /** One entry per encrypted data key. */
  keys: { providerId: string; keyArn?: string }[];
}

export interface FileProgress {
  /** Input bytes consumed so far. */
  bytesIn: number;
  /** Output bytes written so far. */
  bytesOut: number;
}

/** Where the output goes: a file the person chose (File System Access), a download streamed by the
 * service worker, else the origin private file system. */
export interface FileOutput {
  /** From showSaveFilePicker / a picked folder on the page; the worker writes it through createWritable (kept only on success). */
  handle?: FileSystemFileHandle;
  /** A port whose other end the service worker holds (pass with Comlink.transfer): the output is
   * streamed to it as a download, which fails in the browser if the job fails. */
  download?: MessagePort;
}

export interface EncryptFileOptions {
  /** Keys (ID, ARN, alias name or alias ARN); the first generates the data key. */
  keyIds: string[];
  encryptionContext?: Record<string, string>;
  /** 0x0478 (default) or 0x0578 (adds an ECDSA P-384 signature). */
  suiteId?: 0x0478 | 0x0578;
  frameLength?: number;
  output?: FileOutput;
  /** Frame workers: 0 seals frames in the KMS worker; 1–16 in a pool of that many; by default a pool only
   * where the job's first frames ran faster in one (src/worker/frame-calibration.ts). */
  workers?: number;
}

export interface DecryptFileOptions {
  /** Read format 1 / non-committing messages. */
  allowLegacy?: boolean;
  maxEncryptedDataKeys?: number;
  output?: FileOutput;
  /** Frame workers: 0 opens frames in the KMS worker; 1–16 in a pool of that many; by default a pool only
   * where the job's first frames ran faster in one (src/worker/frame-calibration.ts). */
  workers?: number;
}

export interface FileJobResult {
  /** The output as a disk-backed File in the origin private file system (absent when written to a chosen handle). */
  file?: File;
  bytesIn: number;
  bytesOut: number;
  /** Wall time of the job in milliseconds. */
  ms: number;
  header: HeaderSummary;
}

/** The file part of the worker API. Input is a File/Blob (structured-cloned as a disk-backed
 * reference) or a ReadableStream passed with Comlink.transfer; callbacks come wrapped in Comlink.proxy. */
export interface FilesWorkerApi {
  /**
   * Encrypts `input` into an AWS Encryption SDK message.
   * @throws the AWS KMS exception family (from GenerateDataKey / Encrypt), RangeError for bad options, AbortError when cancelled.
   */
  encryptFile(
    jobId: string,
    input: Blob | ReadableStream<Uint8Array>,
    opts: EncryptFileOptions,
    onProgress?: (p: FileProgress) => void,
  ): Promise<FileJobResult>;
  /**
   * Decrypts an AWS Encryption SDK message; `onHeader` sees the header before any key is used.
   * @throws the format errors (NotAnEsdkMessageError, TruncatedMessageError, AuthenticationError, SignatureError, …), NoUsableKeyError, AbortError.
   */
  decryptFile(
    jobId: string,
    input: Blob | ReadableStream<Uint8Array>,
    opts: DecryptFileOptions,
    onProgress?: (p: FileProgress) => void,
    onHeader?: (h: HeaderSummary) => void,
  ): Promise<FileJobResult>;
  /** The header of an encrypted file, without decrypting anything. @throws the format errors. */
  inspectFile(input: Blob): Promise<HeaderSummary>;
  /** Cancels a running job; its partial output is deleted. With `downloadStopped` (the page's
   * words for why its streamed download cannot go on) the job fails with DownloadError instead. */
  cancelFile(jobId: string, downloadStopped?: string): Promise<void>;
  /** Deletes a finished job's output from the origin private file system (after it was saved). */
  releaseFile(jobId: string): Promise<void>;
}
