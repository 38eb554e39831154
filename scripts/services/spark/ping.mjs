// Readiness probe for scripts/services/spark.sh: opens a session (auth NONE = SASL PLAIN, any user) on the Thrift Server and
// runs `SELECT 1` through hive-driver (the client the runner uses). Exit 0 only if it answered 1.
import hive from 'hive-driver';

const [host = '127.0.0.1', port = '10009'] = process.argv.slice(2);
const { TCLIService, TCLIService_types } = hive.thrift;
const client = new hive.HiveClient(TCLIService, TCLIService_types);
const utils = new hive.HiveUtils(TCLIService_types);
const timer = setTimeout(() => process.exit(3), 20_000);
try {
  await client.connect(
    { host, port: Number(port), options: { connect_timeout: 5000 } },
    new hive.connections.TcpConnection(),
    new hive.auth.PlainTcpAuthentication({ username: 'mdl', password: 'anonymous' }),
  );
  const session = await client.openSession({
    client_protocol: TCLIService_types.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
  });
  const op = await session.executeStatement('SELECT 1 AS ok', { runAsync: true });
  await utils.waitUntilReady(op, false, () => {});
  await utils.fetchAll(op);
  const rows = utils.getResult(op).getValue();
  await op.close();
  await session.close();
  client.close();
  clearTimeout(timer);
  process.exit(rows.length === 1 && rows[0].ok === 1 ? 0 : 1);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
