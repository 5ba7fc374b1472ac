import { listen, runMain } from '@gateway-pattern/service-kit';
import { buildApp } from './app.ts';
import { loadConfig, SERVICE_NAME } from './config.ts';
import { bindGrpc } from './grpc/server.ts';

runMain(SERVICE_NAME, async () => {
  const config = loadConfig();
  const adder = buildApp({ logLevel: config.LOG_LEVEL, grpcGraceMs: config.SHUTDOWN_GRACE_MS });
  const grpcPort = await bindGrpc(adder.grpc.server, config.HOST, config.GRPC_PORT);
  await listen(adder.http, { host: config.HOST, port: config.HTTP_PORT });
  adder.markReady();
  adder.http.log.info({ grpc: `${config.HOST}:${grpcPort}` }, 'gRPC adder serving');
});
