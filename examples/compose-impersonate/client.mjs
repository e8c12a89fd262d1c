// An application that knows nothing of the mock (examples/compose-impersonate/docker-compose.yml):
// openid-client v6 with Microsoft's own authority, client credentials, then Microsoft Graph's
// groups with the token. It prints one JSON line: what it was told, or why it failed.
import * as client from 'openid-client';

const { AZURE_TENANT_ID: tenant, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: secret } = process.env;

try {
  const config = await client.discovery(new URL(`https://login.microsoftonline.com/${tenant}/v2.0`), clientId, secret);
  const tokens = await client.clientCredentialsGrant(config, { scope: 'https://graph.microsoft.com/.default' });
  const response = await fetch('https://graph.microsoft.com/v1.0/groups?$select=displayName', {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  const body = await response.json();
  console.log(
    JSON.stringify({
      ok: response.ok,
      issuer: config.serverMetadata().issuer,
      tokenType: tokens.token_type,
      groups: (body.value ?? []).map((g) => g.displayName).sort(),
      context: body['@odata.context'],
    }),
  );
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: `${e.name}: ${e.message}`, cause: e.cause?.message ?? e.cause?.code }));
  process.exitCode = 1;
}
