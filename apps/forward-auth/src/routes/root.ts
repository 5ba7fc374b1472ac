import type { Service } from '@gateway-pattern/service-kit';
import { Type } from 'typebox';

/** The API's title, as FastAPI's `app.title` of the original service. */
export const TITLE = 'Forward Auth API';

/** `GET /`: the title; the launcher's and Kubernetes' readiness probe target. */
export async function rootRoutes(app: Service): Promise<void> {
  app.get(
    '/',
    {
      schema: {
        summary: "The API's title (the readiness probe)",
        response: { 200: Type.Object({ title: Type.String() }) },
      },
    },
    async () => ({ title: TITLE }),
  );
}
