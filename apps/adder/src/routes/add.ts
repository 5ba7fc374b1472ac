import { HttpError, type Service } from '@gateway-pattern/service-kit';
import { Type } from 'typebox';
import { addInt64, Int64Error, parseInt64 } from '../int64.ts';

/** `GET /add/{x}/{y}` → the sum as plain text (`/add/10/10` → `20`); bad integers or overflow → 400. */
export async function addRoutes(app: Service): Promise<void> {
  app.get(
    '/add/:x/:y',
    { schema: { params: Type.Object({ x: Type.String(), y: Type.String() }) } },
    async (request, reply) => {
      let sum: bigint;
      try {
        sum = addInt64(parseInt64(request.params.x, 'x'), parseInt64(request.params.y, 'y'));
      } catch (error) {
        if (error instanceof Int64Error) throw new HttpError(400, error.message, { code: error.code });
        throw error;
      }
      return reply.type('text/plain; charset=utf-8').send(sum.toString());
    },
  );
}
