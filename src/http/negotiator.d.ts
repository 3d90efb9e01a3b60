// negotiator 0.6 (compression's own, whose choice of encoding compress-whole.ts repeats) ships no types.
declare module 'negotiator' {
  import type { IncomingMessage } from 'node:http';
  export default class Negotiator {
    constructor(req: IncomingMessage);
    encoding(available?: string[], preferred?: string[]): string | undefined;
  }
}
