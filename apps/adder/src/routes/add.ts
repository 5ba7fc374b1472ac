import { errorResponse, HttpError, type Service } from '@gateway-pattern/service-kit';
import { Type } from 'typebox';
import { addInt64, Int64Error, parseInt64 } from '../int64.ts';

/** `GET /add/{x}/{y}` → the sum as plain text (`/add/10/10` → `20`); bad integers or overflow → 400. */
export async function addRoutes(app: Service): Promise<void> {
  app.get(
    '/add/:x/:y',
    {
      schema: {
        summary: 'x + y, as 64-bit integers',
        params: Type.Object({
          x: Type.String({ description: 'A decimal int64.' }),
          y: Type.String({ description: 'A decimal int64.' }),
        }),
        headers: Type.Object({
          client: Type.Optional(
            Type.String({ description: "Set by the gateway from the token's `azp`: who called." }),
          ),
        }),
        response: {
          200: {
            description: 'The sum, as plain text.',
            content: { 'text/plain': { schema: Type.String({ examples: ['20'] }) } },
          },
          400: errorResponse('Not an int64, or the sum overflows.'),
        },
      },
    },
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
