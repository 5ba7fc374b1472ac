import type { Service } from '@gateway-pattern/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errors, type InteractionResults } from 'oidc-provider';
import type { Directory } from '../directory/load.ts';
import { authenticate } from '../users/accounts.ts';
import { consentPage, errorPage, loginPage } from './views.ts';

/** What the interaction routes need. */
export interface InteractionRoutesOptions {
  /** The provider in use (a function, so a provider rebuilt with new keys is picked up). */
  provider: () => Provider;
  directory: Directory;
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;
type Form = Record<string, string>;

/** A request the sign-in pages answer with an HTML page of this status. */
class PageError extends Error {
  readonly statusCode: number;
  readonly title: string;
  constructor(statusCode: number, title: string, message: string) {
    super(message);
    this.name = 'PageError';
    this.statusCode = statusCode;
    this.title = title;
  }
}

const EXPIRED = new PageError(
  400,
  'Sign-in expired',
  'This sign-in is no longer active (it expired, was finished, or was started in another browser). ' +
    'Go back to the application and sign in again.',
);

/** The largest login or consent form accepted. */
const FORM_LIMIT = 8 * 1024;

function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    )
    .header('X-Frame-Options', 'DENY')
    .send(page);
}

function field(form: Form | undefined, name: string): string {
  const value = form?.[name];
  return typeof value === 'string' ? value : '';
}

function clientName(directory: Directory, interaction: Interaction): string {
  const id = interaction.params.client_id;
  return typeof id === 'string' ? (directory.clients.get(id)?.name ?? id) : 'an application';
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * The login and consent pages oidc-provider sends people to (`/interaction/:uid`), and their form posts.
 * A post is bound to its interaction twice: the uid in the URL must be the one in the `_interaction` cookie, which
 * oidc-provider set `SameSite=Lax` on that path, so another site cannot post these forms on a user's behalf (CSRF).
 */
export async function interactionRoutes(app: Service, options: InteractionRoutesOptions): Promise<void> {
  const { directory } = options;

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof PageError)
      return sendPage(reply, error.statusCode, errorPage(error.title, error.message));
    if (error instanceof errors.SessionNotFound)
      return sendPage(reply, EXPIRED.statusCode, errorPage(EXPIRED.title, EXPIRED.message));
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendPage(reply, status, errorPage('Bad request', (error as Error).message));
    }
    request.log.error({ err: error }, 'sign-in page error');
    return sendPage(
      reply,
      500,
      errorPage('Something went wrong', 'The sign-in could not continue. Try again.'),
    );
  });

  /** The interaction of this request, refused unless its cookie and URL agree on the uid. */
  async function details(
    request: FastifyRequest<{ Params: { uid: string } }>,
    reply: FastifyReply,
  ): Promise<Interaction> {
    const interaction = await options.provider().interactionDetails(request.raw, reply.raw);
    if (interaction.uid !== request.params.uid) throw EXPIRED;
    return interaction;
  }

  async function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    result: InteractionResults,
    merge: boolean,
  ): Promise<FastifyReply> {
    const returnTo = await options
      .provider()
      .interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: merge });
    return reply.header('Cache-Control', 'no-store').redirect(returnTo, 303);
  }

  function renderConsent(reply: FastifyReply, interaction: Interaction): FastifyReply {
    const d = interaction.prompt.details;
    const accountId = interaction.session?.accountId ?? '';
    const missingResourceScopes = (d.missingResourceScopes ?? {}) as Record<string, unknown>;
    return sendPage(
      reply,
      200,
      consentPage({
        uid: interaction.uid,
        clientName: clientName(directory, interaction),
        userName: directory.users.get(accountId)?.name ?? accountId,
        scopes: stringList(d.missingOIDCScope),
        claims: stringList(d.missingOIDCClaims),
        resources: Object.entries(missingResourceScopes).map(([resource, scopes]) => ({
          resource,
          scopes: stringList(scopes),
        })),
      }),
    );
  }

  app.get<{ Params: { uid: string } }>('/interaction/:uid', async (request, reply) => {
    const interaction = await details(request, reply);
    switch (interaction.prompt.name) {
      case 'login':
        return sendPage(
          reply,
          200,
          loginPage({ uid: interaction.uid, clientName: clientName(directory, interaction) }),
        );
      case 'consent':
        return renderConsent(reply, interaction);
      default:
        throw new PageError(400, 'Cannot continue', `Unsupported sign-in step '${interaction.prompt.name}'.`);
    }
  });

  app.post<{ Params: { uid: string }; Body: Form }>('/interaction/:uid/login', async (request, reply) => {
    const interaction = await details(request, reply);
    if (interaction.prompt.name !== 'login') throw EXPIRED;
    const username = field(request.body, 'username').trim();
    const password = field(request.body, 'password');
    const view = { uid: interaction.uid, clientName: clientName(directory, interaction), username };
    if (!username || !password || username.length > 200 || password.length > 1000) {
      return sendPage(reply, 200, loginPage({ ...view, error: 'Enter your user name and password.' }));
    }
    const user = await authenticate(directory, username, password);
    if (!user) {
      request.log.info({ username }, 'sign-in refused: wrong user name or password');
      // The same answer whether the name or the password was wrong: no account enumeration.
      return sendPage(reply, 200, loginPage({ ...view, error: 'Wrong user name or password.' }));
    }
    request.log.info({ user: user.id, client: interaction.params.client_id }, 'signed in');
    return finish(request, reply, { login: { accountId: user.id, amr: ['pwd'] } }, false);
  });

  app.post<{ Params: { uid: string } }>('/interaction/:uid/confirm', async (request, reply) => {
    const interaction = await details(request, reply);
    if (interaction.prompt.name !== 'consent') throw EXPIRED;
    const provider = options.provider();
    const accountId = interaction.session?.accountId;
    const clientId = interaction.params.client_id;
    if (!accountId || typeof clientId !== 'string') throw EXPIRED;
    const grant =
      (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ??
      new provider.Grant({ accountId, clientId });
    const d = interaction.prompt.details;
    const scopes = stringList(d.missingOIDCScope);
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    const claims = stringList(d.missingOIDCClaims);
    if (claims.length) grant.addOIDCClaims(claims);
    for (const [resource, resourceScopes] of Object.entries(
      (d.missingResourceScopes ?? {}) as Record<string, unknown>,
    )) {
      grant.addResourceScope(resource, stringList(resourceScopes).join(' '));
    }
    const grantId = await grant.save();
    return finish(request, reply, { consent: { grantId } }, true);
  });

  app.post<{ Params: { uid: string } }>('/interaction/:uid/abort', async (request, reply) => {
    await details(request, reply);
    return finish(
      request,
      reply,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      false,
    );
  });
}
