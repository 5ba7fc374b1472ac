import { type Static, Type } from 'typebox';

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:@/-]*$';
const ROLE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';
const SCOPE_PATTERN = '^[!#-\\[\\]-~]+$';
const URL_PATTERN = '^https?://[^\\s#]+$';
const URI_PATTERN = '^[A-Za-z][A-Za-z0-9+.-]*:[^\\s#]+$';
const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+$';

/** What each pattern means, for error messages ("must match pattern ^[^\\s@]+..." helps nobody). */
export const PATTERN_MEANINGS: Readonly<Record<string, string>> = {
  [ID_PATTERN]: 'must be letters, digits and ._:@/- (starting with a letter or digit)',
  [ROLE_PATTERN]: 'must be letters, digits and ._:- (starting with a letter or digit)',
  [SCOPE_PATTERN]: 'must be printable ASCII without spaces, quotes or backslashes',
  [URL_PATTERN]: 'must be an http(s) URL without a fragment',
  [URI_PATTERN]: 'must be an absolute URI without a fragment, e.g. api://adder',
  [EMAIL_PATTERN]: 'must be an email address',
};

const Id = Type.String({ minLength: 1, maxLength: 200, pattern: ID_PATTERN });
const Role = Type.String({ minLength: 1, maxLength: 100, pattern: ROLE_PATTERN });
const Scope = Type.String({ minLength: 1, maxLength: 200, pattern: SCOPE_PATTERN });
const Url = Type.String({ minLength: 1, maxLength: 2000, pattern: URL_PATTERN });

/** An API that clients get access tokens for (RFC 8707 resource indicator), as an Azure AD "App ID URI". */
export const ResourceSchema = Type.Object(
  {
    /** The resource indicator and the tokens' `aud`, an absolute URI such as `api://adder`. */
    id: Type.String({ minLength: 1, maxLength: 500, pattern: URI_PATTERN }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Scopes the API defines besides `<id>/.default`, which every resource accepts. */
    scopes: Type.Optional(Type.Array(Scope, { uniqueItems: true })),
    /** App roles the API defines (Azure's `appRoles`); clients are granted some of them. */
    roles: Type.Optional(Type.Array(Role, { uniqueItems: true })),
    /** Lifetime of its access tokens, in seconds. */
    accessTokenTTL: Type.Optional(Type.Integer({ minimum: 30, maximum: 86_400 })),
  },
  { additionalProperties: false },
);

/** A registered OAuth client. */
export const ClientSchema = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Client secret (`client_secret_basic` or `client_secret_post`). */
    secret: Type.String({ minLength: 8, maxLength: 500 }),
    grantTypes: Type.Array(Type.Enum(['client_credentials', 'authorization_code', 'refresh_token']), {
      minItems: 1,
      uniqueItems: true,
    }),
    /** Where the authorization code may be sent (exact match); required with `authorization_code`. */
    redirectUris: Type.Optional(Type.Array(Url, { uniqueItems: true })),
    /** Where RP-initiated logout may return to. */
    postLogoutRedirectUris: Type.Optional(Type.Array(Url, { uniqueItems: true })),
    /** App roles granted to this client, per resource id: they become the `roles` of its access tokens. */
    roles: Type.Optional(Type.Record(Type.String(), Type.Array(Role, { uniqueItems: true }))),
  },
  { additionalProperties: false },
);

/** A person who can sign in on the login page. */
export const UserSchema = Type.Object(
  {
    /** Login name and the ID token's `sub`. */
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ minLength: 3, maxLength: 320, pattern: EMAIL_PATTERN }),
    /** scrypt hash in PHC format, made by `npm run hash-password -w apps/identity`. */
    passwordHash: Type.String({ minLength: 1 }),
    /** The user's roles, the `roles` claim of their ID token and userinfo. */
    roles: Type.Optional(Type.Array(Role, { uniqueItems: true })),
  },
  { additionalProperties: false },
);

/** The identity config file: `infra/identity/identity.yml`. */
export const DirectoryFileSchema = Type.Object(
  {
    resources: Type.Array(ResourceSchema),
    clients: Type.Array(ClientSchema),
    users: Type.Array(UserSchema),
  },
  { additionalProperties: false },
);

export type ResourceEntry = Static<typeof ResourceSchema>;
export type ClientEntry = Static<typeof ClientSchema>;
export type UserEntry = Static<typeof UserSchema>;
export type DirectoryFile = Static<typeof DirectoryFileSchema>;
