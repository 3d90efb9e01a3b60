// The few parts of oidc-provider (v9, plain JavaScript without bundled types) that test/support/oidc-provider.ts uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type Interaction = { uid: string; params: Record<string, unknown> };
  type Account = { accountId: string; claims(): Promise<Record<string, unknown>> };

  class Grant {
    constructor(opts: { accountId: string; clientId: string });
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: {
      clients: Array<Record<string, unknown>>;
      jwks?: { keys: unknown[] };
      cookies?: { keys: string[] };
      pkce?: { required: () => boolean };
      ttl?: Record<string, number>;
      claims?: Record<string, string[]>;
      findAccount(ctx: unknown, sub: string): Account | undefined | Promise<Account | undefined>;
      interactions?: { url(ctx: unknown, interaction: Interaction): string };
      features?: Record<string, { enabled: boolean }>;
    });
    Grant: typeof Grant;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, opts?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  }
}
