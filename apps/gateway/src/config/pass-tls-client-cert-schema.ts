/** The `passTLSClientCert` middleware's options (Traefik v3): every switch defaults to false. */

import { boolean, type Infer, object, withDefault } from './schema.ts';

const flag = () => withDefault(boolean(), false);

/** Which parts of a distinguished name go into the info header (an issuer has no organizationalUnit). */
const issuerShape = {
  country: flag(),
  province: flag(),
  locality: flag(),
  organization: flag(),
  commonName: flag(),
  serialNumber: flag(),
  domainComponent: flag(),
};

/** `passTLSClientCert`: `pem` and the `info` selection. */
export const passTlsClientCertSchema = object({
  pem: flag(),
  info: object({
    notAfter: flag(),
    notBefore: flag(),
    sans: flag(),
    serialNumber: flag(),
    subject: object({ ...issuerShape, organizationalUnit: flag() }),
    issuer: object(issuerShape),
  }),
});

/** `passTLSClientCert` middleware options. */
export type PassTlsClientCertConfig = Infer<typeof passTlsClientCertSchema>;
