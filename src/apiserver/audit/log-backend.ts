// The log backend of --audit-log-path: one JSON line per event, appended to a
// file ("-" is stdout). Unlike upstream's default blocking mode, events go
// through a bounded buffer written in the background: a slow or full disk
// delays the log, never a request; beyond the buffer, events are dropped and
// counted (upstream's batch mode does the same: "audit buffer queue blocked").
// File rotation (--audit-log-maxsize and friends) is not done.
import { closeSync, openSync, write as writeFd } from "node:fs";
import { log } from "../log.ts";

export interface AuditBackend {
  /** Queues one event's JSON line; never throws, never waits. */
  process(line: string): void;
  /** Writes what is queued and releases the file. */
  close(): Promise<void>;
}

export interface LogBackendOptions {
  /** A file to append to, or "-" for stdout. */
  path: string;
  /** Events held while the writer is busy (upstream's --audit-log-batch-buffer-size default). */
  bufferSize?: number;
  /** Events written together. */
  batchSize?: number;
}

export class LogBackend implements AuditBackend {
  /** Events accepted into the buffer (apiserver_audit_event_total). */
  events = 0;
  /** Events dropped because the buffer was full or the write failed (apiserver_audit_error_total). */
  errors = 0;
  private readonly fd: number | undefined;
  private readonly bufferSize: number;
  private readonly batchSize: number;
  private queue: string[] = [];
  private writing: Promise<void> | undefined;
  private closed = false;
  private dropping = false;

  constructor(opts: LogBackendOptions) {
    this.bufferSize = opts.bufferSize ?? 10_000;
    this.batchSize = opts.batchSize ?? 400;
    if (opts.path !== "-") {
      // Opened at start so that an unwritable path stops the apiserver, as upstream's ensureLogFile.
      try {
        this.fd = openSync(opts.path, "a", 0o600);
      } catch (e) {
        throw new Error(`ensureLogFile: ${(e as Error).message}`);
      }
    }
  }

  process(line: string): void {
    if (this.closed) return;
    if (this.queue.length >= this.bufferSize) {
      this.errors++;
      if (!this.dropping) {
        this.dropping = true;
        log.error("Error in audit plugin 'buffered' affecting 1 audit events: audit buffer queue blocked");
      }
      return;
    }
    this.dropping = false;
    this.events++;
    this.queue.push(line);
    this.writing ??= this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.batchSize);
        const data = Buffer.from(`${batch.join("\n")}\n`);
        try {
          await (this.fd === undefined ? writeStdout(data) : writeAll(this.fd, data));
        } catch (e) {
          this.errors += batch.length;
          log.error(
            `Error in audit plugin 'log' affecting ${batch.length} audit events: ${(e as Error).message}`,
          );
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.writing) await this.writing;
    if (this.queue.length > 0) await this.drain();
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

function writeAll(fd: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number) =>
      writeFd(fd, data, offset, data.length - offset, null, (err, n) => {
        if (err) return reject(err);
        if (offset + n < data.length) return step(offset + n);
        resolve();
      });
    step(0);
  });
}

function writeStdout(data: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    process.stdout.write(data, (err) => (err ? reject(err) : resolve())),
  );
}
