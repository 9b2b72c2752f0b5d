import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../../../common/errors.js';
import { parseInvoiceFile, type ParseSettings } from './invoice-file.js';

/**
 * Worker thread of the invoice reader: reads and parses the files it is sent (parseInvoiceFile) and posts the
 * result back. The KVKK secret arrives in workerData, in memory only.
 */
const settings = workerData as ParseSettings;

parentPort!.on('message', (msg: { id: number; file: string; abs: string }) => {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(msg.abs);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, unreadable: errorMessage(e) });
    return;
  }
  try {
    // As JSON text: one string crosses the thread boundary, and JSON.parse on the other side is much
    // cheaper than structured-cloning thousands of row objects.
    parentPort!.postMessage({ id: msg.id, json: JSON.stringify(parseInvoiceFile(msg.file, bytes, settings)) });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, failed: errorMessage(e) });
  }
});
parentPort!.postMessage({ ready: true });
